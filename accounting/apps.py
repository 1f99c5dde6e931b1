from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "accounting"
    verbose_name = "Accounting codes"

    def ready(self):
        from audit.registry import RecordKind, register_kind

        for entity_type, label in (
            ("tax_code", "Tax code"),
            ("gl_account", "GL account"),
            ("cost_centre", "Cost centre"),
        ):
            register_kind(
                RecordKind(
                    entity_type=entity_type,
                    audit_type="ACCOUNTING_CODE_ACTION",
                    label=label,
                    name_field="label",
                )
            )
