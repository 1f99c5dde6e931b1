from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Infrastructure"

    def ready(self):
        from core import dynamo

        dynamo.configure_models()
