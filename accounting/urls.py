from django.urls import path, register_converter

from accounting import views

app_name = "accounting"


class CodeKindConverter:
    """The kind of code in a URL: tax-codes, gl-accounts, cost-centres."""

    regex = "tax-codes|gl-accounts|cost-centres"

    def to_python(self, value):
        return views.KIND_BY_SLUG[value]

    def to_url(self, value):
        return views.SLUGS.get(value, value)


register_converter(CodeKindConverter, "kind")

urlpatterns = [
    path("<kind:kind>/", views.code_list_view, name="list"),
    path("<kind:kind>/new/", views.code_create_view, name="create"),
    path("<kind:kind>/import/", views.code_import_view, name="import"),
    path(
        "<kind:kind>/import/confirm/",
        views.code_import_confirm_view,
        name="import-confirm",
    ),
    path("<kind:kind>/<str:code>/edit/", views.code_edit_view, name="edit"),
    path("<kind:kind>/<str:code>/active/", views.code_active_view, name="active"),
]
