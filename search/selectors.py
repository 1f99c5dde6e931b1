"""
The header's search: vendors by name, purchase orders, invoices and payment
runs by number. Each kind is one query of a name- or number-sorted index
(never a scan), read from its app's selector.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.roles import require_reader
from invoicing.numbers import normalise_invoice_number
from invoicing.selectors import invoice_search
from payments.selectors import payment_run_search
from purchasing.selectors import purchase_order_search
from vendors.models import name_key
from vendors.selectors import vendor_search

RESULTS_PER_KIND = 10


@dataclass
class SearchHit:
    record: Any
    exact: bool  # the whole name or number, not only its start


@dataclass
class SearchGroup:
    kind: str  # names the partial that renders the rows: search/_<kind>.html
    title: str
    hits: list[SearchHit]
    more: bool  # more records start with the text than are listed

    @property
    def has_exact(self) -> bool:
        return any(hit.exact for hit in self.hits)


@dataclass(frozen=True)
class _Kind:
    kind: str
    title: str
    search: Callable[..., Any]
    is_exact: Callable[[Any, str], bool]


_KINDS = (
    _Kind(
        "vendors",
        "Vendors",
        vendor_search,
        lambda vendor, text: vendor.name_key == name_key(text),
    ),
    _Kind(
        "purchase_orders",
        "Purchase orders",
        purchase_order_search,
        lambda po, text: po.po_number == text.strip().upper(),
    ),
    _Kind(
        "invoices",
        "Invoices",
        invoice_search,
        lambda invoice, text: invoice.number_key == normalise_invoice_number(text),
    ),
    _Kind(
        "payment_runs",
        "Payment runs",
        payment_run_search,
        lambda run, text: run.number == text.strip().upper(),
    ),
)


def site_search(*, user, text: str) -> list[SearchGroup]:
    """
    Return the kinds with results, those holding an exact match first; within
    a kind, an exact match comes before the records it only begins.
    """
    require_reader(user)
    groups = []
    for kind in _KINDS:
        page = kind.search(text=text, limit=RESULTS_PER_KIND)
        if page.items:
            hits = [SearchHit(item, kind.is_exact(item, text)) for item in page.items]
            groups.append(
                SearchGroup(kind.kind, kind.title, hits, page.next_cursor is not None)
            )
    return sorted(groups, key=lambda group: not group.has_exact)
