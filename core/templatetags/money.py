"""
Template filters for amounts: exact Decimals shown in their currency's
places and in the number format of the request (`core.number_format`: the
user's, else NUMBER_FORMAT_DEFAULT), as Django's translation reads the
active language: the signatures stay those of plain filters.
"""

from decimal import Decimal

from django import template

from core import number_format
from core.money import CURRENCY_MINOR_UNITS

register = template.Library()


@register.filter
def amount(value, currency: str = "EUR") -> str:
    """1234.5|amount:"EUR" -> "1,234.50" (or "1.234,50": the currency's places)."""
    if value in (None, ""):
        return ""
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    return number_format.active().format(Decimal(value), places=places)


@register.filter
def money(value, currency: str = "EUR") -> str:
    """1234.5|money:"EUR" -> "EUR 1,234.50"."""
    if value in (None, ""):
        return ""
    return f"{currency} {amount(value, currency)}"


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros: 10.000 -> 10, 2.50 -> 2.5 (or 2,5)."""
    if value in (None, ""):
        return ""
    normalised = Decimal(value).normalize()
    return number_format.active().format(normalised, grouped=False)
