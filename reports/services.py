"""Recompute the AP ageing summary from the open items and keep it."""

import json
import logging
import time
import uuid
from decimal import Decimal

from core import dynamo
from core.days import site_today
from invoicing.ledger import open_items
from invoicing.models import AgeingSummary, AgeingSummaryPart
from invoicing.posting import open_amount

logger = logging.getLogger("reports")


def ageing_refresh() -> AgeingSummary:
    """
    Read every open item once through `open-amounts-index` and keep, per
    currency and vendor, the open amount per due date: one item the ageing
    report reads and re-buckets for any as-of date.

    Run after each run of the reconciliation job that changed something
    (`ageing_refresh_after_reconciliation`, beside the dashboard's figures),
    by `manage.py refresh_ageing` and by the report's "Recompute" button;
    never per request.
    """
    started = time.monotonic()
    vendors: dict[tuple[str, str], dict] = {}
    for item in open_items():
        key = (item.currency, item.ledger_vendor or item.vendor_id)
        vendor = vendors.setdefault(
            key,
            {
                "vendor_id": key[1],
                "vendor_name": item.vendor_name,
                "due": {},
                "items": 0,
            },
        )
        due = vendor["due"]
        due[item.due_date] = due.get(item.due_date, Decimal(0)) + open_amount(item)
        vendor["items"] += 1
    currencies: dict[str, list] = {}
    for (currency, _), vendor in sorted(vendors.items()):
        vendor["due"] = {
            day: str(amount) for day, amount in sorted(vendor["due"].items())
        }
        currencies.setdefault(currency, []).append(vendor)
    text = json.dumps(
        {"today": site_today().isoformat(), "currencies": currencies}, sort_keys=True
    )
    previous = _summary_head()
    summary = AgeingSummary(AgeingSummary.KEY, computed_at=dynamo.utcnow())
    size = AgeingSummary.PART_CHARACTERS
    if len(text) <= size:
        summary.figures_json = text
    else:
        # Parts first, under a new generation, then the head naming them: a
        # reader sees the old figures or the new, never half of each.
        summary.generation, summary.parts = uuid.uuid4().hex, -(-len(text) // size)
        with AgeingSummaryPart.batch_write() as batch:
            for number in range(summary.parts):
                batch.save(
                    AgeingSummaryPart(
                        AgeingSummaryPart.key(summary.generation, number),
                        text=text[number * size : (number + 1) * size],
                    )
                )
    summary.computed_in_ms = round((time.monotonic() - started) * 1000)
    # Derived data, recomputed whole each time: the newest computation wins.
    summary.save()
    if previous is not None and previous.generation:
        with AgeingSummaryPart.batch_write() as batch:
            for number in range(previous.parts):
                batch.delete(
                    AgeingSummaryPart(
                        AgeingSummaryPart.key(previous.generation, number)
                    )
                )
    return summary


def _summary_head() -> AgeingSummary | None:
    try:
        return AgeingSummary.get(AgeingSummary.KEY)
    except AgeingSummary.DoesNotExist:
        return None


def ageing_refresh_after_reconciliation(sender, *, stats, **kwargs) -> None:
    """Recompute the summary after a run of the batch job (`reconciliation_finished`)."""
    summary = ageing_refresh()
    logger.info(
        "ageing summary recomputed in %d ms after %d invoices",
        summary.computed_in_ms,
        stats.processed,
    )
