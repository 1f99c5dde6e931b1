from django.urls import path

from vendors import views

app_name = "vendors"

urlpatterns = [
    path("", views.vendor_list_view, name="list"),
    path("export.<str:fmt>", views.vendor_list_export_view, name="list-export"),
    path("new/", views.vendor_create_view, name="create"),
    path("import/", views.vendor_import_view, name="import"),
    path("import/confirm/", views.vendor_import_confirm_view, name="import-confirm"),
    path("similar-names/", views.vendor_similar_names_view, name="similar-names"),
    path("<str:vendor_id>/", views.vendor_detail_view, name="detail"),
    path("<str:vendor_id>/edit/", views.vendor_edit_view, name="edit"),
    path("<str:vendor_id>/delete/", views.vendor_delete_view, name="delete"),
    path(
        "<str:vendor_id>/confirm-bank-details/",
        views.vendor_confirm_bank_details_view,
        name="confirm-bank-details",
    ),
]
