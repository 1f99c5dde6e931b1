"""Reads of the audit trail, always through an index."""

from audit.entries import entity_key
from audit.models import AuditEntry
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


def audit_history_export(*, entity_type: str, entity_id: str) -> Export:
    """Return one record's every audit entry, newest first, for download."""
    entries = every_item(audit_history, entity_type=entity_type, entity_id=entity_id)
    return Export(
        name=f"history-{entity_type}-{entity_id}",
        header=[
            "When", "Who", "Action", "Type", "Record type", "Record id",
            "What changed", "Details (JSON)", "Entry id",
        ],
        rows=(
            [
                e.timestamp, e.user_id, e.action, e.type, e.entity_type,
                e.entity_id, _changes_text(e), e.details_json, e.id,
            ]
            for e in entries
        ),
    )  # fmt: skip


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
