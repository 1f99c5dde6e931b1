from django.urls import path

from einvoicing import views

app_name = "einvoicing"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("import/", views.einvoice_import_view, name="import"),
    path("<str:intake_id>/", views.intake_detail_view, name="detail"),
    path("<str:intake_id>/vendor/", views.intake_vendor_view, name="vendor"),
    path("<str:intake_id>/retry/", views.intake_retry_view, name="retry"),
    path("<str:intake_id>/assign-po/", views.intake_assign_po_view, name="assign-po"),
    path(
        "<str:intake_id>/without-po/",
        views.intake_without_po_view,
        name="without-po",
    ),
    path("<str:intake_id>/discard/", views.intake_discard_view, name="discard"),
]
