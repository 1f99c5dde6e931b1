"""Purchase orders on PurchaseOrdersTable: lines, approvals, receipts, life cycle."""

from decimal import Decimal
from enum import StrEnum

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo, search_index
from core.dynamo import DecimalAttribute, IntegerAttribute, Model
from core.item_loading import item_load
from core.money import round_money


class POStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"
    CLOSED = "closed"
    CANCELLED = "cancelled"


PO_TRANSITIONS: dict[POStatus, set[POStatus]] = {
    POStatus.PENDING: {POStatus.APPROVED, POStatus.REJECTED, POStatus.CANCELLED},
    POStatus.APPROVED: {POStatus.SENT, POStatus.CANCELLED},
    POStatus.SENT: {POStatus.CLOSED, POStatus.CANCELLED},
    POStatus.REJECTED: set(),
    POStatus.CLOSED: set(),
    POStatus.CANCELLED: set(),
}

# Goods may be received only while the order is live at the vendor.
RECEIVABLE_STATUSES = {POStatus.APPROVED, POStatus.SENT}
# Invoices match only these (domain.md, PO_NOT_APPROVED); the PO picker offers them.
INVOICEABLE_STATUSES = {POStatus.APPROVED, POStatus.SENT}


class MatchType(StrEnum):
    TWO_WAY = "2-way"
    THREE_WAY = "3-way"


LISTING = "po"


class POLine(MapAttribute):
    line_number = IntegerAttribute()
    description = UnicodeAttribute()
    quantity = DecimalAttribute()
    unit_price = DecimalAttribute()
    # The original API calls a line's amount `total_amount`.
    total_amount = DecimalAttribute()
    received_quantity = DecimalAttribute(default=lambda: Decimal("0"))
    # On matched (and later scheduled or paid) invoices, maintained by invoicing.
    invoiced_quantity = DecimalAttribute(default=lambda: Decimal("0"))
    # The line's coding (accounting codes); None on lines entered before coding.
    tax_code = UnicodeAttribute(null=True)
    gl_account = UnicodeAttribute(null=True)
    cost_centre = UnicodeAttribute(null=True)


class Approval(MapAttribute):
    approver = UnicodeAttribute()
    approved_at = UTCDateTimeAttribute()
    limit_used = DecimalAttribute()  # in base_currency
    # What the PO was worth in the base currency when approved, and the rate
    # that said so (None for a PO in the base currency), so an auditor sees
    # why the limit covered it. Approvals from before exchange rates have none.
    base_currency = UnicodeAttribute(null=True)
    base_amount = DecimalAttribute(null=True)
    exchange_rate = DecimalAttribute(null=True)
    rate_valid_from = UnicodeAttribute(null=True)  # ISO date


class ReceiptLine(MapAttribute):
    line_number = IntegerAttribute()
    quantity = DecimalAttribute()


class GoodsReceipt(MapAttribute):
    id = UnicodeAttribute()
    received_on = UnicodeAttribute()  # ISO date the goods arrived
    lines = ListAttribute(of=ReceiptLine)
    note = UnicodeAttribute(null=True)
    received_by = UnicodeAttribute()
    recorded_at = UTCDateTimeAttribute()


class StatusCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-created-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class VendorCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "vendor-created-index"
        projection = AllProjection()

    vendor_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class RequesterCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "requester-created-index"
        projection = AllProjection()

    requester = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ListingCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing-created-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ListingNumberIndex(GlobalSecondaryIndex):
    """Every PO by number, for prefix search (`begins_with` on the number)."""

    class Meta:
        index_name = "listing-number-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    po_number = UnicodeAttribute(range_key=True)


class RejectedIndex(GlobalSecondaryIndex):
    """
    Each requester's rejected POs, newest rejection first: sparse, since only
    a rejection sets `rejected_requester` (the requester's dashboard).
    """

    class Meta:
        index_name = "rejected-requester-index"
        projection = AllProjection()

    rejected_requester = UnicodeAttribute(hash_key=True)
    rejected_at = UTCDateTimeAttribute(range_key=True)


# The one partition of `approval_queue_index`: set while a PO is pending.
APPROVAL_QUEUE = "pending"


class ApprovalQueueIndex(GlobalSecondaryIndex):
    """
    Pending POs by their worth in the base currency (issue 21, item 3):
    "Awaiting my approval" is the key condition `approval_value <= limit`,
    so an approver reads only POs their limit covers. Sparse: a decided PO
    loses `approval_queue`, one without an exchange rate has no value.
    """

    class Meta:
        index_name = "approval-queue-index"
        projection = AllProjection()

    approval_queue = UnicodeAttribute(hash_key=True)
    approval_value = DecimalAttribute(range_key=True)


class NumberIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "number-index"
        projection = AllProjection()

    po_number = UnicodeAttribute(hash_key=True)


@dynamo.register
@dynamo.chain_head_on_record("purchase_order")
class PurchaseOrder(Model):
    Meta = dynamo.table_meta("PurchaseOrdersTable")

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING)
    po_number = UnicodeAttribute()
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()  # as ordered from; the vendor may be renamed
    currency = UnicodeAttribute()
    items = ListAttribute(of=POLine)
    total_amount = DecimalAttribute()
    # Net total of the PO's matched, scheduled and paid invoices.
    invoiced_total = DecimalAttribute(default=lambda: Decimal("0"))
    status = UnicodeAttribute()
    match_type = UnicodeAttribute(default=MatchType.TWO_WAY.value)
    requester = UnicodeAttribute()
    # Decided at the first approval from the PO's worth in the base currency
    # that day (purchase_order_approve); before it, the same rule at the rate
    # in effect when the PO was raised or last edited, as a forecast.
    approvals_required = IntegerAttribute(default=1)
    approvals = ListAttribute(of=Approval, default=list)
    rejection_reason = UnicodeAttribute(null=True)
    cancellation_reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)  # who rejected, cancelled or closed
    closing_reason = UnicodeAttribute(null=True)
    # Set by a rejection only, as the keys of `rejected_index`.
    rejected_requester = UnicodeAttribute(null=True)
    rejected_at = UTCDateTimeAttribute(null=True)
    # The PO this one was raised as a copy of (a rejected one), and its number.
    copied_from = UnicodeAttribute(null=True)
    copied_from_number = UnicodeAttribute(null=True)
    # The keys of `approval_queue_index` (purchasing.approval_queue): set
    # while pending, the value at the rate of the day it was last written.
    approval_queue = UnicodeAttribute(null=True)
    approval_value = DecimalAttribute(null=True)
    receipts = ListAttribute(of=GoodsReceipt, default=list)
    expected_delivery = UnicodeAttribute(null=True)  # ISO date
    notes = UnicodeAttribute(null=True)
    # How many invoices were ever entered against the PO, added by invoicing
    # in each invoice's own transaction (through PurchaseOrderInvoiceCounter),
    # so "delete only without invoices" is a condition, not a race. Never
    # taken down: a voided invoice still refers to its PO.
    invoice_count = IntegerAttribute(default=0)
    # The version right after the content (lines, currency, ...) last changed.
    # A decision made on a page showing an older version is refused, while
    # decisions by others in between (e.g. a first approval) are not a conflict.
    edited_at_version = IntegerAttribute(default=1)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()
    # The record's audit chain head, kept on it and moved in its own write
    # (audit.entries); None on a record whose head is still an AuditChainHead.
    audit_length = IntegerAttribute(null=True)
    audit_hash = UnicodeAttribute(null=True)

    status_index = StatusCreatedIndex()
    vendor_index = VendorCreatedIndex()
    requester_index = RequesterCreatedIndex()
    listing_index = ListingCreatedIndex()
    number_index = NumberIndex()
    listing_number_index = ListingNumberIndex()
    rejected_index = RejectedIndex()
    approval_queue_index = ApprovalQueueIndex()

    @classmethod
    def from_raw_data(cls, data):
        # DynamoDB stores numbers without trailing zeros ("100.50" reads back
        # as "100.5"); amounts get their currency's minor unit back on load.
        po = item_load(cls, data)  # PynamoDB's from_raw_data, faster
        if po.currency is None:  # another item kind in the table (a sequence)
            return po
        for line in po.items or []:
            line.unit_price = round_money(line.unit_price, po.currency)
            line.total_amount = round_money(line.total_amount, po.currency)
        po.total_amount = round_money(po.total_amount, po.currency)
        po.invoiced_total = round_money(po.invoiced_total or Decimal("0"), po.currency)
        for approval in po.approvals or []:
            # Before exchange rates, limits were compared in the PO's currency.
            approval.base_currency = approval.base_currency or po.currency
            approval.limit_used = round_money(
                approval.limit_used, approval.base_currency
            )
            if approval.base_amount is not None:
                approval.base_amount = round_money(
                    approval.base_amount, approval.base_currency
                )
        return po

    SEARCH_KIND = "purchase_orders"
    # The only fields search_terms reads: an update touching none of them
    # leaves the search tokens as they are (core.writes).
    SEARCH_FIELDS = frozenset({"po_number"})

    def search_terms(self) -> search_index.SearchTerms:
        """The parts of the PO's number search finds it by."""
        return search_index.search_terms(words=search_index.text_terms(self.po_number))

    @property
    def approvers(self) -> list[str]:
        return [approval.approver for approval in self.approvals]

    @property
    def is_fully_received(self) -> bool:
        return all(line.received_quantity >= line.quantity for line in self.items)


class PONumberSequence(Model):
    """
    The last PO number taken in a year, kept in PurchaseOrdersTable.

    A PO's creation takes its number with one atomic ADD before writing the
    PO (`purchasing.services._po_number_take`): numbers are unique and never
    make requesters wait on each other, and a number whose PO was not written
    stays unused (a gap).
    """

    Meta = dynamo.table_meta("PurchaseOrdersTable")

    id = UnicodeAttribute(hash_key=True)  # "sequence#PO-2026"
    last_number = IntegerAttribute()


dynamo.register_view(PONumberSequence)


class PurchaseOrderInvoiceCounter(Model):
    """
    The PO item seen only as its invoice count and status.

    Invoicing adds to `invoice_count` in the same transaction as an invoice's
    entry. Going through this view of the item keeps the PO's `version`
    unchanged: a new invoice is not an edit of the PO, and must not make an
    open PO page stale.
    """

    Meta = dynamo.table_meta("PurchaseOrdersTable")

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)
    invoice_count = IntegerAttribute(default=0)


dynamo.register_view(PurchaseOrderInvoiceCounter)


class PurchaseOrderRejectedKeys(Model):
    """
    The PO item seen only as its status and the keys of `rejected_index`,
    for giving rejections from before the index their keys without changing
    the PO's version (`purchase_order_rejected_keys_backfill`).
    """

    Meta = dynamo.table_meta("PurchaseOrdersTable")

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)
    rejected_requester = UnicodeAttribute(null=True)
    rejected_at = UTCDateTimeAttribute(null=True)


dynamo.register_view(PurchaseOrderRejectedKeys)


class PurchaseOrderApprovalKeys(Model):
    """
    The PO item seen only as its status and the keys of
    `approval_queue_index`, for re-keying pending POs (a backfill, or a
    rate change) without changing the PO's version.
    """

    Meta = dynamo.table_meta("PurchaseOrdersTable")

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)
    approval_queue = UnicodeAttribute(null=True)
    approval_value = DecimalAttribute(null=True)


dynamo.register_view(PurchaseOrderApprovalKeys)
