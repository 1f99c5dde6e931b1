from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Infrastructure"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core import checks, drafts, dynamo  # noqa: F401 (checks registers itself)

        dynamo.configure_models()
        user_logged_in.connect(drafts.note_previous_owner, dispatch_uid="drafts")
