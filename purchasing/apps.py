from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "purchasing"

    def ready(self):
        from audit.registry import RecordKind, register_kind
        from purchasing.selectors import purchase_order_ids_numbered

        register_kind(
            RecordKind(
                entity_type="purchase_order",
                audit_type="PO_ACTION",
                label="Purchase order",
                page="purchasing:detail",
                name_field="po_number",
                find=lambda text: purchase_order_ids_numbered(number=text),
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
