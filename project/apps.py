from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The wiring on top: settings, URLs, the API router, demo seeding."""

    name = "project"
    verbose_name = "Procure-to-pay"
