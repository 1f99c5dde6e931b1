"""
The audit entry: one per change, written in the same transaction as the change.

Entries are append-only: the application never updates or deletes them.
"""

import json
from enum import StrEnum

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from audit.registry import record_kind
from core import dynamo
from core.dynamo import IntegerAttribute, Model


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
    # A PO the system closed, reopened because a void left it incomplete.
    REOPEN = "REOPEN"
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
    # An invoice put on hold or released (issue 15), and a comment on a record.
    HOLD = "HOLD"
    RELEASE = "RELEASE"
    COMMENT = "COMMENT"
    # An attempt a service refused, kept so the trail shows what was tried.
    REFUSED = "REFUSED"
    # A credit note netted in a confirmed payment run (wholly or in part).
    APPLY_CREDIT = "APPLY_CREDIT"
    # A rejected invoice sent to an approver, and its variance accepted (issue 15).
    SEND_TO_APPROVAL = "SEND_TO_APPROVAL"
    ACCEPT_VARIANCE = "ACCEPT_VARIANCE"
    # An e-invoice in the inbox turned into an invoice, or discarded (issue 18).
    IMPORT = "IMPORT"
    DISCARD = "DISCARD"


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


class EntityTypeIndex(GlobalSecondaryIndex):
    """Every entry about one kind of record, newest first (audit browser, verify_audit)."""

    class Meta:
        index_name = "type-timestamp-index"
        projection = AllProjection()

    entity_type = UnicodeAttribute(hash_key=True)
    timestamp = UTCDateTimeAttribute(range_key=True)


class ListingIndex(GlobalSecondaryIndex):
    """Every entry, newest first (the unfiltered audit browser)."""

    class Meta:
        index_name = "listing-timestamp-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    timestamp = UTCDateTimeAttribute(range_key=True)


class ActorIndex(GlobalSecondaryIndex):
    """
    Sparse: what one user did, newest first, by the case-folded name
    (`actor_key`), so "Clerk" finds clerk. Entries written before it lack the key.
    """

    class Meta:
        index_name = "actor-timestamp-index"
        projection = AllProjection()

    actor_key = UnicodeAttribute(hash_key=True)
    timestamp = UTCDateTimeAttribute(range_key=True)


class NumberIndex(GlobalSecondaryIndex):
    """
    Sparse: every entry about records of one number or name (`number_key`,
    compacted), newest first; it keeps finding a deleted record, and a vendor
    under a name it had. Entries written before it lack the key.
    """

    class Meta:
        index_name = "number-timestamp-index"
        projection = AllProjection()

    number_key = UnicodeAttribute(hash_key=True)
    timestamp = UTCDateTimeAttribute(range_key=True)


LISTING = "audit"


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
    # The record's number or name when the entry was written ("PO-2026-000001",
    # "F-1001 · Acme GmbH"), so the trail names records without reading them.
    label = UnicodeAttribute(null=True)
    listing = UnicodeAttribute(default=LISTING)
    # Lookup keys (audit.entries.actor_key, number_key): the user's name
    # case-folded, the record's number or name compacted ("po2026000004").
    actor_key = UnicodeAttribute(null=True)
    number_key = UnicodeAttribute(null=True)
    # The record's hash chain (audit.chain): position, the previous entry's
    # hash and this entry's. Entries written before chaining have none.
    seq = IntegerAttribute(null=True)
    prev_hash = UnicodeAttribute(null=True)
    entry_hash = UnicodeAttribute(null=True)

    entity_index = EntityIndex()
    user_index = UserIndex()
    type_index = EntityTypeIndex()
    listing_index = ListingIndex()
    actor_index = ActorIndex()
    number_index = NumberIndex()

    @property
    def details(self) -> dict:
        return json.loads(self.details_json)

    @property
    def record_label(self) -> str:
        """
        The record's number or name: the entry's label, else the one its
        details hold (entries written before labels), else the record's id.
        """
        if self.label:
            return self.label
        details = self.details
        kind = record_kind(self.entity_type)
        field = kind.name_field if kind else None
        for values in (details.get("after"), details.get("before"), details):
            if isinstance(values, dict) and values.get(field):
                return str(values[field])
        return self.entity_id

    @property
    def record_kind(self) -> str:
        kind = record_kind(self.entity_type)
        return kind.label if kind else self.entity_type

    @property
    def record_page(self) -> str | None:
        """
        The URL name of the record's page (taking its id); None for a kind
        without pages (a job), a deleted record and a record its kind says
        has no page (a refused payment-run build).
        """
        kind = record_kind(self.entity_type)
        if (
            kind is None
            or kind.page is None
            or self.action == AuditAction.DELETE
            or not kind.has_page(self.entity_id)
        ):
            return None
        return kind.page

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


class AuditChainHead(Model):
    """
    The last link of one record's hash chain, kept in AuditLogTable under
    "chain#<entity_key>" and moved in the same transaction as each new entry,
    conditioned on the link it read: the chain never forks, and removing its
    last entries shows as a length the entries no longer reach.
    """

    Meta = dynamo.table_meta("AuditLogTable")

    id = UnicodeAttribute(hash_key=True)
    last_hash = UnicodeAttribute()
    length = IntegerAttribute()
    # Set when the record took its head over (its `audit_length`/`audit_hash`):
    # this item is then never a head again, unless the record's deletion
    # writes its final head back here (a tombstone, `moved` removed).
    moved = IntegerAttribute(null=True)

    @staticmethod
    def key(entity_key: str) -> str:
        return f"chain#{entity_key}"


dynamo.register_view(AuditChainHead)


def _display(value):
    """Nested details (a PO's lines, confirmed bank details) as one readable line."""
    if isinstance(value, dict):
        return ", ".join(
            f"{k}: {_display(v)}" for k, v in value.items() if v is not None
        )
    if isinstance(value, list):
        return "; ".join(str(_display(item)) for item in value) or "none"
    return value
