"""
Exchange rates on ExchangeRatesTable: what one unit of a currency is worth
in the company's base currency (settings.BASE_CURRENCY), from a date on.

One item per (currency, valid-from date), its key built from both, so a
second rate for the same day is refused by the key itself. Rates are never
changed nor deleted: an approval records the rate it used, and a correction
is a new rate from a later date.
"""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from core import dynamo
from core.dynamo import DecimalAttribute, Model

# Every rate carries this constant in `listing`, so the list of all rates is
# one index partition: a company keeps a few rates a day at most.
LISTING = "rate"


def rate_key(currency: str, valid_from: str) -> str:
    """The item key of the rate of `currency` valid from the ISO date `valid_from`."""
    return f"{currency}#{valid_from}"


class CurrencyValidFromIndex(GlobalSecondaryIndex):
    """One currency's rates by date: the rate in effect is one query of one item."""

    class Meta:
        index_name = "currency-valid-from-index"
        projection = AllProjection()

    currency = UnicodeAttribute(hash_key=True)
    valid_from = UnicodeAttribute(range_key=True)


class ListingValidFromIndex(GlobalSecondaryIndex):
    """Every rate by date, for the list page."""

    class Meta:
        index_name = "listing-valid-from-index"
        projection = AllProjection()

    listing = UnicodeAttribute(hash_key=True)
    valid_from = UnicodeAttribute(range_key=True)


@dynamo.register
class ExchangeRate(Model):
    Meta = dynamo.table_meta("ExchangeRatesTable")

    id = UnicodeAttribute(hash_key=True)  # rate_key(currency, valid_from)
    listing = UnicodeAttribute(default=LISTING)
    currency = UnicodeAttribute()
    valid_from = UnicodeAttribute()  # ISO date
    base_currency = UnicodeAttribute()
    # Units of `base_currency` one unit of `currency` is worth.
    rate = DecimalAttribute()
    source = UnicodeAttribute(null=True)  # where the rate comes from (ECB, bank)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()

    currency_index = CurrencyValidFromIndex()
    listing_index = ListingValidFromIndex()

    @property
    def label(self) -> str:
        """How the audit trail and the pages name a rate: "KWD from 2026-12-01"."""
        return f"{self.currency} from {self.valid_from}"
