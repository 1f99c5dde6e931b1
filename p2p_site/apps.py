from django.apps import AppConfig


class P2PSiteConfig(AppConfig):
    name = "p2p_site"
    verbose_name = "Procure-to-pay"

    def ready(self):
        from p2p_site import dynamo

        dynamo.configure_models()
