"""
Every write to exchange rates: one conditional TransactWrite holding the new
rate and its EXCHANGE_RATE_ACTION audit entry, both or neither.
"""

from typing import Any

from accounts.roles import require_second_factor
from audit.entries import actor_id, audit_entry_add
from core import dynamo
from core.errors import PermissionDenied, StaleRecord, ValidationFailed
from core.writes import MAX_ATTEMPTS, retry_pause
from exchange_rates import events, rules
from exchange_rates.models import ExchangeRate, rate_key
from exchange_rates.selectors import exchange_rate_get


def exchange_rate_create(
    *,
    user,
    currency: Any,
    valid_from: Any,
    rate: Any,
    source: Any = None,
) -> ExchangeRate:
    """
    Enter what one unit of `currency` is worth in the base currency from
    `valid_from` on (Admin only); one rate per currency and date, never changed.
    """
    if not getattr(user, "is_superuser", False):
        raise PermissionDenied("Only an Admin may enter exchange rates.")
    require_second_factor(user, action="enter exchange rates")
    cleaned = rules.clean_rate(
        currency=currency, valid_from=valid_from, rate=rate, source=source
    )
    record = ExchangeRate(
        id=rate_key(cleaned.currency, cleaned.valid_from),
        currency=cleaned.currency,
        valid_from=cleaned.valid_from,
        base_currency=rules.base_currency(),
        rate=cleaned.rate,
        source=cleaned.source,
        created_at=dynamo.utcnow(),
        created_by=actor_id(user),
    )
    for attempt in range(MAX_ATTEMPTS):
        entry = events.exchange_rate_created_event(rate=record, user=user)
        try:
            with dynamo.write_transaction() as transaction:
                transaction.save(record, condition=ExchangeRate.id.does_not_exist())
                audit_entry_add(transaction, entry)
        except StaleRecord:
            existing = exchange_rate_get(
                currency=cleaned.currency, valid_from=cleaned.valid_from
            )
            if existing is not None:
                message = (
                    f"{existing.label} is already entered (1 {existing.currency} = "
                    f"{existing.rate} {existing.base_currency}, by "
                    f"{existing.created_by}); a rate is never changed: enter the "
                    "new one from a later date."
                )
                raise ValidationFailed(message, {"valid_from": message}) from None
            retry_pause(attempt)  # another write crossed this one: nothing written
            continue
        return record
    raise StaleRecord("Exchange rates are being entered right now; please try again.")
