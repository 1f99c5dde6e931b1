"""
The dashboard's figures from plain rows, pure: spend by vendor, invoice
ageing and match rate. `dashboard.services.dashboard_refresh` feeds them
from index queries and keeps the result.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

AGEING_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
# What the chart and its table call each bucket: one term for each, so the
# chart's "current" is not the table's "not yet due".
AGEING_LABELS = {
    "current": "Not yet due",
    "1-30": "1-30 days",
    "31-60": "31-60 days",
    "61-90": "61-90 days",
    "90+": "90+ days",
}
TOP_VENDORS = 10
MATCH_RATE_WEEKS = 8


@dataclass(frozen=True)
class SpendRow:
    vendor_name: str
    currency: str
    amount: Decimal
    entered_on: dt.date


@dataclass(frozen=True)
class OpenInvoice:
    currency: str
    amount: Decimal
    due_date: dt.date


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def spend_by_vendor(rows: list[SpendRow], *, since: dt.date) -> dict[str, list[dict]]:
    """The top vendors by amount invoiced since `since`, per currency."""
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        if row.entered_on >= since:
            totals[row.currency][row.vendor_name] += row.amount
    return {
        currency: [
            {"vendor": name, "amount": str(amount)}
            for name, amount in sorted(
                by_vendor.items(), key=lambda kv: (-kv[1], kv[0])
            )[:TOP_VENDORS]
        ]
        for currency, by_vendor in sorted(totals.items())
    }


def ageing_bucket(due_date: dt.date, today: dt.date) -> str:
    late = (today - due_date).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "1-30"
    if late <= 60:
        return "31-60"
    if late <= 90:
        return "61-90"
    return "90+"


def ageing(invoices: list[OpenInvoice], *, today: dt.date) -> dict[str, dict]:
    """Unpaid invoices by days past due, per currency: count and amount per bucket."""
    result: dict[str, dict] = {}
    for invoice in invoices:
        buckets = result.setdefault(
            invoice.currency,
            {b: {"count": 0, "amount": Decimal(0)} for b in AGEING_BUCKETS},
        )
        bucket = buckets[ageing_bucket(invoice.due_date, today)]
        bucket["count"] += 1
        bucket["amount"] += invoice.amount
    return {
        currency: {
            b: {"count": v["count"], "amount": str(v["amount"])}
            for b, v in buckets.items()
        }
        for currency, buckets in sorted(result.items())
    }


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def match_rate(outcomes: list[tuple[dt.date, str]], *, today: dt.date) -> list[dict]:
    """
    Per week (Monday first) of the last eight, how many reconciliations
    matched and were rejected, and the share matched in percent (None for a
    week without any).
    """
    first = week_start(today) - dt.timedelta(weeks=MATCH_RATE_WEEKS - 1)
    weeks = {
        first + dt.timedelta(weeks=n): {"matched": 0, "rejected": 0}
        for n in range(MATCH_RATE_WEEKS)
    }
    for day, outcome in outcomes:
        week = weeks.get(week_start(day))
        if week is not None and outcome in week:
            week[outcome] += 1
    rows = []
    for start, counts in weeks.items():
        total = counts["matched"] + counts["rejected"]
        rate = round(100 * counts["matched"] / total) if total else None
        rows.append({"week": start.isoformat(), **counts, "rate": rate})
    return rows
