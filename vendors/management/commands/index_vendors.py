from core.commands import DynamoDBCommand
from vendors.services import (
    vendor_bank_queue_keys_backfill,
    vendor_tax_id_keys_backfill,
    vendor_vat_id_keys_backfill,
)


class Command(DynamoDBCommand):
    help = (
        "Add the index keys (tax id, VAT id, bank-detail confirmation queue) to "
        "vendors "
        "stored before those indexes existed; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the vendors lacking a key without writing anything.",
        )

    def handle(self, *args, dry_run, **options):
        verb = "would get" if dry_run else "got"
        count = vendor_tax_id_keys_backfill(dry_run=dry_run)
        self.stdout.write(f"{count} vendor(s) {verb} their tax-id index key.")
        count = vendor_vat_id_keys_backfill(dry_run=dry_run)
        self.stdout.write(f"{count} vendor(s) {verb} their VAT-id index key.")
        count = vendor_bank_queue_keys_backfill(dry_run=dry_run)
        self.stdout.write(
            f"{count} vendor(s) awaiting bank-detail confirmation {verb} their "
            "queue key."
        )
