from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users, roles and API tokens"


class P2PAdminConfig(admin_apps.AdminConfig):
    """Django's admin app, with `accounts.admin_site.P2PAdminSite` as its site."""

    # Not the accounts app's own configuration: INSTALLED_APPS names it.
    default = False
    default_site = "accounts.admin_site.P2PAdminSite"
