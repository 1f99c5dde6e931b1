from django.urls import path

from invoicing import coding_views, views, without_po_views

app_name = "invoicing"

urlpatterns = [
    path("", views.invoice_list_view, name="list"),
    path("export.<str:fmt>", views.invoice_list_export_view, name="list-export"),
    path(
        "exceptions/", views.invoice_list_view, {"exceptions": True}, name="exceptions"
    ),
    path("new/", views.invoice_create_view, name="create"),
    path("recurring/", without_po_views.recurring_list_view, name="recurring"),
    path(
        "recurring/new/",
        without_po_views.recurring_form_view,
        name="recurring-create",
    ),
    path(
        "recurring/<str:template_id>/",
        without_po_views.recurring_form_view,
        name="recurring-edit",
    ),
    path(
        "recurring/<str:template_id>/deactivate/",
        without_po_views.recurring_deactivate_view,
        name="recurring-deactivate",
    ),
    path("variances/", views.invoice_variances_view, name="variances"),
    path("<str:invoice_id>/", views.invoice_detail_view, name="detail"),
    path("<str:invoice_id>/correct/", views.invoice_correct_view, name="correct"),
    path("<str:invoice_id>/recode/", coding_views.invoice_recode_view, name="recode"),
    path(
        "<str:invoice_id>/attachment/", views.invoice_attachment_view, name="attachment"
    ),
    path("<str:invoice_id>/reconcile/", views.invoice_reconcile_view, name="reconcile"),
    path("<str:invoice_id>/void/", views.invoice_void_view, name="void"),
    path("<str:invoice_id>/hold/", views.invoice_hold_view, name="hold"),
    path("<str:invoice_id>/release/", views.invoice_release_view, name="release"),
    path(
        "<str:invoice_id>/approve/",
        without_po_views.invoice_approve_view,
        name="approve",
    ),
    path(
        "<str:invoice_id>/reject/", without_po_views.invoice_reject_view, name="reject"
    ),
    path(
        "<str:invoice_id>/accept-variance/",
        views.invoice_accept_variance_view,
        name="accept-variance",
    ),
    path(
        "<str:invoice_id>/send-to-approval/",
        views.invoice_send_to_approval_view,
        name="send-to-approval",
    ),
]
