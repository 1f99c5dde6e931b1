from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Infrastructure"

    def ready(self):
        from core import checks, dynamo  # noqa: F401 (checks registers itself)

        dynamo.configure_models()
