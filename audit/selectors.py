"""Reads of the audit trail, always through an index."""

from audit.entries import entity_key
from audit.models import AuditEntry
from p2p_site import dynamo


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
