from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"

    def ready(self):
        from audit.registry import RecordKind, register_kind
        from vendors.selectors import vendor_ids_named

        register_kind(
            RecordKind(
                entity_type="vendor",
                audit_type="VENDOR_ACTION",
                label="Vendor",
                page="vendors:detail",
                name_field="name",
                find=lambda text: vendor_ids_named(name=text),
            )
        )
