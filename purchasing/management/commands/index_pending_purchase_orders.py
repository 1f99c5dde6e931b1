from core.commands import DynamoDBCommand
from purchasing.services import purchase_order_approval_keys_backfill


class Command(DynamoDBCommand):
    help = (
        "Key every pending PO in the approval queue by its worth at today's "
        "exchange rates (POs from before the queue's index, or after a rate "
        "change); safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the pending POs whose keys would change without writing.",
        )

    def handle(self, *args, dry_run, **options):
        count = purchase_order_approval_keys_backfill(dry_run=dry_run)
        verb = "would get" if dry_run else "got"
        self.stdout.write(
            f"{count} pending purchase order(s) {verb} new approval queue keys."
        )
