"""
The scheduled reconciliation job (`manage.py reconcile_invoices`, and the
AWS Lambda handler in `invoicing.lambda_handler`).

It reads the waiting invoices from the sparse queue index (its cost follows
the number waiting, not the table) a page ahead of the writes, fetches their
POs in batches and the audit chain heads of each round in one go, and records
the outcomes of up to `BATCH` invoices of different POs in one conditional
transaction (`invoices_reconcile_batch`), each with its own audit entry. A
PO's invoices are taken in order, one per round, so each sees the totals the
previous one added. When a batch's transaction is refused (a condition
failed), its invoices are reconciled one by one with `invoice_reconcile`.
Two runs started together reconcile each invoice once between them: the
loser of a race finds the invoice no longer `received` and skips it.

The queue can be split: shard K of N (`--shard K --shards N`, the Lambda
event's {"shard": K, "shards": N}) reads only the queue buckets b with
b % N == K (invoicing.models.queue_partitions), so N runs side by side take
disjoint shares, each PO's invoices in one share.
"""

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import asdict, dataclass

from audit.entries import audit_entry_write, audit_heads_read, head_item_keys
from audit.services import audit_digest_after_job
from core.errors import InvalidTransition, ServiceUnavailable
from invoicing.events import JOB_USER, reconciliation_job_completed_event
from invoicing.models import QUEUE_BUCKETS, Invoice
from invoicing.reconciliation import (
    invoice_reconcile,
    invoice_reconcile_error_record,
    invoices_reconcile_batch,
    report_for,
)
from invoicing.selectors import invoices_awaiting_reconciliation
from invoicing.signals import reconciliation_finished
from purchasing.selectors import purchase_orders_get_many

logger = logging.getLogger("invoicing.jobs")

PAGE = 100
# Invoices per transaction: 6 items each (the invoice and its PO, with an audit
# entry and a chain head for each). Ten keep a refused batch cheap to redo and
# already cut the round trips tenfold.
BATCH = 10


@dataclass
class JobStats:
    processed: int = 0
    matched: int = 0
    rejected: int = 0
    awaiting_receipt: int = 0
    errors: int = 0
    skipped: int = 0
    duration_s: float = 0.0
    # The share of the queue this run read (None: all of it).
    shard: int | None = None
    shards: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def metric_counts(self) -> dict[str, int]:
        """The run's counts as the job's metrics name them (core.metrics)."""
        return {
            "InvoicesProcessed": self.processed,
            "InvoicesMatched": self.matched,
            "InvoicesRejected": self.rejected,
            "InvoicesAwaitingReceipt": self.awaiting_receipt,
            "InvoiceErrors": self.errors,
        }


def lease_name(shard: int | None, shards: int | None) -> str:
    """The job lease of a run: one per share of the queue, side by side."""
    name = "reconcile_invoices"
    return f"{name}#shard-{shard}-of-{shards}" if shards else name


class JobCouldNotRun(ServiceUnavailable):
    """DynamoDB could not be reached or refused the job itself."""


class ShardRefused(ValueError):
    """The shard asked for is not one of the queue's shares; says why."""


def shard_check(
    shard: int | None, shards: int | None, *, names=("--shard", "--shards")
) -> None:
    """
    Refuse a share of the queue that is not one: both or neither given,
    1 <= shards <= QUEUE_BUCKETS, 0 <= shard < shards. `names` are how the
    caller spells the two (the command's options, the Lambda event's keys).
    """
    one, many = names
    if shard is None and shards is None:
        return
    if shard is None or shards is None:
        raise ShardRefused(
            f"{one} and {many} go together: give both, or neither to "
            "reconcile the whole queue."
        )
    if not 1 <= shards <= QUEUE_BUCKETS:
        raise ShardRefused(
            f"{many} must be between 1 and {QUEUE_BUCKETS} (the queue has "
            f"{QUEUE_BUCKETS} buckets); got {shards}."
        )
    if not 0 <= shard < shards:
        raise ShardRefused(
            f"{one} must be between 0 and {shards - 1} with {many} {shards}; "
            f"got {shard}."
        )


def reconcile_waiting_invoices(
    *,
    dry_run: bool = False,
    limit: int | None = None,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
    shard: int | None = None,
    shards: int | None = None,
) -> JobStats:
    """
    Reconcile every invoice waiting in `received` (in shard `shard` of
    `shards`: its share of the queue); return the statistics.

    The one entry point of the job (`manage.py reconcile_invoices`, the
    Lambda handler). After a run that wrote something it sends
    `reconciliation_finished`; a receiver's failure is logged and fails no
    invoice. Raise JobCouldNotRun when DynamoDB cannot be reached: one
    invoice's failure is recorded and the job goes on. Raise ShardRefused
    for a share that is not one (shard_check).
    """
    shard_check(shard, shards)
    try:
        stats = _reconcile_waiting(
            dry_run=dry_run,
            limit=limit,
            workers=workers,
            progress=progress,
            share={"shard": shard, "shards": shards},
        )
    except ServiceUnavailable as exc:
        raise JobCouldNotRun(
            f"DynamoDB could not be reached; nothing more was reconciled ({exc})."
        ) from exc
    if not dry_run and stats.processed:
        _announce(stats)
        audit_digest_after_job()
    return stats


def _announce(stats: JobStats) -> None:
    """Tell the apps above (the dashboard) that invoices changed."""
    answers = reconciliation_finished.send_robust(sender=JobStats, stats=stats)
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            # Derived data (figures) can wait for the next run; no invoice fails.
            name = getattr(receiver, "__name__", repr(receiver))
            logger.warning("after the run, %s failed: %s", name, answer)


def _reconcile_waiting(*, dry_run, limit, workers, progress, share) -> JobStats:
    started = time.monotonic()
    stats = JobStats(**share)
    # With more than one worker, the next page (its invoices and POs) is read
    # while this one is written; with one, everything happens in turn.
    with (
        ThreadPoolExecutor(max_workers=1) if workers > 1 else nullcontext() as reader,
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
    ):

        def page_after(cursor, remaining) -> Callable[[], tuple]:
            """What returns the page after `cursor`: being read, or read when called."""
            if reader is None:
                return lambda: _read_page(cursor, remaining, **share)
            return reader.submit(_read_page, cursor, remaining, **share).result

        next_page = page_after(None, limit)
        carried: dict[str, object] = {}
        while True:
            invoices, pos, cursor = next_page()
            if not invoices:
                break
            read = stats.processed + len(invoices)
            if cursor is not None and (limit is None or read < limit):
                next_page = page_after(cursor, None if limit is None else limit - read)
            else:
                cursor = None
            # A PO this run already moved may have been read before its write
            # (a PO re-read by a one-by-one retry is not carried: its next
            # batch is refused and redone one by one, correct but slower).
            for po_id, po in pos.items():
                newer = carried.get(po_id)
                if po is not None and newer is not None and newer.version > po.version:
                    pos[po_id] = newer
            for outcome in _reconcile_page(invoices, pos, dry_run, pool):
                stats.processed += 1
                setattr(stats, outcome, getattr(stats, outcome) + 1)
            carried = {po_id: po for po_id, po in pos.items() if po is not None}
            if progress:
                progress(stats.processed, stats.processed + (1 if cursor else 0))
            if cursor is None:
                break
    stats.duration_s = round(time.monotonic() - started, 3)
    if not dry_run:
        _record_completion(stats)
    return stats


def _read_page(cursor, remaining: int | None, *, shard=None, shards=None):
    """The next waiting invoices, their POs by id, and the cursor after them."""
    if remaining is not None and remaining <= 0:
        return [], {}, None
    page = invoices_awaiting_reconciliation(
        cursor=cursor,
        limit=PAGE if remaining is None else min(PAGE, remaining),
        shard=shard,
        shards=shards,
    )
    if not page.items:
        return [], {}, None
    # A credit note without PO has none to read (credit_notes).
    pos = purchase_orders_get_many(po_ids={i.po_id for i in page.items if i.po_id})
    return page.items, pos, page.next_cursor


def _reconcile_page(invoices, pos, dry_run, pool) -> list[str]:
    by_po: dict[str, list[Invoice]] = {}
    for invoice in invoices:
        by_po.setdefault(invoice.po_id, []).append(invoice)
    outcomes = []
    # Round k takes the k-th invoice of every PO: no PO twice in a round,
    # so batches never share a PO object between threads or transactions.
    for depth in range(max(len(group) for group in by_po.values())):
        round_ = [
            (group[depth], pos.get(po_id))
            for po_id, group in by_po.items()
            if depth < len(group)
        ]
        # The round's audit chain heads kept in items (records that do not
        # carry theirs yet) in one read, not one per batch.
        heads = (
            {}
            if dry_run
            else audit_heads_read(
                head_item_keys(
                    [("invoice", invoice) for invoice, _ in round_]
                    + [("purchase_order", po) for _, po in round_]
                )
            )
        )
        batches = [
            round_[start : start + BATCH] for start in range(0, len(round_), BATCH)
        ]
        for batch in pool.map(
            _batch, batches, [dry_run] * len(batches), [heads] * len(batches)
        ):
            outcomes += batch
    return outcomes


def _batch(
    pairs: list[tuple[Invoice, object]], dry_run: bool, heads: dict
) -> list[str]:
    """Reconcile invoices of different POs together; one by one if refused."""
    if not dry_run and all(po is not None for _, po in pairs):
        try:
            reports = invoices_reconcile_batch(pairs, heads=heads)
        except ServiceUnavailable:
            raise
        except Exception:  # noqa: BLE001 - redone one by one below
            reports = None
        if reports is not None:
            for (invoice, _), report in zip(pairs, reports, strict=True):
                logger.info(
                    "invoice %s %s", invoice.invoice_number, report.outcome.value
                )
            return [report.outcome.value for report in reports]
    return [_one(invoice, po, dry_run) for invoice, po in pairs]


def _one(invoice: Invoice, po, dry_run: bool) -> str:
    """Reconcile one invoice; return the JobStats field it counts in."""
    try:
        if dry_run:
            if po is None and invoice.has_po:
                return "errors"
            report = report_for(invoice, po)
            logger.info(
                "would mark invoice %s (%s) %s %s",
                invoice.invoice_number,
                invoice.id,
                report.outcome.value,
                " ".join(report.codes),
            )
            return report.outcome.value
        _, report = invoice_reconcile(
            invoice_id=invoice.id,
            user=JOB_USER,
            batch=True,
            invoice=invoice,
            po=po,
        )
        logger.info("invoice %s %s", invoice.invoice_number, report.outcome.value)
        return report.outcome.value
    except InvalidTransition:
        return "skipped"  # reconciled meanwhile (by a person or an overlapping run)
    except ServiceUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - one invoice's failure; the job goes on
        logger.warning("invoice %s failed: %s", invoice.id, exc)
        try:
            invoice_reconcile_error_record(invoice=invoice, error=str(exc)[:500])
        except ServiceUnavailable:
            raise  # DynamoDB gone: the job stops (exit 2), no traceback per invoice
        except Exception:  # noqa: BLE001
            logger.exception("could not record the error of invoice %s", invoice.id)
        return "errors"


def _record_completion(stats: JobStats) -> None:
    entry = reconciliation_job_completed_event(
        run_id=str(uuid.uuid4()), stats=stats.as_dict()
    )
    audit_entry_write(entry)
