"""
The e-invoice intake (EInvoiceIntakeTable): documents that arrived but could
not become an invoice yet, and the fingerprint of every file taken in.

An e-invoice whose vendor or PO is found becomes an invoice (or credit note)
at once; one whose seller matches no vendor waits in the inbox as
`needs_vendor`, one whose order reference names no PO of that vendor as
`needs_po`, until a clerk resolves it (`einvoicing.services`). Refused
documents (invalid, unreadable) are never stored: the upload, the API or
the import command reports them and keeps nothing.

Every file taken in (as an invoice or into the inbox) leaves a
`SourceFingerprint` keyed by its SHA-256, written in the same transaction,
so a file sent twice (a re-run of `import_einvoices`, two clerks uploading
it at once) is taken in once.
"""

import json
from enum import StrEnum

from pynamodb.attributes import (
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import DecimalAttribute, Model
from core.money import round_money


class IntakeStatus(StrEnum):
    NEEDS_VENDOR = "needs_vendor"
    NEEDS_PO = "needs_po"
    IMPORTED = "imported"  # became an invoice or credit note (`invoice_id`)
    DISCARDED = "discarded"  # a clerk removed it (with a reason)


WAITING_STATUSES = frozenset({IntakeStatus.NEEDS_VENDOR, IntakeStatus.NEEDS_PO})

INTAKE_TRANSITIONS: dict[IntakeStatus, set[IntakeStatus]] = {
    IntakeStatus.NEEDS_VENDOR: {
        IntakeStatus.NEEDS_PO,
        IntakeStatus.IMPORTED,
        IntakeStatus.DISCARDED,
    },
    IntakeStatus.NEEDS_PO: {
        IntakeStatus.NEEDS_VENDOR,
        IntakeStatus.IMPORTED,
        IntakeStatus.DISCARDED,
    },
    IntakeStatus.IMPORTED: set(),
    IntakeStatus.DISCARDED: set(),
}

LISTING = "intake"
# The value of `inbox` while an item waits; removed when it is imported or
# discarded, so the inbox index holds only the waiting ones.
WAITING = "waiting"


class ListingReceivedIndex(GlobalSecondaryIndex):
    """Every intake item, newest first: the inbox's "all" view."""

    class Meta:
        index_name = "listing-received-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute(range_key=True)


class InboxIndex(GlobalSecondaryIndex):
    """Sparse: only waiting items carry `inbox`: the inbox itself."""

    class Meta:
        index_name = "inbox-received-index"
        projection = AllProjection()

    inbox = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute(range_key=True)


@dynamo.register
class EInvoiceIntake(Model):
    """One e-invoice waiting for its vendor or PO, or resolved from the inbox."""

    Meta = dynamo.table_meta("EInvoiceIntakeTable")

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING)
    inbox = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # IntakeStatus
    # The file as received and the XML read from it (the same key for a
    # plain XML file), in document storage; their SHA-256.
    file_name = UnicodeAttribute()
    source_sha256 = UnicodeAttribute()  # of the file as received
    xml_key = UnicodeAttribute()
    pdf_key = UnicodeAttribute(null=True)  # a Factur-X PDF
    syntax = UnicodeAttribute()  # document.Syntax
    container = UnicodeAttribute()  # document.Container
    # What the inbox lists and the API returns, read from the document.
    document_type = UnicodeAttribute()  # document.EInvoiceType
    invoice_number = UnicodeAttribute()
    issue_date = UnicodeAttribute()  # ISO date
    currency = UnicodeAttribute()
    seller_name = UnicodeAttribute()
    seller_vat_id = UnicodeAttribute(null=True)
    seller_legal_id = UnicodeAttribute(null=True)
    seller_iban = UnicodeAttribute(null=True)
    order_reference = UnicodeAttribute(null=True)
    net_total = DecimalAttribute()
    tax_amount = DecimalAttribute()
    total_amount = DecimalAttribute()
    amount_due = DecimalAttribute()
    # The EN 16931 warnings it passed with: [{"rule", "flag", "message"}].
    warnings_json = UnicodeAttribute(null=True)
    # Why it waits, in words ("No vendor has VAT id DE123..."), and what was found.
    reason = UnicodeAttribute(null=True)
    vendor_id = UnicodeAttribute(null=True)
    vendor_name = UnicodeAttribute(null=True)
    # Once imported: the invoice it became; once discarded: why.
    invoice_id = UnicodeAttribute(null=True)
    discard_reason = UnicodeAttribute(null=True)
    received_by = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    resolved_by = UnicodeAttribute(null=True)
    resolved_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()

    listing_index = ListingReceivedIndex()
    inbox_index = InboxIndex()

    @classmethod
    def from_raw_data(cls, data):
        # DynamoDB drops trailing zeros; amounts get their minor unit back.
        item = super().from_raw_data(data)
        if item.currency:
            for name in ("net_total", "tax_amount", "total_amount", "amount_due"):
                setattr(item, name, round_money(getattr(item, name), item.currency))
        return item

    @property
    def warnings(self) -> list[dict]:
        return json.loads(self.warnings_json) if self.warnings_json else []

    @property
    def waiting(self) -> bool:
        return self.status in WAITING_STATUSES


class SourceFingerprint(Model):
    """
    One per file taken in, keyed "sha256#<hex>" in EInvoiceIntakeTable:
    what it became (an invoice, or an intake item), written with
    `attribute_not_exists` in the same transaction as that record.
    """

    Meta = dynamo.table_meta("EInvoiceIntakeTable")

    id = UnicodeAttribute(hash_key=True)
    invoice_id = UnicodeAttribute(null=True)
    intake_id = UnicodeAttribute(null=True)
    file_name = UnicodeAttribute(null=True)
    taken_at = UTCDateTimeAttribute(null=True)

    @staticmethod
    def key(sha256: str) -> str:
        return f"sha256#{sha256}"


dynamo.register_view(SourceFingerprint)
