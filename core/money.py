"""
Money: `Decimal` amounts with an ISO 4217 currency, never floats.

Line amount = quantity x unit price, rounded half up to the currency's minor
unit (domain.md, "Money").
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units for the currencies a finance team is likely to meet.
# A currency missing here is refused rather than guessed.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "AED": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2,
    "CLP": 0, "CNY": 2, "CZK": 2, "DKK": 2, "EUR": 2, "GBP": 2, "HKD": 2,
    "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0,
    "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NOK": 2, "NZD": 2, "OMR": 3,
    "PHP": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
    "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}  # fmt: skip

CURRENCY_CHOICES = sorted(CURRENCY_MINOR_UNITS)

# Far beyond any real amount or quantity, and well inside Decimal's precision.
MAX_AMOUNT = Decimal("1e15")


class MoneyError(ValueError):
    """An amount or currency that cannot be accepted."""


def validate_currency(code: str) -> str:
    """Return the upper-cased ISO 4217 code, or raise MoneyError."""
    normalised = (code or "").strip().upper()
    if normalised not in CURRENCY_MINOR_UNITS:
        raise MoneyError(f"'{code}' is not a supported ISO 4217 currency code.")
    return normalised


def minor_unit_exponent(currency: str) -> Decimal:
    """Return the quantum of the currency's minor unit, e.g. Decimal('0.01')."""
    return Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[validate_currency(currency)])


# The longest number a person could mean, as written: 1e15 to three decimal
# places is 20 characters. Bounding the text first keeps hostile input such as
# "1e999999999" away from Decimal arithmetic (and int conversion), whose cost
# grows with the exponent.
MAX_NUMBER_TEXT = 40
# At most this many decimal places are ever meaningful (quantities have 3).
MAX_DECIMAL_PLACES = 20
# Digits as ASCII only: Python's Decimal and int also read Arabic-Indic and
# full-width digits and underscores ("1_000"), which no amount field means.
_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# Spaces around a number typed in a form; a no-break space is not among them.
_ASCII_SPACE = " \t\r\n"


def check_number_text(text: str, *, field: str = "A number") -> str:
    """
    Refuse the text of a number too long to be an amount, before any
    conversion; return it unchanged otherwise.
    """
    if len(text) > MAX_NUMBER_TEXT:
        raise MoneyError(
            f"{field} is too long: at most {MAX_NUMBER_TEXT} characters "
            f"(this has {len(text)})."
        )
    return text


def parse_decimal(value: object, *, field: str = "amount") -> Decimal:
    """
    Parse user input into a finite Decimal below MAX_AMOUNT; floats are refused.

    Accepted: ASCII digits with an optional sign, point and exponent, and
    ASCII spaces around them. Refused before any arithmetic: longer text than
    MAX_NUMBER_TEXT, an exponent putting the value at or beyond MAX_AMOUNT or
    below MAX_DECIMAL_PLACES, and a negative zero.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{field} must be given as a decimal string, not a float.")
    if isinstance(value, Decimal) and not value.is_finite():
        raise MoneyError(f"{field} must be a finite number.")
    text = str(value).strip(_ASCII_SPACE)
    check_number_text(text, field=field)
    if not _NUMBER_TEXT.fullmatch(text):
        if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
            raise MoneyError(f"{field} must be a finite number.")
        raise MoneyError(f"{field} must be a number.")
    try:
        result = Decimal(text)
    except InvalidOperation:  # an exponent past Decimal's own limits ("0e" + 36 9s)
        raise MoneyError(f"{field} must be a number.") from None
    # adjusted() and as_tuple() read the exponent without any arithmetic, so
    # no context limit (decimal.Overflow) can be met here.
    if result and result.adjusted() >= MAX_AMOUNT.adjusted():
        raise MoneyError(f"{field} is too large.")
    if -result.as_tuple().exponent > MAX_DECIMAL_PLACES:
        raise MoneyError(f"{field} has too many decimal places.")
    if result.is_zero() and result.is_signed():
        raise MoneyError(f"{field} cannot be -0.")
    if result.is_zero() and result.as_tuple().exponent > 0:
        result = Decimal(0)  # "0E+99" is stored and shown as the 0 it is
    return result


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit."""
    return amount.quantize(minor_unit_exponent(currency), rounding=ROUND_HALF_UP)


def check_precision(
    amount: Decimal, currency: str, *, field: str = "amount"
) -> Decimal:
    """Refuse an amount with more decimals than the currency allows."""
    places = CURRENCY_MINOR_UNITS[validate_currency(currency)]
    if amount != amount.quantize(minor_unit_exponent(currency)):
        raise MoneyError(
            f"{field} has more than {places} decimal places for {currency}."
        )
    return amount


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal.")
        object.__setattr__(self, "currency", validate_currency(self.currency))

    def __add__(self, other: "Money") -> "Money":
        if other.currency != self.currency:
            raise MoneyError(f"Cannot add {other.currency} to {self.currency}.")
        return Money(self.amount + other.amount, self.currency)

    def rounded(self) -> "Money":
        return Money(round_money(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        places = CURRENCY_MINOR_UNITS[self.currency]
        return f"{self.currency} {self.amount:,.{places}f}"


def line_amount(quantity: Decimal, unit_price: Decimal, currency: str) -> Decimal:
    """Return quantity x unit price rounded half up to the currency's minor unit."""
    return round_money(quantity * unit_price, currency)
