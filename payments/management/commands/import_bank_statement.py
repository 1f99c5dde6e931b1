from pathlib import Path

from django.core.management.base import CommandError

from core.commands import DynamoDBCommand
from payments.bank_answers import bank_statement_import, max_bytes
from payments.events import BANK_STATEMENT_USER


class Command(DynamoDBCommand):
    help = (
        "Import a bank's answer (a pain.002, camt.054 or camt.053 file) and "
        "apply it to the payment runs it names."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The bank file to import (XML).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and match the file; store and change nothing.",
        )

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            with path.open("rb") as handle:
                # One byte past the limit is enough to refuse a file as too large.
                content = handle.read(max_bytes() + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        result = bank_statement_import(
            content=content,
            filename=path.name,
            user=BANK_STATEMENT_USER,
            source="command",
            dry_run=dry_run,
        )
        statement = result.statement
        if result.already_imported:
            self.stdout.write(
                f"{path.name} was already imported on "
                f"{statement.imported_at:%Y-%m-%d %H:%M} UTC as {statement.id}: "
                "nothing changed."
            )
            return
        if dry_run:
            self.stdout.write("Dry run: nothing was stored or changed.")
        self.stdout.write(
            f"{statement.message_type} {statement.message_id} ({statement.id}): "
            f"{result.summary()}."
        )
        for number in statement.confirmed_runs:
            self.stdout.write(
                f"Payment run {number} confirmed: every payment answered."
            )
        for entry in statement.unmatched_entries:
            self.stdout.write(
                "Unmatched: "
                + ", ".join(
                    str(part)
                    for part in (
                        entry.end_to_end_id or "no end-to-end id",
                        entry.currency and f"{entry.currency} {entry.amount}",
                        entry.iban,
                        entry.booking_date,
                        entry.problem,
                    )
                    if part
                )
            )
