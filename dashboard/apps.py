from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "dashboard"

    def ready(self):
        from dashboard.services import dashboard_refresh_after_reconciliation
        from invoicing.signals import reconciliation_finished

        # Invoicing is a lower floor: it announces a run, the dashboard listens.
        reconciliation_finished.connect(
            dashboard_refresh_after_reconciliation,
            dispatch_uid="dashboard_refresh_after_reconciliation",
        )
