from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from audit.entries import audit_entries_add
        from core.writes import journal_register

        # The ground floor's audited writes add their entries through the chain.
        journal_register(audit_entries_add)
