from django.apps import AppConfig


class EinvoicingConfig(AppConfig):
    name = "einvoicing"
    verbose_name = "E-invoices (EN 16931)"

    def ready(self):
        from audit.registry import RecordKind, register_kind

        register_kind(
            RecordKind(
                entity_type="einvoice_intake",
                audit_type="EINVOICE_ACTION",
                label="E-invoice",
                name_field="invoice_number",
            )
        )
