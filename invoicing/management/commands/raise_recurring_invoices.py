import datetime as dt

from django.core.management.base import CommandError

from core.commands import ScheduledCommand
from invoicing.recurring import recurring_invoices_raise


class Command(ScheduledCommand):
    help = (
        "Raise each due month's invoice of the recurring invoices, awaiting "
        "approval; safe to re-run (schedule it daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the invoices that would be raised; raise nothing.",
        )
        parser.add_argument(
            "--date",
            help="Raise what is due on this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, dry_run, date, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(
                f"--date {date!r} is not a date like 2026-12-31."
            ) from None
        outcome = recurring_invoices_raise(today=today, dry_run=dry_run)
        self.job_counts["InvoicesRaised"] = 0 if dry_run else len(outcome.raised)
        verb = "Would raise" if dry_run else "Raised"
        self.stdout.write(f"{verb} {len(outcome.raised)} invoice(s).")
        for number in outcome.raised:
            self.stdout.write(f"  {number}")
        for number in outcome.already:
            self.stdout.write(f"  {number}: already raised")
        for reason in outcome.skipped:
            self.stdout.write(f"  skipped: {reason}")
