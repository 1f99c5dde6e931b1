from django.apps import AppConfig


class TreasuryConfig(AppConfig):
    name = "treasury"
    verbose_name = "Company bank accounts"

    def ready(self):
        from audit.registry import RecordKind, register_kind

        register_kind(
            RecordKind(
                entity_type="bank_account",
                audit_type="BANK_ACCOUNT_ACTION",
                label="Bank account",
                name_field="name",
            )
        )
