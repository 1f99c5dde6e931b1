"""The vendor record on VendorsTable, its indexes and its life cycle."""

import datetime as dt
from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo, search_index
from core.days import site_today
from core.dynamo import IntegerAttribute, Model
from core.text import compact_key


class VendorStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"


# domain.md: pending -> active <-> inactive; any -> suspended. A suspended
# vendor may be reinstated (active) or retired (inactive) once cleared.
VENDOR_TRANSITIONS: dict[VendorStatus, set[VendorStatus]] = {
    VendorStatus.PENDING: {VendorStatus.ACTIVE, VendorStatus.SUSPENDED},
    VendorStatus.ACTIVE: {VendorStatus.INACTIVE, VendorStatus.SUSPENDED},
    VendorStatus.INACTIVE: {VendorStatus.ACTIVE, VendorStatus.SUSPENDED},
    VendorStatus.SUSPENDED: {VendorStatus.ACTIVE, VendorStatus.INACTIVE},
}

# Every vendor carries this constant in `listing` so the "all vendors" and
# name-prefix indexes have one partition to query. Vendor masters hold
# thousands of records, well within one index partition's throughput.
LISTING = "vendor"


def name_key(name: str) -> str:
    """The case-folded form of a name, which name searches compare."""
    return " ".join(name.casefold().split())


# An index sort key holds at most 1,024 bytes; case folding can lengthen a name.
NAME_KEY_MAX_BYTES = 1024


def tax_id_key(tax_id: str | None) -> str | None:
    """The form two tax ids compare in (`DE 123.456.789` = `de123456789`), or None."""
    if not tax_id:
        return None
    return compact_key(tax_id) or None


class StatusCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "status-created-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ListingCreatedIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "listing-created-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ListingNameIndex(GlobalSecondaryIndex):
    """Vendors by case-folded name, for prefix search."""

    class Meta:
        index_name = "listing-name-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class TaxIdIndex(GlobalSecondaryIndex):
    """Sparse: vendors by normalised tax id; a vendor without one is not in it."""

    class Meta:
        index_name = "tax-id-index"
        projection = AllProjection()

    tax_id_key = UnicodeAttribute(hash_key=True)


class VatIdIndex(GlobalSecondaryIndex):
    """Sparse: vendors by normalised VAT id; a vendor without one is not in it."""

    class Meta:
        index_name = "vat-id-index"
        projection = AllProjection()

    vat_id_key = UnicodeAttribute(hash_key=True)


class IbanIndex(GlobalSecondaryIndex):
    """Sparse: vendors by IBAN, so "another vendor has this IBAN" is one query."""

    class Meta:
        index_name = "iban-index"
        projection = AllProjection()

    iban = UnicodeAttribute(hash_key=True)


class BankQueueIndex(GlobalSecondaryIndex):
    """
    Sparse: the vendors whose bank details await a second user's confirmation,
    oldest change first. A vendor is in it only while `bank_details_queue` is set.
    """

    class Meta:
        index_name = "bank-queue-index"
        projection = AllProjection()

    bank_details_queue = UnicodeAttribute(hash_key=True)
    bank_details_changed_at = UTCDateTimeAttribute(range_key=True)


@dynamo.register
class Vendor(Model):
    Meta = dynamo.table_meta("VendorsTable")

    id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(default=LISTING)
    name = UnicodeAttribute()
    name_key = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    # The old free-text address, kept readable and writable for old API
    # clients; payment files use the structured parts below (issue 17).
    address = UnicodeAttribute(null=True)
    # Structured address (core.addresses): what `PstlAdr` in a pain.001 holds.
    street = UnicodeAttribute(null=True)
    building_number = UnicodeAttribute(null=True)
    address_line2 = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    town = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)  # ISO 3166 alpha-2
    tax_id = UnicodeAttribute(null=True)
    tax_id_key = UnicodeAttribute(null=True)  # tax_id_key(tax_id), for the index
    # Tax identity: the VAT id (checksum validated) and the country taxing it.
    vat_id = UnicodeAttribute(null=True)
    vat_id_key = UnicodeAttribute(null=True)  # tax_id_key(vat_id), for the index
    tax_country = UnicodeAttribute(null=True)  # ISO 3166 alpha-2
    # Coding defaults for this vendor's PO lines (accounting codes).
    default_tax_code = UnicodeAttribute(null=True)
    default_gl_account = UnicodeAttribute(null=True)
    default_cost_centre = UnicodeAttribute(null=True)
    payment_terms = UnicodeAttribute()
    status = UnicodeAttribute()
    currency = UnicodeAttribute()

    # Bank details: IBAN (+ BIC when known), or a US account + ABA routing number.
    iban = UnicodeAttribute(null=True)
    bic = UnicodeAttribute(null=True)
    account_number = UnicodeAttribute(null=True)
    routing_number = UnicodeAttribute(null=True)
    # Set to whoever last changed the bank details until another user confirms
    # them; while set, no payment run may pay this vendor.
    bank_details_changed_by = UnicodeAttribute(null=True)
    # Set with it (LISTING, and when) and removed with it: the keys of the
    # bank-detail confirmation queue, so the queue is a query, not a scan.
    bank_details_queue = UnicodeAttribute(null=True)
    bank_details_changed_at = UTCDateTimeAttribute(null=True)

    # Whether each payment to this vendor is announced by a remittance advice
    # e-mail when its run is exported; None (vendors kept before) reads as yes.
    remittance_advice = BooleanAttribute(null=True)

    payment_hold = BooleanAttribute(default=False)
    payment_hold_reason = UnicodeAttribute(null=True)
    payment_hold_until = UnicodeAttribute(null=True)  # ISO date; hold ends after it

    # Maintained by purchasing in the same transaction as a PO's creation and
    # deletion, so "delete only without POs" is a condition, not a race.
    po_count = IntegerAttribute(default=0)

    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()

    status_index = StatusCreatedIndex()
    listing_index = ListingCreatedIndex()
    name_index = ListingNameIndex()
    tax_id_index = TaxIdIndex()
    vat_id_index = VatIdIndex()
    bank_queue_index = BankQueueIndex()
    iban_index = IbanIndex()

    SEARCH_KIND = "vendors"

    def search_terms(self) -> search_index.SearchTerms:
        """The tax id and name words search finds the vendor by, and its accounts."""
        return search_index.search_terms(
            words=[
                *search_index.identifier_terms(self.tax_id),
                *search_index.text_terms(self.name),
            ],
            accounts=[self.iban, self.account_number],
        )

    @property
    def bank_details_awaiting_confirmation(self) -> bool:
        return self.bank_details_changed_by is not None

    def on_payment_hold(self, today: dt.date | None = None) -> bool:
        """True if no payment run may pick this vendor's invoices today."""
        if self.bank_details_awaiting_confirmation:
            return True
        if not self.payment_hold:
            return False
        if self.payment_hold_until:
            today = today or site_today()
            return today <= dt.date.fromisoformat(self.payment_hold_until)
        return True

    @property
    def sends_remittance_advice(self) -> bool:
        return self.remittance_advice is not False

    @property
    def has_bank_details(self) -> bool:
        return bool(self.iban or self.account_number)


class VendorOrderCounter(Model):
    """
    The vendor item seen only as its PO count and status.

    Purchasing adds to `po_count` in the same transaction as a PO's creation or
    deletion. Going through this view of the item keeps the vendor's `version`
    unchanged: a new PO is not an edit of the vendor, and must not make a
    clerk's open vendor form stale.
    """

    Meta = dynamo.table_meta("VendorsTable")

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)
    po_count = IntegerAttribute(default=0)


dynamo.register_view(VendorOrderCounter)


class VendorTaxIdKey(Model):
    """
    The vendor item seen only as its tax id and index key.

    Vendors stored before the tax-id index existed lack the key; filling it in
    through this view leaves the vendor's `version` alone, because deriving a
    key is not an edit and must not make an open vendor form stale.
    """

    Meta = dynamo.table_meta("VendorsTable")

    id = UnicodeAttribute(hash_key=True)
    tax_id = UnicodeAttribute(null=True)
    tax_id_key = UnicodeAttribute(null=True)


dynamo.register_view(VendorTaxIdKey)


class VendorVatIdKey(Model):
    """
    The vendor item seen only as its VAT id and index key: vendors stored
    before the VAT-id index get the key through it, their `version` untouched.
    """

    Meta = dynamo.table_meta("VendorsTable")

    id = UnicodeAttribute(hash_key=True)
    vat_id = UnicodeAttribute(null=True)
    vat_id_key = UnicodeAttribute(null=True)


dynamo.register_view(VendorVatIdKey)


def bank_queue_fields(*, changed_by: str | None, at) -> dict:
    """
    The attributes that put a vendor in the confirmation queue (bank details
    changed by `changed_by` at `at`), or take it out (`changed_by` None).
    """
    if changed_by is None:
        return {
            "bank_details_changed_by": None,
            "bank_details_queue": None,
            "bank_details_changed_at": None,
        }
    return {
        "bank_details_changed_by": changed_by,
        "bank_details_queue": LISTING,
        "bank_details_changed_at": at,
    }


class VendorBankQueueKey(Model):
    """
    The vendor item seen only as its bank-detail confirmation state.

    Vendors whose bank details awaited confirmation before the queue's index
    existed lack its keys; adding them through this view leaves the vendor's
    `version` alone, as deriving a key is not an edit.
    """

    Meta = dynamo.table_meta("VendorsTable")

    id = UnicodeAttribute(hash_key=True)
    bank_details_changed_by = UnicodeAttribute(null=True)
    bank_details_queue = UnicodeAttribute(null=True)
    bank_details_changed_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


dynamo.register_view(VendorBankQueueKey)
