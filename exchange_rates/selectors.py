"""Reads of exchange rates, always by key or through an index."""

import datetime as dt
from decimal import Decimal

from accounts.roles import Role, require_role, require_second_factor
from core import dynamo
from core.errors import PermissionDenied
from exchange_rates import rules
from exchange_rates.models import LISTING, ExchangeRate, rate_key


def require_rate_reader(user) -> None:
    """The rate list is the Admin's, who keeps it, and the Auditor's, who reads everything."""
    if getattr(user, "is_superuser", False):
        require_second_factor(user, action="read the exchange rates")
        return
    try:
        require_role(user, Role.AUDITOR, action="read the exchange rates")
    except PermissionDenied:
        raise PermissionDenied(
            "Only an Admin (or an Auditor) may see the exchange rates list."
        ) from None


def exchange_rate_get(*, currency: str, valid_from: str) -> ExchangeRate | None:
    try:
        return ExchangeRate.get(rate_key(currency, valid_from), consistent_read=True)
    except ExchangeRate.DoesNotExist:
        return None


def exchange_rate_in_effect(*, currency: str, on: dt.date) -> ExchangeRate | None:
    """
    Return the rate of `currency` in effect on `on`: the one with the latest
    valid-from date on or before it (one index query of one item), or None.
    """
    for rate in ExchangeRate.currency_index.query(
        currency,
        range_key_condition=ExchangeRate.valid_from <= on.isoformat(),
        scan_index_forward=False,
        limit=1,
    ):
        if rate.base_currency == rules.base_currency():
            return rate
    return None


def conversion_to_base(
    *, amount: Decimal, currency: str, on: dt.date, rates: dict | None = None
) -> rules.Conversion:
    """
    Convert `amount` to the base currency at the rate in effect on `on`;
    NoExchangeRate when there is none. `rates` caches rates by currency
    across the calls of one request.
    """
    if currency == rules.base_currency():
        return rules.convert(amount, currency)
    if rates is None:
        rates = {}
    if currency not in rates:
        rates[currency] = exchange_rate_in_effect(currency=currency, on=on)
    return rules.convert(amount, currency, rates[currency])


def exchange_rate_list(
    *, currency: str | None = None, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return a page of rates, latest valid-from first; one currency's, or all."""
    if currency:
        return dynamo.query_page(
            ExchangeRate.currency_index, currency, cursor=cursor, limit=limit
        )
    return dynamo.query_page(
        ExchangeRate.listing_index, LISTING, cursor=cursor, limit=limit
    )
