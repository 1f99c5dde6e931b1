from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("", views.payment_run_list_view, name="list"),
    path("export.<str:fmt>", views.payment_run_list_export_view, name="list-export"),
    path("new/", views.payment_run_create_view, name="create"),
    path(
        "bank-statements/",
        views.bank_statement_list_view,
        name="bank-statements",
    ),
    path(
        "bank-statements/<str:statement_id>/",
        views.bank_statement_detail_view,
        name="bank-statement",
    ),
    path(
        "bank-statements/<str:statement_id>/file",
        views.bank_statement_file_view,
        name="bank-statement-file",
    ),
    path("<str:run_id>/", views.payment_run_detail_view, name="detail"),
    path(
        "<str:run_id>/approve/",
        views.payment_run_decide_view,
        {"decision": "approve"},
        name="approve",
    ),
    path(
        "<str:run_id>/export/",
        views.payment_run_decide_view,
        {"decision": "export"},
        name="export",
    ),
    path(
        "<str:run_id>/confirm/",
        views.payment_run_decide_view,
        {"decision": "confirm"},
        name="confirm",
    ),
    path(
        "<str:run_id>/cancel/",
        views.payment_run_reasoned_view,
        {"decision": "cancel"},
        name="cancel",
    ),
    path(
        "<str:run_id>/return/",
        views.payment_run_reasoned_view,
        {"decision": "return"},
        name="return",
    ),
    path(
        "<str:run_id>/resubmit/",
        views.payment_run_decide_view,
        {"decision": "resubmit"},
        name="resubmit",
    ),
    path("<str:run_id>/files/<str:name>", views.payment_run_file_view, name="file"),
]
