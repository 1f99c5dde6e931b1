from core.commands import DynamoDBCommand
from search.services import search_index_backfill


class Command(DynamoDBCommand):
    help = (
        "Write the search tokens of records stored before the search-token table "
        "existed and delete tokens no record holds; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the tokens to add and delete without writing anything.",
        )

    def handle(self, *args, dry_run, **options):
        result = search_index_backfill(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{result.records} record(s) read: {result.added} search token(s) "
            f"{verb} added, {result.removed} {verb} deleted."
        )
