"""
The audit entry: one per change, written in the same transaction as the change.

Entries are append-only: the application never updates or deletes them.
"""

import json
from enum import StrEnum

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from p2p_site import dynamo


class AuditType(StrEnum):
    VENDOR_ACTION = "VENDOR_ACTION"
    PO_ACTION = "PO_ACTION"
    INVOICE_ACTION = "INVOICE_ACTION"
    PAYMENT_ACTION = "PAYMENT_ACTION"


class AuditAction(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    SEND = "SEND"
    RECEIVE = "RECEIVE"
    CANCEL = "CANCEL"
    CLOSE = "CLOSE"
    VOID = "VOID"
    RECONCILE = "RECONCILE"
    BATCH_RECONCILE = "BATCH_RECONCILE"
    RECONCILE_ERROR = "RECONCILE_ERROR"
    JOB_COMPLETE = "JOB_COMPLETE"
    EXPORT = "EXPORT"
    CONFIRM = "CONFIRM"
    CONFIRM_BANK_DETAILS = "CONFIRM_BANK_DETAILS"
    # An invoice taken into, paid by or released from a payment run.
    SCHEDULE = "SCHEDULE"
    PAY = "PAY"
    UNSCHEDULE = "UNSCHEDULE"
    ADD_INVOICES = "ADD_INVOICES"
    # An attempt a service refused, kept so the trail shows what was tried.
    REFUSED = "REFUSED"


class EntityIndex(GlobalSecondaryIndex):
    """One record's history, newest first: hash `entity_key`, range `timestamp`."""

    class Meta:
        index_name = "entity-timestamp-index"
        projection = AllProjection()

    entity_key = UnicodeAttribute(hash_key=True)
    timestamp = UTCDateTimeAttribute(range_key=True)


class UserIndex(GlobalSecondaryIndex):
    """What one user did, newest first."""

    class Meta:
        index_name = "user-timestamp-index"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    timestamp = UTCDateTimeAttribute(range_key=True)


@dynamo.register
class AuditEntry(Model):
    Meta = dynamo.table_meta("AuditLogTable")

    id = UnicodeAttribute(hash_key=True)
    type = UnicodeAttribute()
    action = UnicodeAttribute()
    entity_type = UnicodeAttribute()
    entity_id = UnicodeAttribute()
    # "<entity_type>#<entity_id>", the history index's partition.
    entity_key = UnicodeAttribute()
    user_id = UnicodeAttribute()
    timestamp = UTCDateTimeAttribute()
    # JSON text: amounts stay exact strings, and DynamoDB never turns them into floats.
    details_json = UnicodeAttribute(attr_name="details")

    entity_index = EntityIndex()
    user_index = UserIndex()

    @property
    def details(self) -> dict:
        return json.loads(self.details_json)

    @property
    def change_rows(self) -> list[dict]:
        """The details as rows of field, before and after, for display."""
        details = self.details
        before, after = details.get("before") or {}, details.get("after") or {}
        fields = list(after) or list(before)
        rows = [
            {
                "field": f,
                "before": _display(before.get(f)),
                "after": _display(after.get(f)),
            }
            for f in fields
        ]
        rows = [r for r in rows if r["before"] is not None or r["after"] is not None]
        return rows + [
            {"field": k, "before": None, "after": _display(v)}
            for k, v in details.items()
            if k not in ("before", "after") and v is not None
        ]


def _display(value):
    """Nested details (a PO's lines, confirmed bank details) as one readable line."""
    if isinstance(value, dict):
        return ", ".join(
            f"{k}: {_display(v)}" for k, v in value.items() if v is not None
        )
    if isinstance(value, list):
        return "; ".join(str(_display(item)) for item in value) or "none"
    return value
