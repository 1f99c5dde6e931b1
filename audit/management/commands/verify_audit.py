import datetime as dt

from django.utils import timezone

from audit.anchoring import audit_trail_verify
from audit.registry import record_kinds
from core.commands import DynamoDBCommand


class Command(DynamoDBCommand):
    help = (
        "Recompute the audit trail's hash chains, check them against the signed "
        "digests, and report every entry altered, removed or inserted and every "
        "digest altered or missing; exit status 1 if any."
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
        report, digests = audit_trail_verify(
            entity_types=(entity_type,) if entity_type else None,
            since=started,
        )
        for problem in digests.problems + report.problems:
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
        digest_line = _digest_summary(digests)
        if report.problems or digests.problems:
            self.stdout.write(self.style.ERROR(summary))
            self.stdout.write(digest_line)
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(summary))
        self.stdout.write(digest_line)


def _digest_summary(digests) -> str:
    if not digests.checked:
        if digests.digests:
            return f"Digests at {digests.location}: not checked (no public key)."
        return (
            "Digests: not checked (no public key is configured, and none are "
            f"stored at {digests.location})."
        )
    numbers = digests.digests
    line = (
        f"Digests: {len(numbers)} checked (#{numbers[0]} to #{numbers[-1]}), "
        f"{digests.anchored_chains} chains anchored"
        if numbers
        else f"Digests: none stored at {digests.location} yet"
    )
    if digests.unanchored_entries:
        line += f"; {digests.unanchored_entries} entries not yet anchored"
    return line + "."
