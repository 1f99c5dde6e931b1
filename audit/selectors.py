"""Reads of the audit trail, always through an index."""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, require_role
from audit.chain import chain_problems
from audit.entries import entity_key
from audit.models import LISTING, AuditAction, AuditChainHead, AuditEntry
from audit.registry import record_kinds
from core import dynamo
from core.errors import NotFound
from core.exports import Export, every_item


def audit_history(
    *, entity_type: str, entity_id: str, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return one record's audit entries, newest first."""
    return dynamo.query_page(
        AuditEntry.entity_index,
        entity_key(entity_type, entity_id),
        cursor=cursor,
        limit=limit,
    )


def record_not_found(*, entity_type: str, entity_id: str) -> NotFound:
    """
    The refusal for a record id that reads nothing. When the record was
    deleted, it says when and by whom and links to its kept history (one
    query, on this path only).
    """
    kind = record_kinds()[entity_type]
    for entry in audit_history(
        entity_type=entity_type, entity_id=entity_id, limit=1
    ).items:
        if entry.action == AuditAction.DELETE:
            return NotFound(
                f"{kind} {entry.record_label} was deleted on "
                f"{timezone.localtime(entry.timestamp):%Y-%m-%d %H:%M} by "
                f"{entry.user_id}. Its history is kept in the audit trail.",
                {"history_url": reverse(
                    "audit:entity-history", args=[entity_type, entity_id]
                )},
            )  # fmt: skip
    return NotFound(f"There is no {kind.lower()} with id '{entity_id}'.")


EXPORT_HEADER = [
    "When", "Who", "Action", "Type", "Record type", "Record", "Record id",
    "What changed", "Details (JSON)", "Entry id",
]  # fmt: skip


def audit_history_export(*, entity_type: str, entity_id: str) -> Export:
    """Return one record's every audit entry, newest first, for download."""
    entries = every_item(audit_history, entity_type=entity_type, entity_id=entity_id)
    return Export(
        name=f"history-{entity_type}-{entity_id}",
        header=EXPORT_HEADER,
        rows=_export_rows(entries),
    )


def _export_rows(entries: Iterable[AuditEntry]) -> Iterator[list]:
    for e in entries:
        yield [
            e.timestamp, e.user_id, e.action, e.type, e.entity_type, e.record_label,
            e.entity_id, _changes_text(e), e.details_json, e.id,
        ]  # fmt: skip


def _changes_text(entry: AuditEntry) -> str:
    """The entry's changes as one line, as the history page lists them."""
    parts = []
    for row in entry.change_rows:
        before, after = row["before"], row["after"]
        if before is not None and after is not None:
            parts.append(f"{row['field']}: {before} → {after}")
        else:
            parts.append(f"{row['field']}: {after if after is not None else before}")
    return "; ".join(parts)


def audit_entry_get(*, user, entry_id: str) -> AuditEntry | None:
    """Return one audit entry (Auditor); the chain heads kept in its table are none."""
    require_role(user, Role.AUDITOR, action="browse the audit trail")
    if not entry_id or len(entry_id) > 100:
        return None
    try:
        entry = AuditEntry.get(entry_id)
    except AuditEntry.DoesNotExist:
        return None
    return entry if entry.entity_key is not None else None


def audit_entry_list(
    *,
    user,
    entity_type: str | None = None,
    entity_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dynamo.Page:
    """
    Return audit entries matching the filters, newest first (Auditor).

    The narrowest index answers: one record's history, else one user's
    actions, else one kind of record, else every entry; the date range is
    its key condition, the other filters filter within it.
    """
    require_role(user, Role.AUDITOR, action="browse the audit trail")
    dates = dynamo.days_between(
        AuditEntry.timestamp, date_from, date_to, to_field="date_to"
    )
    if entity_id and entity_type:
        index, key = AuditEntry.entity_index, entity_key(entity_type, entity_id)
        filters = [AuditEntry.user_id == user_id if user_id else None]
    elif user_id:
        index, key = AuditEntry.user_index, user_id
        filters = [AuditEntry.entity_type == entity_type if entity_type else None]
    elif entity_type:
        index, key = AuditEntry.type_index, entity_type
        filters = []
    else:
        index, key = AuditEntry.listing_index, LISTING
        filters = []
    if action:
        filters.append(AuditEntry.action == action)
    return dynamo.query_page(
        index,
        key,
        range_key_condition=dates,
        filter_condition=dynamo.all_of(*[f for f in filters if f is not None]),
        cursor=cursor,
        limit=limit,
        scope="|".join(
            str(v or "") for v in (entity_type, user_id, action, date_from, date_to)
        ),
    )


def audit_entry_export(
    *,
    user,
    entity_type: str | None = None,
    entity_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Export:
    """Return every entry the audit browser shows with these filters (Auditor)."""
    require_role(user, Role.AUDITOR, action="export the audit trail")
    entries = every_item(
        audit_entry_list,
        user=user,
        entity_type=entity_type,
        entity_id=entity_id,
        user_id=user_id,
        action=action,
        date_from=date_from,
        date_to=date_to,
    )
    return Export(name="audit-trail", header=EXPORT_HEADER, rows=_export_rows(entries))


def audit_records_touched(
    *, entity_type: str, since: dt.datetime | None = None
) -> Iterator[str]:
    """Ids of the records of one kind with entries since `since`, each once."""
    condition = AuditEntry.timestamp >= since if since else None
    seen = set()
    for entry in AuditEntry.type_index.query(
        entity_type, range_key_condition=condition
    ):
        if entry.entity_id not in seen:
            seen.add(entry.entity_id)
            yield entry.entity_id


def audit_records_with_chains(*, entity_type: str) -> Iterator[str]:
    """
    Ids of the records of one kind that have a chain head, even if every
    entry of theirs is gone (for `verify_audit`, an operations command: it
    reads the heads with a filtered scan, which no request ever does).
    """
    prefix = AuditChainHead.key(entity_key(entity_type, ""))
    for head in AuditChainHead.scan(AuditChainHead.id.startswith(prefix)):
        yield head.id[len(prefix) :]


def audit_chain(
    *, entity_type: str, entity_id: str
) -> tuple[list, AuditChainHead | None]:
    """
    One record's chain head, then its entries (oldest first).

    The head is read first, so an entry the application writes meanwhile
    shows as one beyond the head's length; `audit_chains_verify` reads
    again before calling that an insertion.
    """
    key = entity_key(entity_type, entity_id)
    try:
        head = AuditChainHead.get(AuditChainHead.key(key), consistent_read=True)
    except AuditChainHead.DoesNotExist:
        head = None
    entries = list(AuditEntry.entity_index.query(key, scan_index_forward=True))
    return entries, head


@dataclass
class ChainReport:
    records: int = 0
    entries: int = 0
    unchained: int = 0  # written before chaining existed
    problems: list[str] = field(default_factory=list)


def audit_chains_verify(
    *,
    entity_types: tuple[str, ...] | None = None,
    since: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ChainReport:
    """
    Recompute the hash chain of every record with entries since `since` (all
    records when None) and report each entry altered, removed or inserted.
    `entity_types` None checks every registered kind of record.
    """
    report = ChainReport()
    for entity_type in entity_types or tuple(record_kinds()):
        records = dict.fromkeys(
            audit_records_touched(entity_type=entity_type, since=since)
        )
        if since is None:  # also the records whose every entry was removed
            records.update(
                dict.fromkeys(audit_records_with_chains(entity_type=entity_type))
            )
        for entity_id in records:
            entries, head = audit_chain(entity_type=entity_type, entity_id=entity_id)
            if head is not None and any((e.seq or 0) > head.length for e in entries):
                # Written while we read? Read again: the head moves with it.
                entries, head = audit_chain(
                    entity_type=entity_type, entity_id=entity_id
                )
            beyond = [
                e for e in entries if head is not None and (e.seq or 0) > head.length
            ]
            entries = [e for e in entries if e not in beyond]
            chained = [e for e in entries if e.seq is not None]
            unchained = [e for e in entries if e.seq is None]
            report.records += 1
            report.entries += len(entries)
            problems = chain_problems(
                chained,
                head_length=head.length if head else None,
                head_hash=head.last_hash if head else None,
            )
            # Entries before the chain began are legacy; one dated after it
            # began was slipped in without a link.
            started = min((e.timestamp for e in chained), default=None)
            for entry in unchained:
                if started is not None and entry.timestamp >= started:
                    problems.append(
                        f"entry {entry.id} ({entry.action} at "
                        f"{entry.timestamp:%Y-%m-%d %H:%M:%S}): inserted without "
                        "a chain link"
                    )
                else:
                    report.unchained += 1
            problems += [
                f"entry {e.id} (#{e.seq}): inserted beyond the chain's head"
                for e in beyond
            ]
            for problem in problems:
                report.problems.append(f"{entity_type} {entity_id}: {problem}")
            if progress:
                progress(f"{entity_type} {entity_id}")
    return report


def audit_details_since(
    *, entity_type: str, actions: tuple[str, ...], since: dt.datetime
) -> Iterator[tuple[dt.datetime, dict]]:
    """
    The time and details of every entry of `actions` about records of
    `entity_type` since `since`, from the type index (only those attributes
    are read).
    """
    for entry in AuditEntry.type_index.query(
        entity_type,
        range_key_condition=AuditEntry.timestamp >= since,
        filter_condition=AuditEntry.action.is_in(*actions),
        attributes_to_get=["timestamp", "details", "entity_key", "id"],
    ):
        yield entry.timestamp, json.loads(entry.details_json)
