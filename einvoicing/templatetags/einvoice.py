"""Showing an e-invoice's printed numbers without losing a decimal it printed."""

from decimal import Decimal

from django import template

from core import number_format
from core.money import CURRENCY_MINOR_UNITS

register = template.Library()


@register.filter
def printed_price(value, currency: str = "EUR") -> str:
    """A unit price with the currency's places, or more when it printed more: 0.7534."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    places = max(CURRENCY_MINOR_UNITS.get(currency, 2), -value.as_tuple().exponent)
    return number_format.active().format(value, places=places)
