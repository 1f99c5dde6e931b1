from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "purchasing"

    def ready(self):
        from audit.registry import RecordKind, register_kind

        register_kind(
            RecordKind(
                entity_type="purchase_order",
                audit_type="PO_ACTION",
                label="Purchase order",
                page="purchasing:detail",
                name_field="po_number",
            )
        )
