"""
The company's own bank accounts (BankAccountsTable): the accounts payment
runs pay from, one per currency in use, maintained by Admin (issue 17).

A run pays each currency from the active account of that currency, and its
pain.001 names that account as the debtor's (`DbtrAcct`, `DbtrAgt`, the
debtor's structured `PstlAdr`). Like a vendor's bank details, a change to an
account's numbers awaits a second person's confirmation before a run may use
the account (four-eyes).
"""

from pynamodb.attributes import (
    BooleanAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import Model

# Every account carries this constant in `listing`: a company has a handful.
LISTING = "bank_account"


class ListingNameIndex(GlobalSecondaryIndex):
    """Every account by name, for the list page and the API."""

    class Meta:
        index_name = "listing-name-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class IbanIndex(GlobalSecondaryIndex):
    """Sparse: accounts by IBAN, so "is this IBAN our own?" is one query."""

    class Meta:
        index_name = "iban-index"
        projection = AllProjection()

    iban = UnicodeAttribute(hash_key=True)


@dynamo.register
class CompanyBankAccount(Model):
    Meta = dynamo.table_meta("BankAccountsTable")

    id = UnicodeAttribute(hash_key=True)  # 32 hex digits
    listing = UnicodeAttribute(default=LISTING)
    name = UnicodeAttribute()  # "Operating account EUR"
    currency = UnicodeAttribute()  # ISO 4217: the payments it makes
    # The account: an IBAN (+ BIC), or a US account number + ABA routing number.
    iban = UnicodeAttribute(null=True)
    bic = UnicodeAttribute(null=True)
    account_number = UnicodeAttribute(null=True)
    routing_number = UnicodeAttribute(null=True)
    # The account holder's structured address (core.addresses), the debtor's
    # `PstlAdr` in the payment file.
    street = UnicodeAttribute(null=True)
    building_number = UnicodeAttribute(null=True)
    address_line2 = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    town = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)  # ISO 3166 alpha-2
    active = BooleanAttribute(default=True)
    # Set to whoever last changed the account's numbers until another user
    # confirms them; while set, no run pays from this account.
    changed_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()

    listing_index = ListingNameIndex()
    iban_index = IbanIndex()

    @property
    def awaiting_confirmation(self) -> bool:
        return self.changed_by is not None

    @property
    def number(self) -> str | None:
        """The account's number: its IBAN, or its US account number."""
        return self.iban or self.account_number

    @property
    def usable(self) -> bool:
        """Whether a run may pay from this account now."""
        return self.active and not self.awaiting_confirmation


class ActiveCurrencyGuard(Model):
    """
    One item per currency with an active account (`active#EUR`), naming it:
    written with the account in the same transaction, on the condition that
    no other account holds it, so two Admins activating a second EUR account
    at the same moment cannot both succeed. It has no `listing`: the list
    index never shows it.
    """

    Meta = dynamo.table_meta("BankAccountsTable")

    id = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()

    @staticmethod
    def key(currency: str) -> str:
        return f"active#{currency}"


dynamo.register_view(ActiveCurrencyGuard)
