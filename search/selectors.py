"""
The header's search: vendors by name, tax id or bank account, purchase
orders, invoices and payment runs by number. Never a scan: each kind is one
query of its name- or number-sorted index (what starts with the text) and
one or a few queries of the search-token table (any word of a name, any part
of a number: core.search_index), each by the start of its sort key.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.roles import require_reader
from core import search_index
from core.models import SEPARATOR, SearchToken, account_shard, token_shard
from invoicing.numbers import normalise_invoice_number
from invoicing.selectors import invoice_search, invoices_get_many
from payments.selectors import payment_run_search, payment_runs_get_many
from purchasing.selectors import purchase_order_search, purchase_orders_get_many
from vendors.bank_details import can_see_bank_details
from vendors.models import name_key
from vendors.selectors import vendor_search, vendors_get_many

RESULTS_PER_KIND = 10
# Token items read per term looked up: whole terms sort first, so `4` reads
# the records numbered 4 before those numbered 40 to 49, 400 and so on.
TOKENS_READ = 100
# Records read at a time to check against what they hold now.
RECORDS_READ = 25


@dataclass
class SearchHit:
    record: Any
    exact: bool  # the whole name or number, not only its start
    reason: str | None = None  # what matched, when the page does not show it


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
    kind: str  # also the records' SEARCH_KIND in the token table
    title: str
    search: Callable[..., Any]
    get_many: Callable[[set[str]], dict[str, Any]]
    is_exact: Callable[[Any, str], bool]
    identifiers: bool = False  # also found by tax id and bank account


def _same_number(number: str, text: str) -> bool:
    """`PO-2026-4` is PO-2026-000004: the same parts, leading zeros aside."""
    return search_index.query_parts(number) == search_index.query_parts(text)


_KINDS = (
    _Kind(
        "vendors",
        "Vendors",
        vendor_search,
        lambda ids: vendors_get_many(vendor_ids=ids),
        lambda vendor, text: vendor.name_key == name_key(text),
        identifiers=True,
    ),
    _Kind(
        "purchase_orders",
        "Purchase orders",
        purchase_order_search,
        lambda ids: purchase_orders_get_many(po_ids=ids),
        lambda po, text: po.po_number == text.strip().upper()
        or _same_number(po.po_number, text),
    ),
    _Kind(
        "invoices",
        "Invoices",
        invoice_search,
        lambda ids: invoices_get_many(invoice_ids=ids),
        lambda invoice, text: invoice.number_key == normalise_invoice_number(text)
        or _same_number(invoice.invoice_number, text),
    ),
    _Kind(
        "payment_runs",
        "Payment runs",
        payment_run_search,
        lambda ids: payment_runs_get_many(run_ids=ids),
        lambda run, text: run.number == text.strip().upper()
        or _same_number(run.number, text),
    ),
)


def site_search(*, user, text: str) -> list[SearchGroup]:
    """
    Return the kinds with results, those holding an exact match first; within
    a kind, an exact match comes before the records it only begins, and those
    whose name or number starts with the text before those holding it inside.
    """
    require_reader(user)
    accounts = can_see_bank_details(user)
    groups = []
    for kind in _KINDS:
        page = kind.search(text=text, limit=RESULTS_PER_KIND)
        found = _token_search(kind, text, accounts=accounts)
        hits: dict[str, SearchHit] = {}
        for record in page.items:
            hits[record.id] = SearchHit(record, kind.is_exact(record, text))
        for record, reason in found.records:
            if record.id not in hits:
                exact = kind.is_exact(record, text) or reason is not None
                hits[record.id] = SearchHit(record, exact, reason)
        ordered = sorted(hits.values(), key=lambda hit: not hit.exact)
        if ordered:
            more = (
                page.next_cursor is not None
                or found.more
                or len(ordered) > RESULTS_PER_KIND
            )
            groups.append(
                SearchGroup(kind.kind, kind.title, ordered[:RESULTS_PER_KIND], more)
            )
    return sorted(groups, key=lambda group: not group.has_exact)


# --- The token table -----------------------------------------------------------


@dataclass
class _Found:
    records: list[tuple[Any, str | None]]  # with what matched, if not shown
    more: bool


def _record_ids(shard: str, start: str) -> tuple[list[str], bool]:
    """
    Return the ids of records holding a term that begins with `start`, whole
    terms first, and whether those are all of them.
    """
    tokens = SearchToken.query(
        shard,
        SearchToken.term_id.startswith(start),
        limit=TOKENS_READ + 1,
        page_size=TOKENS_READ + 1,
    )
    ids = [token.record_id for token in tokens]
    return list(dict.fromkeys(ids[:TOKENS_READ])), len(ids) <= TOKENS_READ


def _lead(kind: str, parts: list[str]) -> tuple[list[str], bool]:
    """
    Return the records holding the rarest of the query's words, and whether
    more may exist.

    Every record found must hold each word, so one word's complete list holds
    them all: the last word typed is looked up first (in a number, its
    distinctive end), then the longer ones, until one is complete; when every
    word is common, the last one's first records are taken.
    """
    first = None
    for part in [parts[-1], *sorted(parts[:-1], key=len, reverse=True)]:
        ids, complete = _record_ids(token_shard(kind, part), part)
        if complete:
            return ids, False
        if first is None:
            first = ids
    return first or [], True


def _token_search(kind: _Kind, text: str, *, accounts: bool) -> _Found:
    """
    Return the records of `kind` holding every word of `text` at the start of
    one of their terms (or its tax id, or its bank account when the user may
    see bank details), each checked against the record as stored now.
    """
    parts = search_index.query_parts(text)
    compact = search_index.query_compact(text) if kind.identifiers else ""
    digest = search_index.query_account(text) if kind.identifiers and accounts else None
    candidates: dict[str, None] = {}
    more = False
    if parts:
        ids, more = _lead(kind.kind, parts)
        candidates.update(dict.fromkeys(ids))
    if compact and [compact] != parts:  # `DE 123 456 789`: one tax id
        ids, complete = _record_ids(token_shard(kind.kind, compact), compact)
        candidates.update(dict.fromkeys(ids))
        more = more or not complete
    if digest:
        ids, _ = _record_ids(account_shard(kind.kind), digest + SEPARATOR)
        candidates.update(dict.fromkeys(ids))

    found: list[tuple[Any, str | None]] = []
    exact: list[tuple[Any, str | None]] = []
    ids = list(candidates)
    for start in range(0, len(ids), RECORDS_READ):
        chunk = ids[start : start + RECORDS_READ]
        records = kind.get_many(set(chunk))
        for record_id in chunk:
            # A record gone or renamed since its tokens were read is skipped.
            record = records.get(record_id)
            matched = record is not None and _matched(record, parts, compact, digest)
            if matched is not False:
                terms = record.search_terms()
                whole = matched is not None or search_index.terms_exact(terms, parts)
                (exact if whole else found).append((record, matched))
        if len(exact) + len(found) > RESULTS_PER_KIND:
            more = True
            break
    return _Found(exact + found, more)


def _matched(record, parts: list[str], compact: str, digest: str | None):
    """
    Return False when `record` does not match now, else None for a match by
    its words, or the field matched when the page does not show it.
    """
    terms = record.search_terms()
    if digest and digest in terms.accounts:
        return "bank account"
    if compact and compact in search_index.identifier_terms(record.tax_id):
        return "tax id"
    if parts and search_index.terms_match(terms, parts):
        return None
    if compact and search_index.terms_match(terms, [compact]):
        return None
    return False
