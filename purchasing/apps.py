from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "purchasing"

    def ready(self):
        from audit.registry import RecordFacts, RecordKind, register_kind
        from purchasing.events import purchase_order_history_fields
        from purchasing.selectors import (
            purchase_order_ids_numbered,
            purchase_orders_get_many,
        )

        register_kind(
            RecordKind(
                entity_type="purchase_order",
                audit_type="PO_ACTION",
                label="Purchase order",
                page="purchasing:detail",
                name_field="po_number",
                find=lambda text: purchase_order_ids_numbered(number=text),
                fields=purchase_order_history_fields(),
                facts=lambda ids: {
                    po.id: RecordFacts(po.po_number, po.currency)
                    for po in purchase_orders_get_many(po_ids=ids).values()
                },
            )
        )

        from comments.registry import CommentableKind, register_commentable
        from purchasing.selectors import purchase_order_get

        register_commentable(
            CommentableKind(
                entity_type="purchase_order",
                label="Purchase order",
                read=lambda record_id: purchase_order_get(po_id=record_id),
                name=lambda po: po.po_number,
            )
        )

        from core.panels import Panel
        from purchasing.selectors import purchase_order_list
        from vendors.panels import VENDOR_PAGE

        VENDOR_PAGE.register(
            Panel(
                template="purchasing/_vendor_purchase_orders.html",
                context=lambda vendor, user: {
                    "purchase_orders": purchase_order_list(
                        vendor_id=vendor.id, limit=10
                    )
                },
            )
        )
