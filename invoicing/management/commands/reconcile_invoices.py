import json
import logging
import sys

from django.core.management.base import CommandError

from core.commands import ScheduledCommand
from invoicing.jobs import (
    ShardRefused,
    lease_name,
    reconcile_waiting_invoices,
    shard_check,
)
from invoicing.models import QUEUE_BUCKETS


class Command(ScheduledCommand):
    help = "Reconcile every invoice waiting in status received against its PO."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would happen; write nothing.",
        )
        parser.add_argument(
            "--limit", type=int, help="Reconcile at most this many invoices."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=4,
            help="Invoices reconciled in parallel (default 4).",
        )
        parser.add_argument(
            "--shard",
            type=int,
            metavar="K",
            help="Reconcile only share K (0 to N-1) of the queue; with --shards.",
        )
        parser.add_argument(
            "--shards",
            type=int,
            metavar="N",
            help=(
                f"Split the queue into N shares (1 to {QUEUE_BUCKETS}), each a "
                "PO's invoices whole, for N runs side by side."
            ),
        )
        parser.add_argument(
            "--log-level",
            default="WARNING",
            choices=["DEBUG", "INFO", "WARNING", "ERROR"],
            help="Detail of the log lines on stderr (default WARNING).",
        )

    def lease_name(self, options: dict) -> str:
        # Shares of the queue run side by side; each share's runs never overlap.
        return lease_name(options.get("shard"), options.get("shards"))

    def handle(
        self, *args, dry_run, limit, workers, shard, shards, log_level, **options
    ):
        logging.getLogger("invoicing").setLevel(log_level)
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.", returncode=2)
        try:
            shard_check(shard, shards)
        except ShardRefused as exc:
            raise CommandError(str(exc), returncode=2) from None
        interactive = hasattr(self.stdout, "isatty") and self.stdout.isatty()
        # DynamoDB out of reach (JobCouldNotRun) stops with one line, exit 2.
        stats = reconcile_waiting_invoices(
            dry_run=dry_run,
            limit=limit,
            workers=workers,
            shard=shard,
            shards=shards,
            progress=self._progress_bar if interactive else self._progress_line,
        )
        self.job_counts.update(stats.metric_counts())
        if interactive:
            self.stdout.write("")
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        self.stdout.write(json.dumps(stats.as_dict()))
        if stats.errors:
            sys.stdout.flush()
            raise CommandError(
                f"{stats.errors} invoice(s) could not be reconciled.", returncode=1
            )

    def _progress_bar(self, done: int, known: int) -> None:
        width = 30
        filled = width if done >= known else width * done // max(known, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{' ' * (width - filled)}] {done} invoices", ending=""
        )
        self.stdout.flush()

    def _progress_line(self, done: int, known: int) -> None:
        self.stdout.write(f"reconciled {done} invoices so far")
