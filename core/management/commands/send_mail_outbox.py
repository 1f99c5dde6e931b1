import time

from core.commands import ScheduledCommand
from core.mail_outbox import outbox_drain, outbox_due


class Command(ScheduledCommand):
    help = (
        "Send the e-mails waiting in the mail outbox, retrying failed ones with "
        "backoff; safe to run on several machines at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=100,
            help="Send at most this many e-mails per round (default 100).",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            metavar="SECONDS",
            help="Keep draining, a round every SECONDS, until stopped (make run).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the e-mails due now without sending any.",
        )

    def handle(self, *args, limit, every, dry_run, **options):
        if dry_run:
            due = len(outbox_due(limit=limit))
            self.stdout.write(f"{due} e-mail(s) due{'+' if due == limit else ''}.")
            return
        while True:
            report = outbox_drain(limit=limit)
            for name, value in (
                ("EmailsSent", report.sent),
                ("EmailsRetried", report.retried),
                ("EmailsFailed", report.failed),
            ):
                self.job_counts[name] = self.job_counts.get(name, 0) + value
            if every is None or report.sent or report.retried or report.failed:
                self.stdout.write(
                    f"{report.sent} e-mail(s) sent, {report.retried} to retry, "
                    f"{report.failed} given up, {report.taken_by_others} taken by "
                    "another drainer."
                )
            if every is None:
                return
            time.sleep(every)
