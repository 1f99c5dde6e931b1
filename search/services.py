"""
The one write of the search app: bringing the search-token table in line
with the records, for records stored before it existed (or before a change
of how terms are spelled). Every other token is written by the record's own
transaction (core.writes.search_index_change).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.exports import every_item
from core.models import SEPARATOR, SearchToken
from invoicing.selectors import invoice_list, invoices_get_many
from payments.selectors import payment_run_list, payment_runs_get_many
from purchasing.selectors import purchase_order_list, purchase_orders_get_many
from vendors.selectors import vendor_list, vendors_get_many

# Each searchable kind: every record (through its list's index, page by page)
# and a read of some by id.
_KINDS: dict[str, tuple[Callable[[], Iterable[Any]], Callable[[set[str]], dict]]] = {
    "vendors": (
        lambda: every_item(vendor_list),
        lambda ids: vendors_get_many(vendor_ids=ids),
    ),
    "purchase_orders": (
        lambda: every_item(purchase_order_list),
        lambda ids: purchase_orders_get_many(po_ids=ids),
    ),
    "invoices": (
        lambda: every_item(invoice_list),
        lambda ids: invoices_get_many(invoice_ids=ids),
    ),
    "payment_runs": (
        lambda: every_item(payment_run_list),
        lambda ids: payment_runs_get_many(run_ids=ids),
    ),
}


@dataclass
class Backfill:
    records: int
    added: int  # tokens a record lacked
    removed: int  # tokens of a name or number no record has any more


def _tokens(record) -> list[SearchToken]:
    return SearchToken.of(record.SEARCH_KIND, record.id, record.search_terms())


def search_index_backfill(*, dry_run: bool = False) -> Backfill:
    """
    Write every record's missing search tokens and delete tokens no record holds.

    Reads every record and the whole token table once: an operator's one-off
    (`manage.py index_search`, also run by `make run`), never a request, and
    safe to run again. A token looking stale is deleted only if its record,
    read again, does not hold it: one written meanwhile stays.
    """
    expected: dict[tuple[str, str], SearchToken] = {}
    records = 0
    for every, _ in _KINDS.values():
        for record in every():
            records += 1
            expected.update({(t.shard, t.term_id): t for t in _tokens(record)})

    stored, suspects = set(), []
    for token in SearchToken.scan():
        key = (token.shard, token.term_id)
        if key in expected:
            stored.add(key)
        else:
            suspects.append(token)
    missing = [expected[key] for key in expected.keys() - stored]
    stale = _still_stale(suspects)
    if not dry_run:
        with SearchToken.batch_write() as batch:
            for token in missing:
                batch.save(token)
            for token in stale:
                batch.delete(token)
    return Backfill(records=records, added=len(missing), removed=len(stale))


def _still_stale(tokens: list[SearchToken]) -> list[SearchToken]:
    """Return the tokens their record, read now, does not hold."""
    by_kind: dict[str, list[SearchToken]] = defaultdict(list)
    for token in tokens:
        by_kind[token.shard.split(SEPARATOR, 1)[0]].append(token)
    stale = []
    for kind, kind_tokens in by_kind.items():
        ids = sorted({token.record_id for token in kind_tokens})
        current: set[tuple[str, str]] = set()
        for start in range(0, len(ids) if kind in _KINDS else 0, 100):
            for record in _KINDS[kind][1](set(ids[start : start + 100])).values():
                current.update((t.shard, t.term_id) for t in _tokens(record))
        stale += [t for t in kind_tokens if (t.shard, t.term_id) not in current]
    return stale
