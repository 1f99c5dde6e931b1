"""Vendor invoices on InvoicesTable: lines, totals, the last reconciliation report."""

import datetime as dt
import hashlib
import json
from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection

from core import dynamo, search_index
from core.days import site_today
from core.dynamo import DecimalAttribute, IntegerAttribute, Model
from core.item_loading import item_load
from core.money import round_money
from core.transitions import check_transition


class DocumentType(StrEnum):
    """What the vendor's document is (issue 15): a bill, or a credit against one."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    RECEIVED = "received"
    # An invoice without a PO waits for an approver instead of matching.
    AWAITING_APPROVAL = "awaiting_approval"
    MATCHED = "matched"
    APPROVED = "approved"  # an invoice without PO, approved: payable like matched
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    PAID = "paid"
    APPLIED = "applied"  # a credit note netted in a confirmed payment run
    VOID = "void"


# domain.md, extended by issue 15. `scheduled -> matched | approved` is a
# payment run's cancellation (back to the payable status it came from);
# `rejected -> matched` an accepted variance; `rejected -> awaiting_approval`
# a corrected invoice without PO. A credit note netted in a payment run is
# `scheduled` while the run holds it (like an invoice) and `scheduled ->
# applied` once the run is confirmed and it has nothing left open
# (invoicing.credit_applications).
INVOICE_TRANSITIONS: dict[InvoiceStatus, set[InvoiceStatus]] = {
    InvoiceStatus.RECEIVED: {
        InvoiceStatus.MATCHED,
        InvoiceStatus.REJECTED,
        InvoiceStatus.VOID,
    },
    InvoiceStatus.AWAITING_APPROVAL: {
        InvoiceStatus.APPROVED,
        InvoiceStatus.REJECTED,
        InvoiceStatus.VOID,
    },
    InvoiceStatus.REJECTED: {
        InvoiceStatus.RECEIVED,
        InvoiceStatus.AWAITING_APPROVAL,
        InvoiceStatus.MATCHED,
        InvoiceStatus.VOID,
    },
    InvoiceStatus.MATCHED: {InvoiceStatus.SCHEDULED, InvoiceStatus.VOID},
    InvoiceStatus.APPROVED: {InvoiceStatus.SCHEDULED, InvoiceStatus.VOID},
    InvoiceStatus.SCHEDULED: {
        InvoiceStatus.PAID,
        InvoiceStatus.APPLIED,
        InvoiceStatus.MATCHED,
        InvoiceStatus.APPROVED,
    },
    InvoiceStatus.PAID: set(),
    InvoiceStatus.APPLIED: set(),
    InvoiceStatus.VOID: set(),
}

# The statuses a payment run proposes and schedules from.
PAYABLE_STATUSES = (InvoiceStatus.MATCHED.value, InvoiceStatus.APPROVED.value)


def payable_status(invoice) -> InvoiceStatus:
    """
    The payable status of `invoice`: approved without a PO, else matched. A
    credit note's is `matched`, with or without a PO (its life cycle has no
    approval): a run that releases one returns it there.
    """
    if invoice.document_type == DocumentType.CREDIT_NOTE:
        return InvoiceStatus.MATCHED
    return InvoiceStatus.MATCHED if invoice.po_id else InvoiceStatus.APPROVED


def invoice_move_check(
    invoice, target: InvoiceStatus, *, verb: str, transitions=INVOICE_TRANSITIONS
) -> None:
    """
    Refuse moving `invoice` to `target` unless `transitions` allows it:
    "Invoice INV-1 is paid; only received, rejected or matched invoices can
    be voided."
    """
    check_transition(
        transitions,
        current=invoice.status,
        target=target,
        name=f"Invoice {invoice.invoice_number}",
        kind="invoices",
        verb=verb,
    )


LISTING = "invoice"
# The sparse sub-ledger partitions (posted documents; open items among them).
POSTED_LISTING = "posted"
OPEN_LISTING = "open"
# The value of `queue` while an invoice waits for reconciliation; the
# attribute is removed otherwise, so the queue index holds only those. It is
# one of QUEUE_BUCKETS partitions, `awaiting#07`, chosen by the invoice's PO
# (a document without PO: its vendor), so the job can be split into shards
# that each read only their buckets and see every waiting invoice of a PO.
QUEUE_BUCKETS = 16
QUEUE_PREFIX = "awaiting#"
# The one partition invoices waited in before the buckets; those still there
# are read by shard 0 (and by an unsplit run), so none is lost.
AWAITING = "received"


def queue_bucket(*, po_id: str | None, vendor_id: str) -> int:
    """The queue bucket of a document of this PO (or, without PO, vendor)."""
    key = f"po:{po_id}" if po_id else f"vendor:{vendor_id}"
    # A stable hash (not hash(), which changes between processes).
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:4], "big") % QUEUE_BUCKETS


def queue_key(*, po_id: str | None, vendor_id: str) -> str:
    """The `queue` value of a waiting document of this PO (or vendor)."""
    return f"{QUEUE_PREFIX}{queue_bucket(po_id=po_id, vendor_id=vendor_id):02d}"


def queue_partitions(*, shard: int | None = None, shards: int | None = None) -> list:
    """
    The queue partitions shard `shard` of `shards` reads, in reading order:
    the buckets b with b % shards == shard (the old single partition first,
    in shard 0). No shard: all of them, as one unsplit run reads.
    """
    if shard is None:
        shard, shards = 0, 1
    buckets = [
        f"{QUEUE_PREFIX}{b:02d}" for b in range(QUEUE_BUCKETS) if b % shards == shard
    ]
    return ([AWAITING] if shard == 0 else []) + buckets


# The value of `held` while an invoice is on hold; the attribute is removed
# on release, so the held index holds only invoices on hold.
HELD = "held"
# The value of `variance_queue` while a rejected invoice waits for an
# approver's acceptance; the fields below are removed when it stops waiting.
VARIANCE_SENT = "sent"
VARIANCE_FIELDS = (
    "variance_queue",
    "variance_sent_at",
    "variance_sent_by",
    "variance_sent_to",
    "variance_note",
)
# Payable statuses a hold may be put on.
HOLDABLE_STATUSES = frozenset(PAYABLE_STATUSES)
# Removing these releases a hold (lapsed or not).
HOLD_FIELDS = ("held", "hold_reason", "hold_until", "held_by", "held_at")


class InvoiceLine(MapAttribute):
    line_number = IntegerAttribute()
    description = UnicodeAttribute()
    quantity = DecimalAttribute()
    unit_price = DecimalAttribute()
    total_amount = DecimalAttribute()
    po_line_number = IntegerAttribute(null=True)
    # The line's coding: inherited from its PO line, recodable until matched.
    tax_code = UnicodeAttribute(null=True)
    gl_account = UnicodeAttribute(null=True)
    cost_centre = UnicodeAttribute(null=True)
    # None: goods or services. "allowance" / "charge" (core.lines.LINE_KINDS):
    # a document-level allowance or charge of an e-invoice (EN 16931 BG-20 /
    # BG-21), signed (an allowance is -1 x its amount), in the net and in its
    # tax code's base, never paired with a PO line nor counted as a quantity.
    kind = UnicodeAttribute(null=True)

    @property
    def is_goods(self) -> bool:
        return not self.kind


class TaxLine(MapAttribute):
    """
    One tax code's part of a document (EN 16931's VAT breakdown, BG-23): the
    lines' net per code, the tax computed on it, and the tax the vendor printed.
    """

    tax_code = UnicodeAttribute()
    rate = DecimalAttribute()  # percent
    category = UnicodeAttribute()  # accounting.models.VatCategory
    base = DecimalAttribute()
    amount = DecimalAttribute()  # computed: base x rate, rounded half-up once
    printed = DecimalAttribute(null=True)  # as on the vendor's document


class InvoiceApproval(MapAttribute):
    """One approval of an invoice without PO (as purchasing's `Approval`)."""

    approver = UnicodeAttribute()
    approved_at = UTCDateTimeAttribute()
    limit_used = DecimalAttribute()  # in base_currency
    base_currency = UnicodeAttribute()
    base_amount = DecimalAttribute()
    exchange_rate = DecimalAttribute(null=True)  # None: the base currency itself
    rate_valid_from = UnicodeAttribute(null=True)  # ISO date


class StatusSubmittedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-submitted-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class PurchaseOrderIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "po-submitted-index"
        projection = AllProjection()

    po_id = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class VendorSubmittedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "vendor-submitted-index"
        projection = AllProjection()

    vendor_id = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class ListingSubmittedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing-submitted-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class ReconcileQueueIndex(GlobalSecondaryIndex):
    """Sparse: only invoices waiting for reconciliation carry `queue`."""

    class Meta:
        index_name = "reconcile-queue-index"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class ListingNumberIndex(GlobalSecondaryIndex):
    """
    Every invoice by normalised number, for search (`begins_with`); the
    number guards in the table carry no `listing` and stay out of it.
    """

    class Meta:
        index_name = "listing-number-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    number_key = UnicodeAttribute(range_key=True)


class SimilarIndex(GlobalSecondaryIndex):
    """Invoices of one vendor with one invoice date and total (`similarity_key`)."""

    class Meta:
        index_name = "similarity-index"
        projection = AllProjection()

    similarity_key = UnicodeAttribute(hash_key=True)


class VarianceQueueIndex(GlobalSecondaryIndex):
    """
    Sparse: only rejected invoices sent to approval carry `variance_queue`
    (invoicing.variances), oldest sent first: the approvers' queue.
    """

    class Meta:
        index_name = "variance-queue-index"
        projection = AllProjection()

    variance_queue = UnicodeAttribute(hash_key=True)
    variance_sent_at = UTCDateTimeAttribute(range_key=True)


class HeldIndex(GlobalSecondaryIndex):
    """Sparse: only invoices on hold carry `held` (the list's "on hold" filter)."""

    class Meta:
        index_name = "held-submitted-index"
        projection = AllProjection()

    held = UnicodeAttribute(hash_key=True)
    submitted_at = UTCDateTimeAttribute(range_key=True)


class VendorLedgerIndex(GlobalSecondaryIndex):
    """
    Sparse: only posted documents carry `ledger_vendor` (invoicing.posting):
    one vendor's sub-ledger in posting order, a period one key range.
    """

    class Meta:
        index_name = "vendor-ledger-index"
        projection = AllProjection()

    ledger_vendor = UnicodeAttribute(hash_key=True)
    posting_key = UnicodeAttribute(range_key=True)


class PostedIndex(GlobalSecondaryIndex):
    """Sparse: every posted document in posting order, for the journal of a period."""

    class Meta:
        index_name = "posted-index"
        projection = AllProjection()

    posted_listing = UnicodeAttribute(hash_key=True)
    posting_key = UnicodeAttribute(range_key=True)


class VoidedIndex(GlobalSecondaryIndex):
    """
    Sparse: posted documents that were voided, by the day of the void (only
    they carry both keys), for the journal's reversals of a period.
    """

    class Meta:
        index_name = "voided-index"
        projection = AllProjection()

    posted_listing = UnicodeAttribute(hash_key=True)
    voided_on = UnicodeAttribute(range_key=True)


# What the ageing summary reads of an open item (reports.services), and all
# the open-items index keeps of it besides its keys.
AGEING_ATTRIBUTES = [
    "ledger_vendor",
    "vendor_id",
    "vendor_name",
    "currency",
    "document_type",
    "total_amount",
    "credit_open_amount",
]


class OpenItemsIndex(GlobalSecondaryIndex):
    """
    Sparse: only open items (posted, not yet paid, applied nor void) carry
    `open_listing`, by due date: what the ageing summary is computed from.

    It keeps only what the ageing reads (`AGEING_ATTRIBUTES`), so a page of
    it holds thousands of items, not the few hundred whole documents that
    fill DynamoDB's 1 MB; it replaced the whole-item `open-items-index`.
    """

    class Meta:
        index_name = "open-amounts-index"
        projection = IncludeProjection(AGEING_ATTRIBUTES)

    open_listing = UnicodeAttribute(hash_key=True)
    due_date = UnicodeAttribute(range_key=True)


class VendorOpenItemsIndex(GlobalSecondaryIndex):
    """
    Sparse: an open item carries `open_vendor` (its vendor) beside
    `open_listing`, so one vendor's open items are one key, not its history.
    """

    class Meta:
        index_name = "vendor-open-items-index"
        projection = AllProjection()

    open_vendor = UnicodeAttribute(hash_key=True)
    due_date = UnicodeAttribute(range_key=True)


def posting_key(posting_date: str, invoice_id: str) -> str:
    """The sort key of a posted document: its posting date, then its id."""
    return f"{posting_date}#{invoice_id}"


def similarity_key(vendor_id: str, invoice_date: str, total) -> str:
    return f"{vendor_id}#{invoice_date}#{total}"


@dynamo.register
@dynamo.chain_head_on_record("invoice")
class Invoice(Model):
    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING)
    invoice_number = UnicodeAttribute()
    number_key = UnicodeAttribute()  # normalised, for duplicate detection
    # `invoice` or `credit_note` (DocumentType); None on invoices stored
    # before credit notes existed: read it through `document_kind`.
    document_type = UnicodeAttribute(null=True)
    # A credit note's invoice (same vendor), when it corrects one.
    credited_invoice_id = UnicodeAttribute(null=True)
    credited_invoice_number = UnicodeAttribute(null=True)
    # A matched credit note's effect on its PO (invoicing.credit_notes):
    # {"quantities": {PO line: quantity taken off}, "net_total": amount}, so a
    # void puts back exactly what the match took off.
    credit_effect_json = UnicodeAttribute(null=True)
    # None for an invoice without a PO (approved instead of matched).
    po_id = UnicodeAttribute(null=True)
    po_number = UnicodeAttribute(null=True)
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    currency = UnicodeAttribute()
    items = ListAttribute(of=InvoiceLine)
    net_total = DecimalAttribute()
    tax_amount = DecimalAttribute()
    total_amount = DecimalAttribute()
    # Per tax code; None on documents entered before tax codes, or whose lines
    # name no code (an old API client's: its `tax_amount` is the printed tax).
    tax_lines = ListAttribute(of=TaxLine, null=True)
    status = UnicodeAttribute()
    queue = UnicodeAttribute(null=True)
    # Same vendor, invoice date and total: the softer duplicate warning.
    similarity_key = UnicodeAttribute(null=True)
    invoice_date = UnicodeAttribute()  # ISO date printed on the invoice
    due_date = UnicodeAttribute()
    discount_date = UnicodeAttribute(null=True)
    discount_percent = DecimalAttribute(null=True)
    report_json = UnicodeAttribute(null=True)
    # An e-invoice's XML (einvoicing): its storage key, syntax (ubl, cii) and
    # the SHA-256 of the file as received (the PDF of a Factur-X, which is
    # then the attachment); what it says is payable (BT-115).
    einvoice_key = UnicodeAttribute(null=True)
    einvoice_syntax = UnicodeAttribute(null=True)
    source_sha256 = UnicodeAttribute(null=True)
    amount_due = DecimalAttribute(null=True)
    attachment_key = UnicodeAttribute(null=True)  # storage key of the vendor's document
    attachment_name = UnicodeAttribute(null=True)
    attachment_type = UnicodeAttribute(null=True)
    reconciled_at = UTCDateTimeAttribute(null=True)
    # The payment run that holds the invoice while `scheduled`, or paid it.
    payment_run_id = UnicodeAttribute(null=True)
    payment_run_number = UnicodeAttribute(null=True)
    # What a credit note still has open after the confirmed runs that netted
    # part of it; None: never netted, its whole total is open (`credit_open`).
    credit_open_amount = DecimalAttribute(null=True)
    # A hold (invoicing.holds): who put it, why, and the last day it holds.
    held = UnicodeAttribute(null=True)
    hold_reason = UnicodeAttribute(null=True)
    hold_until = UnicodeAttribute(null=True)  # ISO date; the hold ends after it
    held_by = UnicodeAttribute(null=True)
    held_at = UTCDateTimeAttribute(null=True)
    # An invoice without PO's approvals (invoicing.without_po): who approved,
    # how many it needs, and a rejection's reason. `approved_by` repeats the
    # approvers' names for the approval queue's filter (`contains`).
    approvals = ListAttribute(of=InvoiceApproval, null=True)
    approved_by = ListAttribute(of=UnicodeAttribute, null=True)
    approvals_required = IntegerAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    # The version its content was last entered or corrected at: an approval
    # decided on an older page is refused, one after another approval is not.
    edited_at_version = IntegerAttribute(null=True)
    # The recurring template (invoicing.recurring) that raised it, if any.
    recurring_id = UnicodeAttribute(null=True)
    # A rejected invoice sent to approval (invoicing.variances): `variance_queue`
    # is VARIANCE_SENT while it waits, removed on acceptance, correction or
    # void; `variance_sent_to` None asks any approver whose limit covers it.
    variance_queue = UnicodeAttribute(null=True)
    variance_sent_at = UTCDateTimeAttribute(null=True)
    variance_sent_by = UnicodeAttribute(null=True)
    variance_sent_to = UnicodeAttribute(null=True)
    variance_note = UnicodeAttribute(null=True)
    # The sub-ledger (invoicing.posting): a document is posted when it becomes
    # payable (matched, approved; a credit note when matched), on its invoice
    # date; paid, applied or void later, with the date it left the open items.
    posting_date = UnicodeAttribute(null=True)  # ISO date it posts on
    posted_at = UTCDateTimeAttribute(null=True)  # when it was booked
    posting_key = UnicodeAttribute(null=True)  # posting_key(posting_date, id)
    ledger_vendor = UnicodeAttribute(null=True)  # vendor_id once posted
    posted_listing = UnicodeAttribute(null=True)  # POSTED_LISTING once posted
    open_listing = UnicodeAttribute(null=True)  # OPEN_LISTING while open
    open_vendor = UnicodeAttribute(null=True)  # vendor_id while open
    paid_on = UnicodeAttribute(null=True)  # ISO date the payment was confirmed
    paid_amount = DecimalAttribute(null=True)  # what the run transferred for it
    discount_taken = DecimalAttribute(null=True)
    voided_on = UnicodeAttribute(null=True)  # ISO date a posted document was voided
    submitted_by = UnicodeAttribute()
    submitted_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()
    # The record's audit chain head, kept on it and moved in its own write
    # (audit.entries); None on a record whose head is still an AuditChainHead.
    audit_length = IntegerAttribute(null=True)
    audit_hash = UnicodeAttribute(null=True)

    status_index = StatusSubmittedIndex()
    po_index = PurchaseOrderIndex()
    vendor_index = VendorSubmittedIndex()
    listing_index = ListingSubmittedIndex()
    queue_index = ReconcileQueueIndex()
    similar_index = SimilarIndex()
    listing_number_index = ListingNumberIndex()
    held_index = HeldIndex()
    variance_index = VarianceQueueIndex()
    ledger_index = VendorLedgerIndex()
    posted_index = PostedIndex()
    voided_index = VoidedIndex()
    open_items_index = OpenItemsIndex()
    vendor_open_items_index = VendorOpenItemsIndex()

    @classmethod
    def from_raw_data(cls, data):
        # DynamoDB drops trailing zeros; amounts get their minor unit back.
        invoice = item_load(cls, data)  # PynamoDB's from_raw_data, faster
        if invoice.currency is None or invoice.net_total is None:
            return invoice  # a number guard or ledger entry, not an invoice
        for line in invoice.items or []:
            line.unit_price = round_money(line.unit_price, invoice.currency)
            line.total_amount = round_money(line.total_amount, invoice.currency)
        for name in ("net_total", "tax_amount", "total_amount"):
            setattr(
                invoice, name, round_money(getattr(invoice, name), invoice.currency)
            )
        if invoice.amount_due is not None:
            invoice.amount_due = round_money(invoice.amount_due, invoice.currency)
        if invoice.credit_open_amount is not None:
            invoice.credit_open_amount = round_money(
                invoice.credit_open_amount, invoice.currency
            )
        return invoice

    SEARCH_KIND = "invoices"
    # The only fields search_terms reads: an update touching none of them
    # leaves the search tokens as they are (core.writes).
    SEARCH_FIELDS = frozenset({"invoice_number"})

    @property
    def document_kind(self) -> DocumentType:
        return DocumentType(self.document_type or DocumentType.INVOICE)

    @property
    def is_credit_note(self) -> bool:
        return self.document_kind == DocumentType.CREDIT_NOTE

    @property
    def credit_open(self):
        """What a credit note still has open for payment runs to net."""
        if self.credit_open_amount is None:
            return self.total_amount
        return self.credit_open_amount

    @property
    def credit_effect(self) -> dict | None:
        return json.loads(self.credit_effect_json) if self.credit_effect_json else None

    @property
    def has_po(self) -> bool:
        return self.po_id is not None

    def search_terms(self) -> search_index.SearchTerms:
        """The parts of the vendor's invoice number search finds it by."""
        return search_index.search_terms(
            words=search_index.text_terms(self.invoice_number)
        )

    def on_hold(self, day: dt.date | None = None) -> bool:
        """True if the invoice is on hold on `day` (today): no run may propose it."""
        if self.held is None:
            return False
        if self.hold_until:
            day = day or site_today()
            return day <= dt.date.fromisoformat(self.hold_until)
        return True

    @property
    def hold_lapsed(self) -> bool:
        """A hold whose last day has passed, kept until released or scheduled."""
        return self.held is not None and not self.on_hold()

    @property
    def approvers(self) -> list[str]:
        return [approval.approver for approval in self.approvals or []]

    @property
    def report(self) -> dict | None:
        return json.loads(self.report_json) if self.report_json else None

    @property
    def acceptance(self) -> dict | None:
        """The accepted variance on the report (invoicing.variances): by, at, reason, codes."""
        acceptance = (self.report or {}).get("acceptance")
        if acceptance is None:
            return None
        return {**acceptance, "at": dt.datetime.fromisoformat(acceptance["at"])}

    @property
    def top_finding(self) -> str | None:
        report = self.report
        if report and report.get("findings"):
            return report["findings"][0]["message"]
        return None


def not_held_on(day: dt.date):
    """The condition "not on hold on `day`": no hold, or one ended before it."""
    return Invoice.held.does_not_exist() | (Invoice.hold_until < day.isoformat())


def of_document_type(document_type: str):
    """The condition "this kind of document"; invoices stored before credit
    notes existed have no `document_type`."""
    if document_type == DocumentType.CREDIT_NOTE:
        return Invoice.document_type == DocumentType.CREDIT_NOTE.value
    return Invoice.document_type.does_not_exist() | (
        Invoice.document_type == DocumentType.INVOICE.value
    )


class InvoiceNumberGuard(Model):
    """
    One per vendor and normalised invoice number, in InvoicesTable.

    Written with attribute_not_exists in the invoice's own transaction, so two
    clerks entering the same number at once get one invoice and one refusal.
    Voiding the invoice deletes its guard and frees the number.
    """

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)  # "number#<vendor id>#<number key>"
    invoice_id = UnicodeAttribute()

    @staticmethod
    def key(vendor_id: str, number_key: str) -> str:
        return f"number#{vendor_id}#{number_key}"


dynamo.register_view(InvoiceNumberGuard)


class InvoiceStatistics(Model):
    """
    The dashboard's figures about invoices, computed from the indexes by
    `dashboard_refresh` and kept as one item in InvoicesTable, so the
    dashboard reads one item instead of thousands of invoices.
    """

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)  # "statistics#dashboard"
    figures_json = UnicodeAttribute()
    computed_at = UTCDateTimeAttribute()
    computed_in_ms = IntegerAttribute()

    KEY = "statistics#dashboard"

    @property
    def figures(self) -> dict:
        return json.loads(self.figures_json)


dynamo.register_view(InvoiceStatistics)


# --- The sub-ledger's own entries (invoicing.posting) -------------------------


class LedgerEntryKind(StrEnum):
    """What a row of a vendor's ledger records (reports.ledger)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    PAYMENT = "payment"  # one confirmed run's transfer to one vendor
    VOID_REVERSAL = "void_reversal"  # a posted document voided


class LedgerOpenItemsIndex(GlobalSecondaryIndex):
    """`vendor-open-items-index` as `LedgerEntry` reads it."""

    class Meta:
        index_name = "vendor-open-items-index"
        projection = AllProjection()

    open_vendor = UnicodeAttribute(hash_key=True)
    due_date = UnicodeAttribute(range_key=True)


class LedgerEntryIndex(GlobalSecondaryIndex):
    """`vendor-ledger-index` as `LedgerEntry` reads it (documents and entries)."""

    class Meta:
        index_name = "vendor-ledger-index"
        projection = AllProjection()

    ledger_vendor = UnicodeAttribute(hash_key=True)
    posting_key = UnicodeAttribute(range_key=True)


class LedgerEntry(Model):
    """
    A ledger row that is not a document's own posting, in InvoicesTable and in
    `vendor-ledger-index` beside the posted documents: a run's payment to a
    vendor ("ledger#payment#<run>#<vendor>#<currency>", on the day the run
    was confirmed) or the reversal of a voided posted document
    ("ledger#void#<document id>", on the day it was voided). Neither carries
    `posted_listing` or `open_listing`: the journal reads payments from the
    confirmed runs and voids from the documents (`voided_on`).

    Read through `ledger_index`, the view also deserialises the documents
    beside them: the Invoice attributes a ledger row needs, `entry_kind`
    None for a document.
    """

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)
    ledger_vendor = UnicodeAttribute()
    posting_key = UnicodeAttribute()
    posting_date = UnicodeAttribute()
    currency = UnicodeAttribute()
    entry_kind = UnicodeAttribute(null=True)  # LedgerEntryKind; None: a document
    # A payment: the bank transfer (net of credit notes applied) and the
    # discount it took; a reversal: the voided document's total.
    amount = DecimalAttribute(null=True)
    discount = DecimalAttribute(null=True)
    reference = UnicodeAttribute(null=True)  # run number, or the voided number
    document_id = UnicodeAttribute(null=True)  # a reversal's document
    document_type = UnicodeAttribute(null=True)  # a reversal's, or a document's
    payment_run_id = UnicodeAttribute(null=True)
    # The document attributes the ledger shows (Invoice's own).
    invoice_number = UnicodeAttribute(null=True)
    total_amount = DecimalAttribute(null=True)
    due_date = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    open_listing = UnicodeAttribute(null=True)
    open_vendor = UnicodeAttribute(null=True)
    credit_open_amount = DecimalAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)

    ledger_index = LedgerEntryIndex()
    open_items_index = LedgerOpenItemsIndex()

    @staticmethod
    def payment_key(run_id: str, vendor_id: str, currency: str) -> str:
        return f"ledger#payment#{run_id}#{vendor_id}#{currency}"

    @staticmethod
    def reversal_key(document_id: str) -> str:
        return f"ledger#void#{document_id}"

    @property
    def kind(self) -> LedgerEntryKind:
        if self.entry_kind:
            return LedgerEntryKind(self.entry_kind)
        if self.document_type == DocumentType.CREDIT_NOTE:
            return LedgerEntryKind.CREDIT_NOTE
        return LedgerEntryKind.INVOICE

    @classmethod
    def from_raw_data(cls, data):
        entry = super().from_raw_data(data)
        for name in ("amount", "discount", "total_amount", "credit_open_amount"):
            value = getattr(entry, name)
            if value is not None:
                setattr(entry, name, round_money(value, entry.currency))
        return entry


dynamo.register_view(LedgerEntry)


class InvoicePostingKeys(Model):
    """
    The key-only view of a document's posting fields, for `backfill_postings`:
    written without touching the document's version (derived keys, like an
    index's), on the condition that its status is still the one read.
    """

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)
    posting_key = UnicodeAttribute(null=True)


dynamo.register_view(InvoicePostingKeys)


class AgeingSummary(Model):
    """
    The AP ageing report's figures (reports.ageing), computed from
    `open_items_index` by `ageing_refresh` and kept as one item in
    InvoicesTable like the dashboard's `InvoiceStatistics`: the report reads
    one item, never the open items themselves.
    """

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)  # "statistics#ageing"
    # The figures' JSON, or (bigger than one item holds) None and kept in
    # `parts` items of AgeingSummaryPart under `generation`.
    figures_json = UnicodeAttribute(null=True)
    parts = IntegerAttribute(null=True)
    generation = UnicodeAttribute(null=True)
    computed_at = UTCDateTimeAttribute()
    computed_in_ms = IntegerAttribute()

    KEY = "statistics#ageing"
    # DynamoDB holds 400 KB an item: larger figures are split in parts.
    PART_CHARACTERS = 350_000

    @property
    def figures(self) -> dict:
        if self.figures_json is not None:
            return json.loads(self.figures_json)
        keys = [AgeingSummaryPart.key(self.generation, n) for n in range(self.parts)]
        parts = {part.id: part.text for part in AgeingSummaryPart.batch_get(keys)}
        return json.loads("".join(parts[key] for key in keys))


class AgeingSummaryPart(Model):
    """One part of a large ageing summary's JSON, under its generation's key."""

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)  # "statistics#ageing#<generation>#<n>"
    text = UnicodeAttribute()

    @staticmethod
    def key(generation: str, number: int) -> str:
        return f"{AgeingSummary.KEY}#{generation}#{number}"


dynamo.register_view(AgeingSummary)
dynamo.register_view(AgeingSummaryPart)


# --- Recurring invoices (invoicing.recurring) --------------------------------

RECURRING_LISTING = "recurring"
# The value of `due` while a template raises invoices; removed when it is
# deactivated or has raised its last month, so the due index holds only those.
RECURRING_DUE = "due"


class RecurringLine(MapAttribute):
    line_number = IntegerAttribute()
    description = UnicodeAttribute()
    quantity = DecimalAttribute()
    unit_price = DecimalAttribute()
    total_amount = DecimalAttribute()


class RecurringListingIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing-created-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class RecurringDueIndex(GlobalSecondaryIndex):
    """Sparse: active templates by the next date they raise an invoice on."""

    class Meta:
        index_name = "due-next-date-index"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    next_date = UnicodeAttribute(range_key=True)


@dynamo.register
class RecurringInvoice(Model):
    """A vendor's monthly invoice without PO (rent): what to raise, and when."""

    Meta = dynamo.table_meta("RecurringInvoicesTable")

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=RECURRING_LISTING)
    vendor_id = UnicodeAttribute()
    vendor_name = UnicodeAttribute()
    currency = UnicodeAttribute()
    items = ListAttribute(of=RecurringLine)
    net_total = DecimalAttribute()
    tax_amount = DecimalAttribute()
    total_amount = DecimalAttribute()
    day_of_month = IntegerAttribute()  # 1-31; a shorter month uses its last day
    start_date = UnicodeAttribute()  # ISO date: the first invoice is on or after it
    end_date = UnicodeAttribute(null=True)  # ISO date: none after it
    next_date = UnicodeAttribute(null=True)  # ISO date; None once finished
    due = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    last_raised_month = UnicodeAttribute(null=True)  # "2026-02"
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    listing_index = RecurringListingIndex()
    due_index = RecurringDueIndex()

    @classmethod
    def from_raw_data(cls, data):
        template = super().from_raw_data(data)
        for line in template.items or []:
            line.unit_price = round_money(line.unit_price, template.currency)
            line.total_amount = round_money(line.total_amount, template.currency)
        for name in ("net_total", "tax_amount", "total_amount"):
            setattr(
                template, name, round_money(getattr(template, name), template.currency)
            )
        return template


# --- Credit notes (invoicing.credit_notes) ------------------------------------

# What a credit note may credit: an invoice (never a credit note) that is
# payable, in a payment run or paid. A received or rejected one is corrected
# instead; a void one owes nothing.
CREDITABLE_STATUSES = (
    InvoiceStatus.MATCHED.value,
    InvoiceStatus.APPROVED.value,
    InvoiceStatus.SCHEDULED.value,
    InvoiceStatus.PAID.value,
)


class InvoiceCreditedTotal(Model):
    """
    One per credited invoice, in InvoicesTable: the total of its credit notes
    that are not void (`credited_total`, in the invoice's currency).

    Added to in each credit note's entry transaction on the condition that
    it stays within the invoice's total, so two clerks crediting one invoice
    at once cannot together credit more than it billed; a void takes its
    credit note's total off again. Its own item, so the invoice's version
    (which payment runs condition on) is not touched.
    """

    Meta = dynamo.table_meta("InvoicesTable")

    id = UnicodeAttribute(hash_key=True)  # "credited#<invoice id>"
    credited_total = DecimalAttribute(null=True)

    @staticmethod
    def key(invoice_id: str) -> str:
        return f"credited#{invoice_id}"


dynamo.register_view(InvoiceCreditedTotal)
