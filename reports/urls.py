from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("journal/", views.journal_view, name="journal"),
    path("journal/file.<str:fmt>", views.journal_file_view, name="journal-file"),
    path("ageing/", views.ageing_view, name="ageing"),
    path("ageing/export.<str:fmt>", views.ageing_export_view, name="ageing-export"),
    path("ageing/refresh", views.ageing_refresh_view, name="ageing-refresh"),
    path(
        "ageing/vendors/<str:vendor_id>/",
        views.ageing_vendor_view,
        name="ageing-vendor",
    ),
]

# The vendor ledger lives under the vendor's URL (project/urls.py).
vendor_urlpatterns = [
    path("", views.vendor_ledger_view, name="vendor-ledger"),
    path(
        "export.<str:fmt>", views.vendor_ledger_export_view, name="vendor-ledger-export"
    ),
]
