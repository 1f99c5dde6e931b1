from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports: the AP sub-ledger, ageing and the journal"

    def ready(self):
        from audit.registry import (
            DATE,
            DATETIME,
            HIDDEN,
            RecordKind,
            Shape,
            register_kind,
        )

        register_kind(
            RecordKind(
                entity_type="journal_export",
                audit_type="JOURNAL_EXPORT_ACTION",
                label="Journal export",
                name_field="label",
                fields={
                    "period_start": Shape("From", DATE),
                    "period_end": Shape("To", DATE),
                    "format": Shape("Format"),
                    "file_name": Shape("File"),
                    "entry_count": Shape("Entries"),
                    "line_count": Shape("Lines"),
                    "late_count": Shape("Late postings"),
                    "exported_at": Shape("Exported at", DATETIME),
                    "sha256": Shape("SHA-256", HIDDEN),
                },
            )
        )
