"""
Amounts as the proposal page's script adds them (static/js/proposal_total.js):
whole minor units (cents), so a sum in the browser is exact, and the marks
the request's number format writes them with.
"""

from decimal import Decimal

from django import template

from core import number_format
from core.money import CURRENCY_MINOR_UNITS

register = template.Library()


@register.filter
def currency_places(currency: str) -> int:
    """EUR -> 2, JPY -> 0."""
    return CURRENCY_MINOR_UNITS.get(currency, 2)


@register.filter
def minor_units(value, currency: str = "EUR") -> int:
    """12.34|minor_units:"EUR" -> 1234: the amount in whole minor units."""
    if value in (None, ""):
        return 0
    return int(Decimal(value).scaleb(currency_places(currency)).to_integral_value())


@register.simple_tag
def decimal_mark() -> str:
    return number_format.active().decimal


@register.simple_tag
def group_mark() -> str:
    return number_format.active().group
