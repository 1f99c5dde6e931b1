from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_browser_view, name="browser"),
    path("export.<str:fmt>", views.audit_browser_export_view, name="browser-export"),
    path(
        "<str:entity_type>/<str:entity_id>/",
        views.entity_history_view,
        name="entity-history",
    ),
    path(
        "<str:entity_type>/<str:entity_id>/export.<str:fmt>",
        views.entity_history_export_view,
        name="entity-history-export",
    ),
]
