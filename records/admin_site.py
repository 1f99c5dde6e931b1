"""The admin site: Django's, plus the read-only pages of the DynamoDB records."""

from django.contrib import admin

from accounts.roles import is_verified
from records import admin_records


class P2PAdminSite(admin.AdminSite):
    """
    Django's admin site with a "Business records (DynamoDB)" section.

    `accounts.apps.P2PAdminConfig` makes it the default site, so `admin.site`
    and the ModelAdmins in `accounts/admin.py` are this site's.
    """

    def has_permission(self, request):
        """Staff whose sign-in was confirmed by their second factor (accounts.roles)."""
        return super().has_permission(request) and is_verified(request.user)

    def get_urls(self):
        return admin_records.urls(self) + super().get_urls()

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        if app_label is None and request.user.is_superuser:
            app_list.append(admin_records.section(self))
        return app_list
