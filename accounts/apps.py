from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users, roles and API tokens"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import checks  # noqa: F401 (registers itself)
        from accounts.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="p2p-session-clock")
