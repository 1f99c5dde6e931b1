from django.apps import AppConfig


class VendorsConfig(AppConfig):
    name = "vendors"

    def ready(self):
        from audit.registry import RecordFacts, RecordKind, register_kind
        from vendors.events import vendor_history_fields
        from vendors.selectors import vendor_ids_named, vendors_get_many

        register_kind(
            RecordKind(
                entity_type="vendor",
                audit_type="VENDOR_ACTION",
                label="Vendor",
                page="vendors:detail",
                name_field="name",
                find=lambda text: vendor_ids_named(name=text),
                fields=vendor_history_fields(),
                facts=lambda ids: {
                    v.id: RecordFacts(v.name, v.currency)
                    for v in vendors_get_many(vendor_ids=ids).values()
                },
            )
        )
