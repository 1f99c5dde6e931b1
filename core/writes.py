"""
The shared shape of every audited write: one conditional transaction holding
a record's change and its audit entry, and the pause before a retry.

The audit entry is written by the audit app's journal (the hash-chained
append), which registers itself here when Django starts
(`audit.apps.AuditConfig.ready`): the ground floor writes entries without
knowing what they are.
"""

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from core.dynamo import write_transaction
from core.errors import StaleRecord
from core.models import SearchToken

# How many times a service re-reads and tries again after losing a race.
MAX_ATTEMPTS = 8

_journal: Callable[[Any, Sequence[Any]], None] | None = None


def journal_register(add_entries: Callable[[Any, Sequence[Any]], None]) -> None:
    """Set what adds audit entries to a transaction: `add_entries(transaction, entries)`."""
    global _journal
    _journal = add_entries


def journal_add(transaction, entries: Sequence[Any]) -> None:
    """Add audit entries to `transaction` through the registered journal."""
    if _journal is None:
        raise ImproperlyConfigured(
            "No audit journal is registered: add 'audit' to INSTALLED_APPS."
        )
    _journal(transaction, entries)


def audited_update_add(
    transaction, record, updates: Mapping[str, Any], *, entry, condition=None
) -> Callable[[], None]:
    """
    Add the update of `record` (conditioned on its version as read, and on
    `condition`) and its audit `entry` to the caller's transaction; return
    what sets `updates` on `record` once the transaction has committed.

    `entry` may be a list: a change and what followed from it in the same
    write (a receipt, then the PO closing), chained in that order.
    """
    updates = dict(updates)
    transaction.update_fields(record, updates, condition=condition)
    journal_add(transaction, entry if isinstance(entry, list) else [entry])
    fields = getattr(record, "SEARCH_FIELDS", None)
    if hasattr(record, "search_terms") and (fields is None or fields & updates.keys()):
        # Every audited change of what a searchable record is found by (any
        # change, where its model declares no SEARCH_FIELDS): a rename can
        # never leave search finding the old name.
        search_index_change(transaction, before=record, after=_Updated(record, updates))

    def committed() -> None:
        for field, value in updates.items():
            setattr(record, field, value)

    return committed


def audited_update(record, updates: Mapping[str, Any], *, entry, condition=None):
    """
    Update `record` and write its audit `entry` in one transaction, both or
    neither; return `record` with `updates` applied. A changed version or a
    failed `condition` raises StaleRecord and changes nothing.
    """
    with write_transaction() as transaction:
        committed = audited_update_add(
            transaction, record, updates, entry=entry, condition=condition
        )
    committed()
    return record


def with_updates(record, updates: Mapping[str, Any]):
    """A copy of `record` with `updates` applied, `record` itself unchanged (audit's after)."""
    copy = type(record).from_raw_data(record.serialize())
    for field, value in updates.items():
        setattr(copy, field, value)
    return copy


class _Updated:
    """
    `record` as it reads with `updates` applied, for its search terms: a
    view, not a copy (copying a record through its stored form cost the
    reconciliation job more CPU than matching the invoice).
    """

    def __init__(self, record, updates: Mapping[str, Any]):
        self._record, self._updates = record, updates

    def __getattr__(self, name: str):
        if name in self._updates:
            return self._updates[name]
        # Methods and properties read the updated values, not the record's.
        member = getattr(type(self._record), name, None)
        if isinstance(member, property):
            return member.fget(self)
        if (
            callable(member)
            and hasattr(member, "__get__")
            and not isinstance(member, type)
        ):
            return member.__get__(self)
        return getattr(self._record, name)


def search_index_change(transaction, *, before=None, after=None) -> None:
    """
    Add to `transaction` the search tokens a record gains and delete those it
    loses: `before` None for a new record, `after` None for a deleted one.

    A searchable record's model has `SEARCH_KIND` and `search_terms()`
    (core.search_index); a change touching neither name nor number adds
    nothing to the transaction.
    """
    record = after if after is not None else before
    kind, record_id = record.SEARCH_KIND, record.id

    def tokens(version) -> dict[tuple[str, str], SearchToken]:
        if version is None:
            return {}
        items = SearchToken.of(kind, record_id, version.search_terms())
        return {(item.shard, item.term_id): item for item in items}

    if before is not None and after is not None:
        if before.search_terms() == after.search_terms():
            return  # the change touches neither name nor number
    old, new = tokens(before), tokens(after)
    for key in old.keys() - new.keys():
        transaction.delete(old[key])
    for key in new.keys() - old.keys():
        transaction.save(new[key])


def retry_pause(attempt: int) -> None:
    """Wait a little before retry `attempt` + 1: longer each time, never in step."""
    time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))


def derived_keys_backfill(
    items: Iterable[Any],
    change: Callable[[Any], tuple[Any, list, Any] | None],
    *,
    dry_run: bool = False,
) -> int:
    """
    Give records stored before an index existed their keys: `change(item)`
    returns the record to update (the item, or its key-only model), the
    update actions and the condition they are written on, or None when the
    item needs none. Return how many needed them.

    An operator's one-off (the `index_*` commands). The keys are derived data,
    like an index, so no audit entry is written; an item changed meanwhile
    (its condition fails) got its keys from the write that changed it.
    """
    count = 0
    for item in items:
        if (wanted := change(item)) is None:
            continue
        count += 1
        if dry_run:
            continue
        record, actions, condition = wanted
        try:
            with write_transaction() as transaction:
                transaction.update(record, actions=actions, condition=condition)
        except StaleRecord:
            continue
    return count
