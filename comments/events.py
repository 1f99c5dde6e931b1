"""The audit event of a comment, on its record's own trail."""

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry


def comment_added_event(*, comment, user, label: str) -> AuditEntry:
    """`user` commented on the record `label` names."""
    return audit_entry(
        entity_type=comment.entity_type,
        entity_id=comment.record_id,
        action=AuditAction.COMMENT,
        user=user,
        details={
            "comment_id": comment.id,
            "text": comment.text,
            "mentions": list(comment.mentions),
        },
        label=label,
    )
