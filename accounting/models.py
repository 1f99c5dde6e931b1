"""
The company's accounting codes: tax codes (TaxCodesTable), GL accounts
(GlAccountsTable) and cost centres (CostCentresTable), maintained by Admin.

Each item's key is its code, so a second record with the same code is refused
by the key itself. A code is never deleted (documents name it): it is made
inactive, which refuses it on new documents.
"""

from enum import StrEnum

from pynamodb.attributes import (
    BooleanAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import DecimalAttribute, Model

# Every code carries this constant in `listing`: a chart of accounts holds
# hundreds of codes at most, one index partition lists them all by code.
LISTING = "code"


class VatCategory(StrEnum):
    """EN 16931's VAT category codes (UNTDID 5305, as BT-151 uses them)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


VAT_CATEGORY_LABELS = {
    VatCategory.STANDARD: "Standard rate",
    VatCategory.ZERO: "Zero rated",
    VatCategory.EXEMPT: "Exempt",
    VatCategory.REVERSE_CHARGE: "Reverse charge",
    VatCategory.INTRA_COMMUNITY: "Intra-community supply",
    VatCategory.EXPORT: "Export outside the EU",
    VatCategory.OUTSIDE_SCOPE: "Outside the scope of VAT",
}

# The vendor charges no tax on these: the buyer self-assesses (reverse charge,
# intra-community acquisition) or none is due. A line of one with tax charged
# is TAX_CATEGORY_MISMATCH.
NO_TAX_CHARGED = frozenset(
    {
        VatCategory.ZERO,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_COMMUNITY,
        VatCategory.EXPORT,
        VatCategory.OUTSIDE_SCOPE,
    }
)
# The buyer accounts for the tax itself: input VAT and output VAT both post.
SELF_ASSESSED = frozenset({VatCategory.REVERSE_CHARGE, VatCategory.INTRA_COMMUNITY})


class ListingCodeIndex(GlobalSecondaryIndex):
    """Every code of one table in code order, for the list pages and the API."""

    class Meta:
        index_name = "listing-code-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)


class _Code(Model):
    """What every accounting code has: its code, name, active flag and history."""

    id = UnicodeAttribute(hash_key=True)  # the code itself
    listing = UnicodeAttribute(default=LISTING)
    code = UnicodeAttribute()
    name = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()

    listing_index = ListingCodeIndex()

    @property
    def label(self) -> str:
        """How the pages and the audit trail name a code: "4000 Materials"."""
        return f"{self.code} {self.name}"


@dynamo.register
class TaxCode(_Code):
    Meta = dynamo.table_meta("TaxCodesTable")

    rate = DecimalAttribute()  # percent, exact: 19, 7, 0, 8.875
    category = UnicodeAttribute()  # VatCategory
    # Input VAT (recoverable tax) posts here; None when nothing is recoverable.
    gl_account = UnicodeAttribute(null=True)
    # Self-assessed codes (reverse charge): the output VAT the buyer owes.
    reverse_charge_account = UnicodeAttribute(null=True)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name} ({self.rate}%)"


@dynamo.register
class GlAccount(_Code):
    Meta = dynamo.table_meta("GlAccountsTable")


@dynamo.register
class CostCentre(_Code):
    Meta = dynamo.table_meta("CostCentresTable")
