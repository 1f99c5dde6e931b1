"""
Reads of the AP sub-ledger for finance staff: a vendor's ledger (rows with a
running balance exact across pages, open items, ageing) and the AP ageing
report from its kept summary.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accounts.roles import Role, require_role
from core.days import site_today
from core.errors import NotFound
from core.exports import Export, iso_date
from core.money import round_money
from invoicing.ledger import (
    ledger_entries_after,
    ledger_entries_between,
    ledger_entries_page,
    vendor_open_items,
)
from invoicing.models import AgeingSummary, LedgerEntry
from invoicing.posting import open_amount
from reports import rules
from vendors.selectors import vendor_get_or_404

FINANCE_ROLES = (Role.AP_CLERK, Role.TREASURER, Role.APPROVER, Role.AUDITOR)


def require_finance(user, *, action: str = "read the AP sub-ledger") -> None:
    """Refuse anyone but finance staff (AP Clerk, Treasurer, Approver, Auditor, Admin)."""
    require_role(user, *FINANCE_ROLES, action=action)


def facts(entry: LedgerEntry) -> rules.LedgerEntryFacts:
    """What the rules need of a stored entry or posted document."""
    kind = entry.kind.value
    if kind in (rules.INVOICE, rules.CREDIT_NOTE):
        return rules.LedgerEntryFacts(
            kind=kind,
            date=entry.posting_date,
            reference=entry.invoice_number,
            currency=entry.currency,
            amount=entry.total_amount,
            document_id=entry.id,
        )
    return rules.LedgerEntryFacts(
        kind=kind,
        date=entry.posting_date,
        reference=entry.reference or "",
        currency=entry.currency,
        amount=entry.amount or rules.ZERO,
        discount=entry.discount or rules.ZERO,
        reversed_kind=entry.document_type,
        document_id=entry.document_id,
    )


@dataclass
class OpenItem:
    document_id: str
    document: str  # invoice, credit_note
    reference: str
    posting_date: str
    due_date: str
    currency: str
    amount: Decimal  # open amount: negative for a credit note
    bucket: str

    @property
    def label(self) -> str:
        return rules.DOCUMENT_LABELS[self.document]

    @property
    def bucket_label(self) -> str:
        return rules.BUCKET_LABELS[self.bucket]


def _open_items(vendor_id: str, *, as_of: dt.date) -> list[OpenItem]:
    return [
        OpenItem(
            document_id=item.id,
            document=item.kind.value,
            reference=item.invoice_number,
            posting_date=item.posting_date,
            due_date=item.due_date,
            currency=item.currency,
            amount=round_money(open_amount(item), item.currency),
            bucket=rules.ageing_bucket(dt.date.fromisoformat(item.due_date), as_of),
        )
        for item in vendor_open_items(vendor_id=vendor_id)
    ]


@dataclass
class VendorLedger:
    vendor: Any
    rows: list[rules.LedgerRow]
    next_cursor: str | None
    newest_first: bool
    start: str | None
    end: str | None
    opening: dict[str, Decimal]  # the balance before the rows (oldest first)
    open_items: list[OpenItem]
    balance: dict[str, Decimal]  # now: minus the open items, per currency
    ageing: dict[str, dict]  # per currency: buckets and total
    as_of: dt.date
    currencies: list[str] = field(default_factory=list)


def _sum_effects(entries) -> dict[str, Decimal]:
    result: dict[str, Decimal] = {}
    for entry in entries:
        entry_facts = facts(entry)
        result[entry_facts.currency] = result.get(
            entry_facts.currency, rules.ZERO
        ) + rules.entry_effect(entry_facts)
    return result


def _minus(a: dict[str, Decimal], b: dict[str, Decimal]) -> dict[str, Decimal]:
    return {c: a.get(c, rules.ZERO) - b.get(c, rules.ZERO) for c in a.keys() | b}


def _decimals(values: dict[str, Any] | None) -> dict[str, Decimal]:
    return {c: Decimal(v) for c, v in (values or {}).items()}


def vendor_ledger(
    *,
    user,
    vendor_id: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
    newest_first: bool = True,
    as_of: dt.date | None = None,
) -> VendorLedger:
    """
    A page of the vendor's ledger posted on `start`..`end` with the running
    balance per currency, its open items and ageing as of `as_of` (today).

    The balance is exact on every page: the first page starts from the
    vendor's balance now (minus its open items) less what was posted after
    the period (newest first), or from that less everything in the period
    (oldest first, the opening balance); each next page's cursor carries
    the balance on.
    """
    require_finance(user)
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    as_of = as_of or site_today()
    first, last = start and start.isoformat(), end and end.isoformat()
    page = ledger_entries_page(
        vendor_id=vendor.id,
        start=first,
        end=last,
        cursor=cursor,
        limit=limit,
        newest_first=newest_first,
    )
    items = _open_items(vendor.id, as_of=as_of)
    balance = rules.balance_of((i.currency, i.amount) for i in items)
    closing = balance
    if last:
        closing = _minus(balance, _sum_effects(ledger_entries_after(
            vendor_id=vendor.id, end=last
        )))  # fmt: skip
    if page.carried is not None:
        start_balances = _decimals(page.carried)
        opening = None
    elif newest_first:
        start_balances = closing
        opening = None
    elif not first:
        # From the vendor's first posting: nothing came before it.
        start_balances = {c: round_money(Decimal(0), c) for c in closing}
        opening = start_balances
    else:
        in_period = _sum_effects(
            ledger_entries_between(vendor_id=vendor.id, start=first, end=last)
        )
        start_balances = _minus(closing, in_period)
        opening = start_balances
    rows, carried = rules.running_rows(
        (facts(e) for e in page.entries),
        balances=start_balances,
        newest_first=newest_first,
    )
    by_currency: dict[str, list] = {}
    for item in items:
        by_currency.setdefault(item.currency, []).append(
            (dt.date.fromisoformat(item.due_date), item.amount)
        )
    ageing = {c: rules.ageing(v, as_of=as_of) for c, v in sorted(by_currency.items())}
    return VendorLedger(
        vendor=vendor,
        rows=rows,
        next_cursor=page.next_cursor({c: str(v) for c, v in carried.items()}),
        newest_first=newest_first,
        start=first,
        end=last,
        opening=opening or {},
        open_items=items,
        balance=balance,
        ageing=ageing,
        as_of=as_of,
        currencies=sorted(balance.keys() | {r.currency for r in rows}),
    )


def vendor_ledger_export(
    *, user, vendor_id: str, start: dt.date | None = None, end: dt.date | None = None
) -> Export:
    """Every row of the vendor's ledger in the period, oldest first, with its balance."""
    require_finance(user)
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    first, last = start and start.isoformat(), end and end.isoformat()
    entries = list(ledger_entries_between(vendor_id=vendor.id, start=first, end=last))
    if first:
        items = _open_items(vendor.id, as_of=site_today())
        balance = rules.balance_of((i.currency, i.amount) for i in items)
        after = (
            _sum_effects(ledger_entries_after(vendor_id=vendor.id, end=last))
            if last
            else {}
        )
        opening = _minus(_minus(balance, after), _sum_effects(entries))
    else:
        # From the vendor's first posting: nothing came before it, so the
        # balance now and what came after the period need not be read.
        opening = {}
    rows, _ = rules.running_rows((facts(e) for e in entries), balances=opening)
    return Export(
        name=f"ledger-{vendor.id}",
        header=[
            "Date",
            "Document",
            "Reference",
            "Currency",
            "Debit",
            "Credit",
            "Balance",
        ],
        rows=(
            [
                iso_date(row.date),
                row.label,
                row.reference,
                row.currency,
                row.debit,
                row.credit,
                row.balance,
            ]
            for row in rows
        ),
    )


# --- The AP ageing report ----------------------------------------------------------


@dataclass
class AgeingReport:
    as_of: dt.date
    currency: str | None
    currencies: list[str]
    # per currency: {"vendors": [...], "buckets": {...}, "total": Decimal}
    by_currency: dict[str, dict]
    computed_at: dt.datetime | None
    items_as_of: dt.date | None  # the day the open items were read
    past: bool  # as_of before the day the items were read


def _summary() -> AgeingSummary | None:
    try:
        return AgeingSummary.get(AgeingSummary.KEY)
    except AgeingSummary.DoesNotExist:
        return None


def ageing_report(
    *, user, as_of: dt.date | None = None, currency: str | None = None
) -> AgeingReport:
    """
    The AP ageing per currency and vendor as of `as_of` (today), from the
    kept summary (`reports.services.ageing_refresh`): one item read, never
    the open items. The summary keeps each vendor's open amounts per due
    date, so any `as_of` re-buckets them exactly; the items are those open
    when it was computed.
    """
    require_finance(user, action="read the AP ageing report")
    as_of = as_of or site_today()
    summary = _summary()
    try:
        figures = summary.figures if summary else {"currencies": {}, "today": None}
    except KeyError:  # a refresh replaced the parts just read: read its head
        summary = _summary()
        figures = summary.figures
    by_currency = {}
    for code, vendors in sorted(figures["currencies"].items()):
        if currency and code != currency:
            continue
        rows = []
        total = rules.empty_buckets()
        for vendor in vendors:
            aged = rules.ageing(
                (
                    (dt.date.fromisoformat(due), Decimal(amount))
                    for due, amount in vendor["due"].items()
                ),
                as_of=as_of,
            )
            for bucket, amount in aged["buckets"].items():
                total[bucket] += amount
            rows.append(
                {
                    "vendor_id": vendor["vendor_id"],
                    "vendor_name": vendor["vendor_name"],
                    "buckets": aged["buckets"],
                    "total": aged["total"],
                    "items": vendor["items"],
                }
            )
        rows.sort(key=lambda r: (r["vendor_name"].casefold(), r["vendor_id"]))
        by_currency[code] = {
            "vendors": rows,
            "buckets": total,
            "total": sum(total.values(), rules.ZERO),
        }
    items_as_of = dt.date.fromisoformat(figures["today"]) if figures["today"] else None
    return AgeingReport(
        as_of=as_of,
        currency=currency,
        currencies=sorted(figures["currencies"]),
        by_currency=by_currency,
        computed_at=summary.computed_at if summary else None,
        items_as_of=items_as_of,
        past=bool(items_as_of and as_of < items_as_of),
    )


def ageing_export(*, user, as_of=None, currency=None) -> Export:
    report = ageing_report(user=user, as_of=as_of, currency=currency)
    header = ["Currency", "Vendor", "Vendor id"]
    header += [rules.BUCKET_LABELS[b] for b in rules.BUCKETS] + ["Total"]

    def rows():
        for code, part in report.by_currency.items():
            for v in part["vendors"]:
                yield (
                    [code, v["vendor_name"], v["vendor_id"]]
                    + [v["buckets"][b] for b in rules.BUCKETS]
                    + [v["total"]]
                )
            yield (
                [code, "Total", ""]
                + [part["buckets"][b] for b in rules.BUCKETS]
                + [part["total"]]
            )

    return Export(name=f"ageing-{report.as_of.isoformat()}", header=header, rows=rows())


def ageing_vendor_items(*, user, vendor_id: str, as_of: dt.date | None = None):
    """The drill-down: a vendor's open items now, aged as of `as_of`."""
    require_finance(user, action="read the AP ageing report")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    if vendor is None:
        raise NotFound(f"There is no vendor with id '{vendor_id}'.")
    return vendor, _open_items(vendor.id, as_of=as_of or site_today())
