from core.commands import ScheduledCommand
from reports.services import ageing_refresh


class Command(ScheduledCommand):
    help = (
        "Recompute the AP ageing report's summary of open items now "
        "(reconcile_invoices also does after each run)."
    )

    def handle(self, *args, **options):
        summary = ageing_refresh()
        self.job_counts["Refreshes"] = 1
        self.stdout.write(
            f"Ageing summary recomputed in {summary.computed_in_ms:,} ms."
        )
