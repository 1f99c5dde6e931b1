"""Reads of the audit trail, always through an index."""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from accounts.roles import Role, require_role
from audit.chain import chain_problems
from audit.entries import entity_key
from audit.models import LISTING, AuditChainHead, AuditEntry
from p2p_site import dynamo
from p2p_site.exports import Export, every_item


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


EXPORT_HEADER = [
    "When", "Who", "Action", "Type", "Record type", "Record id", "What changed",
    "Details (JSON)", "Entry id",
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
            e.timestamp, e.user_id, e.action, e.type, e.entity_type, e.entity_id,
            _changes_text(e), e.details_json, e.id,
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


def audit_chain(
    *, entity_type: str, entity_id: str
) -> tuple[list, AuditChainHead | None]:
    """Every entry of one record (oldest first) and its chain head, read consistently where possible."""
    key = entity_key(entity_type, entity_id)
    entries = list(AuditEntry.entity_index.query(key, scan_index_forward=True))
    try:
        head = AuditChainHead.get(AuditChainHead.key(key), consistent_read=True)
    except AuditChainHead.DoesNotExist:
        head = None
    return entries, head


# Every kind of record that writes audit entries.
AUDITED_TYPES = (
    "vendor",
    "purchase_order",
    "invoice",
    "payment_run",
    "reconciliation_job",
)


@dataclass
class ChainReport:
    records: int = 0
    entries: int = 0
    unchained: int = 0  # written before chaining existed
    problems: list[str] = field(default_factory=list)


def audit_chains_verify(
    *,
    entity_types: tuple[str, ...] = AUDITED_TYPES,
    since: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ChainReport:
    """
    Recompute the hash chain of every record with entries since `since` (all
    records when None) and report each entry altered, removed or inserted.
    """
    report = ChainReport()
    for entity_type in entity_types:
        for entity_id in audit_records_touched(entity_type=entity_type, since=since):
            entries, head = audit_chain(entity_type=entity_type, entity_id=entity_id)
            chained = [e for e in entries if e.seq is not None]
            report.records += 1
            report.entries += len(entries)
            report.unchained += len(entries) - len(chained)
            for problem in chain_problems(
                chained,
                head_length=head.length if head else None,
                head_hash=head.last_hash if head else None,
            ):
                report.problems.append(f"{entity_type} {entity_id}: {problem}")
            if progress:
                progress(f"{entity_type} {entity_id}")
    return report


def reconcile_outcomes_since(*, since: dt.datetime) -> Iterator[tuple[dt.date, str]]:
    """Every reconciliation's day and outcome since `since`, from the type index."""
    for entry in AuditEntry.type_index.query(
        "invoice",
        range_key_condition=AuditEntry.timestamp >= since,
        filter_condition=AuditEntry.action.is_in("RECONCILE", "BATCH_RECONCILE"),
        attributes_to_get=["timestamp", "details", "entity_key", "id"],
    ):
        outcome = json.loads(entry.details_json).get("outcome")
        yield entry.timestamp.date(), outcome
