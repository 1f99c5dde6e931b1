from core.commands import DynamoDBCommand
from invoicing.posting import postings_backfill
from payments.services import ledger_payments_backfill


class Command(DynamoDBCommand):
    help = (
        "Post the payable, paid and applied documents stored before the AP "
        "sub-ledger existed, and put confirmed runs' payments in the vendors' "
        "ledgers; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be posted without writing anything.",
        )

    def handle(self, *args, dry_run, **options):
        documents = postings_backfill(dry_run=dry_run)
        payments, paid = ledger_payments_backfill(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{documents} document(s) {verb} posted; {payments} payment(s) of "
            f"confirmed runs {verb} put in the ledgers, {paid} paid document(s) "
            f"{verb} given the amount their run paid."
        )
