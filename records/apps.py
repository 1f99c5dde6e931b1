from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Business records (read-only)"


class P2PAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with `records.admin_site.P2PAdminSite` as its site."""

    # Not the records app's own configuration: INSTALLED_APPS names it.
    default = False
    default_site = "records.admin_site.P2PAdminSite"
