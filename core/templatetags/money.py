"""Template filters for amounts: exact Decimals shown in their currency's format."""

from decimal import Decimal

from django import template

from core.money import CURRENCY_MINOR_UNITS

register = template.Library()


@register.filter
def amount(value, currency: str = "EUR") -> str:
    """1234.5|amount:"EUR" -> "1,234.50" (the currency's decimal places)."""
    if value in (None, ""):
        return ""
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    return f"{Decimal(value):,.{places}f}"


@register.filter
def money(value, currency: str = "EUR") -> str:
    """1234.5|money:"EUR" -> "EUR 1,234.50"."""
    if value in (None, ""):
        return ""
    return f"{currency} {amount(value, currency)}"


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros: 10.000 -> 10, 2.50 -> 2.5."""
    if value in (None, ""):
        return ""
    normalised = Decimal(value).normalize()
    return f"{normalised:f}"
