from core.commands import ScheduledCommand
from dashboard.services import dashboard_refresh


class Command(ScheduledCommand):
    help = (
        "Recompute the dashboard's figures now (reconcile_invoices also does "
        "after each run)."
    )

    def handle(self, *args, **options):
        statistics = dashboard_refresh()
        self.job_counts["Refreshes"] = 1
        self.stdout.write(
            f"Dashboard figures recomputed in {statistics.computed_in_ms:,} ms."
        )
