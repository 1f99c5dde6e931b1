"""Recompute the dashboard's figures from the indexes and keep them."""

import datetime as dt
import json
import logging
import time

from django.utils import timezone

from core import dynamo
from core.days import site_date, site_today
from dashboard import figures
from invoicing.models import InvoiceStatistics
from invoicing.selectors import (
    FIGURE_ATTRIBUTES,
    invoices_entered_since,
    invoices_in_statuses,
    reconcile_outcomes_since,
)

# Documents that count as spend, and those still to be paid (invoices without
# a PO count once approved, and are unpaid while awaiting approval too). A
# credit note counts against both, by what it takes off.
SPENT = ("matched", "approved", "scheduled", "paid")
UNPAID = (
    "received",
    "rejected",
    "awaiting_approval",
    "matched",
    "approved",
    "scheduled",
)

logger = logging.getLogger("dashboard")


def dashboard_refresh() -> InvoiceStatistics:
    """
    Compute spend by vendor (this month and quarter), invoice ageing and the
    match rate of the last eight weeks, and store them as one item.

    Every read is an index query bounded by what it needs (this quarter's
    invoices, the unpaid ones, eight weeks of reconciliations), never a
    scan. Each run of the reconciliation job that changed something runs it
    (`dashboard_refresh_after_reconciliation`); the dashboard offers it as a
    button.
    """
    started = time.monotonic()
    # The site's days (TIME_ZONE): the figures are one set for every reader,
    # whichever reader's request recomputes them.
    zone = timezone.get_default_timezone()
    today = site_today()
    quarter = figures.quarter_start(today)
    month = today.replace(day=1)
    spend_rows = [
        figures.SpendRow(
            vendor_name=invoice.vendor_name,
            currency=invoice.currency,
            amount=-invoice.net_total if invoice.is_credit_note else invoice.net_total,
            entered_on=site_date(invoice.submitted_at),
        )
        for invoice in invoices_entered_since(
            statuses=SPENT,
            since=dt.datetime.combine(quarter, dt.time.min, tzinfo=zone),
        )
    ]
    unpaid = [
        figures.OpenInvoice(
            currency=invoice.currency,
            amount=-invoice.credit_open
            if invoice.is_credit_note
            else invoice.total_amount,
            due_date=dt.date.fromisoformat(invoice.due_date),
        )
        for invoice in invoices_in_statuses(
            statuses=UNPAID, attributes=FIGURE_ATTRIBUTES
        )
    ]
    first_week = figures.week_start(today) - dt.timedelta(
        weeks=figures.MATCH_RATE_WEEKS - 1
    )
    outcomes = list(
        reconcile_outcomes_since(
            since=dt.datetime.combine(first_week, dt.time.min, tzinfo=zone)
        )
    )
    result = {
        "today": today.isoformat(),
        "spend_month": figures.spend_by_vendor(spend_rows, since=month),
        "spend_quarter": figures.spend_by_vendor(spend_rows, since=quarter),
        "ageing": figures.ageing(unpaid, today=today),
        "match_rate": figures.match_rate(outcomes, today=today),
    }
    statistics = InvoiceStatistics(
        InvoiceStatistics.KEY,
        figures_json=json.dumps(result, sort_keys=True),
        computed_at=dynamo.utcnow(),
        computed_in_ms=round((time.monotonic() - started) * 1000),
    )
    # Derived data, recomputed whole each time: the newest computation wins.
    statistics.save()
    return statistics


def dashboard_refresh_after_reconciliation(sender, *, stats, **kwargs) -> None:
    """Recompute the figures after a run of the batch job (`reconciliation_finished`)."""
    statistics = dashboard_refresh()
    logger.info(
        "dashboard figures recomputed in %d ms after %d invoices",
        statistics.computed_in_ms,
        stats.processed,
    )
