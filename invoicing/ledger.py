"""
Reads of the AP sub-ledger (issue 16): a vendor's ledger rows and open items
through `vendor-ledger-index`, every open item through `open-amounts-index`.
Each is an index query (a key range, a sparse partition), never a scan.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from core.dynamo import decode_cursor, encode_cursor
from invoicing.models import OPEN_LISTING, Invoice, LedgerEntry

# What a ledger row, an open item and a balance need of a document.
OPEN_ITEM_ATTRIBUTES = [
    "id",
    "ledger_vendor",
    "posting_key",
    "posting_date",
    "currency",
    "document_type",
    "invoice_number",
    "total_amount",
    "credit_open_amount",
    "due_date",
    "status",
    "open_listing",
]


def _period_condition(start: str | None, end: str | None):
    """The posting keys of `start`..`end` (ISO dates, either open-ended)."""
    key = LedgerEntry.posting_key
    # "<date>#<id>": "$" sorts right after "#", so `end$` takes in its last day.
    if start and end:
        return key.between(start, f"{end}$")
    if start:
        return key >= start
    if end:
        return key <= f"{end}$"
    return None


@dataclass
class LedgerPage:
    entries: list[LedgerEntry]
    next_key: dict[str, Any] | None  # None: the last page
    carried: dict[str, Any] | None  # what the previous page handed on
    scope: str

    def next_cursor(self, carry: dict[str, Any]) -> str | None:
        """The next page's cursor, handing `carry` (a running balance) on to it."""
        if self.next_key is None:
            return None
        return encode_cursor({"key": self.next_key, "carry": carry}, scope=self.scope)


def ledger_entries_page(
    *,
    vendor_id: str,
    start: str | None = None,
    end: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    newest_first: bool = False,
) -> LedgerPage:
    """
    One page of a vendor's ledger (documents, payments, reversals) posted on
    `start`..`end`, in posting order; `carried` is what the cursor's page
    handed on (None on the first page).
    """
    scope = f"ledger:{vendor_id}:{start}:{end}:{newest_first}"
    payload = decode_cursor(cursor, scope=scope)
    results = LedgerEntry.ledger_index.query(
        vendor_id,
        range_key_condition=_period_condition(start, end),
        scan_index_forward=not newest_first,
        last_evaluated_key=payload.get("key") if payload else None,
        page_size=limit + 1,
    )
    entries, next_key = [], None
    for entry in results:
        if len(entries) == limit:
            break
        entries.append(entry)
        next_key = results.last_evaluated_key
    else:
        next_key = None
    return LedgerPage(
        entries=entries,
        next_key=next_key,
        carried=payload.get("carry") if payload else None,
        scope=scope,
    )


def ledger_entries_between(
    *, vendor_id: str, start: str | None = None, end: str | None = None
) -> Iterator[LedgerEntry]:
    """Every ledger entry of a vendor posted on `start`..`end`, oldest first."""
    yield from LedgerEntry.ledger_index.query(
        vendor_id,
        range_key_condition=_period_condition(start, end),
        scan_index_forward=True,
    )


def ledger_entries_after(*, vendor_id: str, end: str) -> Iterator[LedgerEntry]:
    """Every ledger entry of a vendor posted after the day `end`."""
    yield from LedgerEntry.ledger_index.query(
        vendor_id, range_key_condition=LedgerEntry.posting_key > f"{end}$"
    )


def vendor_open_items(*, vendor_id: str) -> list[LedgerEntry]:
    """
    A vendor's open items (posted, not yet paid, applied nor void), by due
    date: the vendor's key of the sparse `vendor-open-items-index`, which
    holds only what is open, however long the vendor's history.
    """
    items = LedgerEntry.open_items_index.query(
        vendor_id, attributes_to_get=OPEN_ITEM_ATTRIBUTES
    )
    return sorted(items, key=lambda item: (item.due_date or "", item.posting_key))


def open_items(*, due_by: str | None = None) -> Iterator[Invoice]:
    """
    Every open item, by due date (those due by `due_by` when given): the
    sparse open-items partition, only what the ageing summary needs.
    """
    condition = Invoice.due_date <= due_by if due_by else None
    yield from Invoice.open_items_index.query(
        OPEN_LISTING, range_key_condition=condition
    )
