import datetime as dt

from django.utils import timezone

from audit.registry import record_kinds
from audit.selectors import audit_chains_verify
from core.commands import DynamoDBCommand


class Command(DynamoDBCommand):
    help = (
        "Recompute the audit trail's hash chains and report every entry altered, "
        "removed or inserted; exit status 1 if any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--entity-type",
            choices=tuple(record_kinds()),
            help="Check only the records of this kind (default: every kind).",
        )
        parser.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            metavar="YYYY-MM-DD",
            help="Check only the records with an entry on or after this day.",
        )

    def handle(self, *args, entity_type=None, since=None, **options):
        started = (
            dt.datetime.combine(
                since, dt.time.min, tzinfo=timezone.get_current_timezone()
            )
            if since
            else None
        )
        report = audit_chains_verify(
            entity_types=(entity_type,) if entity_type else None,
            since=started,
        )
        for problem in report.problems:
            self.stdout.write(f"TAMPERED {problem}")
        summary = (
            f"Checked {report.records} records, {report.entries} entries"
            + (
                f" ({report.unchained} written before chaining, not checked)"
                if report.unchained
                else ""
            )
            + f": {len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}."
        )
        if report.problems:
            self.stdout.write(self.style.ERROR(summary))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(summary))
