"""
The rules of exchange rates and conversion to the base currency: pure
functions, no I/O.

A rate says what one unit of a currency is worth in the base currency
(settings.BASE_CURRENCY, EUR by default): KWD at 3.2500 means
KWD 1.000 = EUR 3.25. A converted amount is amount x rate, rounded half up
to the base currency's minor unit, once.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from core.errors import InvalidTransition, ValidationFailed
from core.money import Money, MoneyError, parse_decimal, round_money, validate_currency
from core.text import TextError, clean_text

# A rate is kept to this many decimal places (IDR and VND to EUR need them).
RATE_PLACES = 10
# No currency is worth a million units of another; a rate this large is a typo.
MAX_RATE = Decimal("1000000")
MAX_SOURCE = 200


def base_currency() -> str:
    return settings.BASE_CURRENCY


class NoExchangeRate(InvalidTransition):
    """No rate of the currency is in effect, so its amounts cannot be compared."""

    def __init__(self, currency: str):
        super().__init__(
            f"There is no exchange rate for {currency}; an Admin must enter one.",
            {"currency": currency},
        )


@dataclass(frozen=True)
class Conversion:
    """An amount and what it is worth in the base currency, with the rate used."""

    amount: Decimal
    currency: str
    base_amount: Decimal
    base_currency: str
    rate: Decimal  # 1 for an amount already in the base currency
    valid_from: str | None  # the rate's date; None for the base currency

    @property
    def base_money(self) -> Money:
        return Money(self.base_amount, self.base_currency)

    @property
    def rate_text(self) -> str:
        """The rate as people write it, without trailing zeros: "1.1", "0.0000571"."""
        return f"{self.rate.normalize():f}"

    @property
    def is_converted(self) -> bool:
        return self.currency != self.base_currency

    def as_details(self) -> dict[str, Any]:
        """The conversion as an audit entry records it, so an auditor sees why."""
        return {
            "base_currency": self.base_currency,
            "base_amount": self.base_amount,
            "exchange_rate": self.rate if self.is_converted else None,
            "rate_valid_from": self.valid_from,
        }


def convert(amount: Decimal, currency: str, rate=None) -> Conversion:
    """
    Convert `amount` in `currency` to the base currency at `rate` (an
    ExchangeRate of that currency, or None when none is in effect).

    An amount already in the base currency needs no rate; any other without
    one raises NoExchangeRate.
    """
    base = base_currency()
    if currency == base:
        return Conversion(amount, currency, amount, base, Decimal("1"), None)
    if rate is None:
        raise NoExchangeRate(currency)
    if rate.currency != currency or rate.base_currency != base:
        raise ValueError(f"{rate.label} does not convert {currency} to {base}.")
    return Conversion(
        amount=amount,
        currency=currency,
        base_amount=round_money(amount * rate.rate, base),
        base_currency=base,
        rate=rate.rate,
        valid_from=rate.valid_from,
    )


@dataclass(frozen=True)
class RateInput:
    currency: str
    valid_from: str  # ISO date
    rate: Decimal
    source: str | None


def clean_rate(*, currency: Any, valid_from: Any, rate: Any, source: Any) -> RateInput:
    """Return the rate as it is stored, or raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    base = base_currency()
    try:
        currency = validate_currency(currency if isinstance(currency, str) else "")
    except MoneyError as exc:
        errors["currency"] = str(exc)
    else:
        if currency == base:
            errors["currency"] = (
                f"{base} is the base currency: its amounts need no rate."
            )
    if isinstance(valid_from, dt.datetime):
        valid_from = valid_from.date()
    if isinstance(valid_from, dt.date):
        valid_from = valid_from.isoformat()
    else:
        try:
            valid_from = dt.date.fromisoformat(
                str(valid_from or "").strip()
            ).isoformat()
        except ValueError:
            errors["valid_from"] = "Use a date like 2026-12-31."
    try:
        rate = parse_decimal(rate, field="The rate")
    except MoneyError as exc:
        errors["rate"] = str(exc)
    else:
        if rate <= 0:
            errors["rate"] = "The rate must be more than zero."
        elif rate >= MAX_RATE:
            errors["rate"] = f"The rate must be less than {MAX_RATE:,}."
        elif rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
            errors["rate"] = f"At most {RATE_PLACES} decimal places."
    try:
        source = clean_text(source, max_length=MAX_SOURCE)
    except TextError as exc:
        errors["source"] = str(exc)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return RateInput(currency, valid_from, rate, source)
