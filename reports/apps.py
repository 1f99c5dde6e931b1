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

        from invoicing.signals import reconciliation_finished
        from reports.services import ageing_refresh_after_reconciliation

        # Invoicing is a lower floor: it announces a run, the report listens.
        reconciliation_finished.connect(
            ageing_refresh_after_reconciliation,
            dispatch_uid="ageing_refresh_after_reconciliation",
        )

        from core.panels import Panel
        from reports.panels import vendor_ledger_panel
        from vendors.panels import VENDOR_PAGE

        # The vendor page links to its ledger, with the balance, for finance staff.
        VENDOR_PAGE.register(
            Panel(
                template="reports/_vendor_ledger_panel.html",
                context=vendor_ledger_panel,
            )
        )
