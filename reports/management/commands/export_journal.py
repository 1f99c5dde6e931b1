import datetime as dt
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from accounts.roles import signed_in_with_api_token
from core.commands import DynamoDBCommand
from reports.journal import FORMATS, journal_export


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(DynamoDBCommand):
    help = "Write the journal of a period as CSV or DATEV's booking batch."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="start", required=True, help="First day (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--to", dest="end", required=True, help="Last day (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--format",
            default="csv",
            choices=FORMATS,
            help="csv (one row per journal line, default) or datev (EXTF).",
        )
        parser.add_argument(
            "--output", help="Write the file here (default: standard output)."
        )
        parser.add_argument(
            "--record",
            action="store_true",
            help="Record the export of the period (audited): later postings "
            "into it are flagged as late.",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="The finance user (Treasurer, AP Clerk, Auditor or Admin) exporting.",
        )

    def handle(self, *args, start, end, format, output, record, user, **options):
        try:
            person = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user named {user!r}.") from None
        # Whoever runs this holds the server's credentials already: the
        # command acts as the named user, confirmed as an API token is.
        person = signed_in_with_api_token(person)
        exported = journal_export(
            user=person,
            start=_date(start),
            end=_date(end),
            fmt=format,
            record=record,
        )
        if output:
            with open(output, "wb") as file:
                file.write(exported.content)
        else:
            sys.stdout.flush()
            self.stdout.flush()
            sys.stdout.buffer.write(exported.content)
            sys.stdout.flush()
        period = exported.journal
        summary = (
            f"{len(period.entries)} entries, {period.line_count} lines, "
            f"{period.late_count} late postings; SHA-256 {exported.sha256}"
            + ("; recorded." if record else "; not recorded (use --record).")
        )
        # With the file on standard output, the summary goes to standard error.
        (self.stdout if output else self.stderr).write(summary)
