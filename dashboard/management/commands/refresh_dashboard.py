from django.core.management.base import BaseCommand, CommandError

from core import dynamo
from dashboard.services import dashboard_refresh


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's figures now (reconcile_invoices also does "
        "after each run)."
    )

    def handle(self, *args, **options):
        try:
            statistics = dashboard_refresh()
        except Exception as exc:
            if dynamo.is_unreachable(exc):
                raise CommandError(f"Could not reach DynamoDB: {exc}") from None
            raise
        self.stdout.write(
            f"Dashboard figures recomputed in {statistics.computed_in_ms:,} ms."
        )
