from django.urls import path

from purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("", views.purchase_order_list_view, name="list"),
    path("export.<str:fmt>", views.purchase_order_list_export_view, name="list-export"),
    path("new/", views.purchase_order_create_view, name="create"),
    path("awaiting-approval/", views.purchase_order_awaiting_view, name="awaiting"),
    path("rejected/", views.purchase_order_rejected_view, name="rejected"),
    path("<str:po_id>/", views.purchase_order_detail_view, name="detail"),
    path("<str:po_id>/edit/", views.purchase_order_edit_view, name="edit"),
    path("<str:po_id>/delete/", views.purchase_order_delete_view, name="delete"),
    path("<str:po_id>/receive/", views.purchase_order_receive_view, name="receive"),
    path("<str:po_id>/close/", views.purchase_order_close_view, name="close"),
]
urlpatterns += [
    path(
        f"<str:po_id>/{decision}/",
        views.purchase_order_decide_view,
        {"decision": decision},
        name=decision,
    )
    for decision in ("approve", "send")
]
urlpatterns += [
    path(
        f"<str:po_id>/{decision}/",
        views.purchase_order_reason_view,
        {"decision": decision},
        name=decision,
    )
    for decision in ("reject", "cancel")
]
