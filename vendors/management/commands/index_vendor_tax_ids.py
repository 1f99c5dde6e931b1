from core.commands import DynamoDBCommand
from vendors.services import vendor_tax_id_keys_backfill


class Command(DynamoDBCommand):
    help = (
        "Add the tax-id index key to vendors stored before the index existed; "
        "safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the vendors lacking the key without writing anything.",
        )

    def handle(self, *args, dry_run, **options):
        count = vendor_tax_id_keys_backfill(dry_run=dry_run)
        verb = "would get" if dry_run else "got"
        self.stdout.write(f"{count} vendor(s) {verb} their tax-id index key.")
