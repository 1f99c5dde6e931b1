from core.commands import DynamoDBCommand
from purchasing.services import purchase_order_rejected_keys_backfill


class Command(DynamoDBCommand):
    help = (
        "Add the requester's rejected-PO index keys to POs rejected before the "
        "index existed; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the rejected POs lacking the keys without writing anything.",
        )

    def handle(self, *args, dry_run, **options):
        count = purchase_order_rejected_keys_backfill(dry_run=dry_run)
        verb = "would get" if dry_run else "got"
        self.stdout.write(
            f"{count} rejected purchase order(s) {verb} their index keys."
        )
