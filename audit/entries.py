"""
Builders for audit entries: small keyword-only functions, one per kind of record.

A service builds the entry and saves it in the same TransactWrite as its
change with `audit_entry_add`, which never overwrites an entry.
"""

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditAction, AuditEntry, AuditType
from p2p_site import dynamo


def entity_key(entity_type: str, entity_id: str) -> str:
    return f"{entity_type}#{entity_id}"


def actor_id(user) -> str:
    """The name the audit trail records for a user (or a job's fixed name)."""
    if isinstance(user, str):
        return user
    return user.get_username()


def audit_entry(
    *,
    type: AuditType,
    action: AuditAction,
    entity_type: str,
    entity_id: str,
    user,
    details: dict[str, Any],
) -> AuditEntry:
    """Build (not save) an audit entry."""
    return AuditEntry(
        id=str(uuid.uuid4()),
        type=str(type),
        action=str(action),
        entity_type=entity_type,
        entity_id=entity_id,
        entity_key=entity_key(entity_type, entity_id),
        user_id=actor_id(user),
        timestamp=dynamo.utcnow(),
        details_json=json.dumps(details, cls=DjangoJSONEncoder, sort_keys=True),
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict]:
    """Return `{"before": {...}, "after": {...}}` holding only the fields that differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {
        "before": {k: before.get(k) for k in keys},
        "after": {k: after.get(k) for k in keys},
    }


def vendor_entry(
    *, action: AuditAction, vendor_id: str, user, details: dict[str, Any]
) -> AuditEntry:
    return audit_entry(
        type=AuditType.VENDOR_ACTION,
        action=action,
        entity_type="vendor",
        entity_id=vendor_id,
        user=user,
        details=details,
    )


def purchase_order_entry(
    *, action: AuditAction, po_id: str, user, details: dict[str, Any]
) -> AuditEntry:
    return audit_entry(
        type=AuditType.PO_ACTION,
        action=action,
        entity_type="purchase_order",
        entity_id=po_id,
        user=user,
        details=details,
    )


def invoice_entry(
    *, action: AuditAction, invoice_id: str, user, details: dict[str, Any]
) -> AuditEntry:
    return audit_entry(
        type=AuditType.INVOICE_ACTION,
        action=action,
        entity_type="invoice",
        entity_id=invoice_id,
        user=user,
        details=details,
    )


def payment_run_entry(
    *, action: AuditAction, run_id: str, user, details: dict[str, Any]
) -> AuditEntry:
    return audit_entry(
        type=AuditType.PAYMENT_ACTION,
        action=action,
        entity_type="payment_run",
        entity_id=run_id,
        user=user,
        details=details,
    )


def audit_entry_add(transaction, entry: AuditEntry) -> None:
    """Add the entry to the change's transaction; an existing entry is never overwritten."""
    transaction.save(entry, condition=AuditEntry.id.does_not_exist())
