"""
What a request to build a payment run may ask for, cleaned: its payment
date, its currency, its idempotency key and the invoices it picks from a
proposal. Plain values in, plain values out; each refusal is the
ValidationFailed the user sees beside the field.
"""

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from core.errors import ValidationFailed
from core.money import MoneyError, validate_currency
from payments import calendar

MAX_DAYS_AHEAD = 366
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")


def parse_payment_date(value: Any) -> dt.date:
    """Accept a date or an ISO string."""
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "The payment date must be a date like 2026-12-01.",
            {"payment_date": "Enter a date like 2026-12-01."},
        ) from None


def clean_payment_date(
    value: Any, *, today: dt.date, currencies: Iterable[str | None] | None = None
) -> dt.date:
    """
    Accept a date or an ISO string, `today` or later (within a year) and,
    when `currencies` is given, a business day of each (see
    `clean_execution_date`).
    """
    date = parse_payment_date(value)
    if date < today:
        message = f"The payment date {date} is in the past; pick {today} or later."
        raise ValidationFailed(message, {"payment_date": message})
    if date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        message = "The payment date is more than a year ahead."
        raise ValidationFailed(message, {"payment_date": message})
    if currencies is not None:
        clean_execution_date(date, currencies=currencies)
    return date


def default_payment_date(today: dt.date) -> dt.date:
    """The date a new proposal starts from: today, or after a weekend Monday."""
    if settings.PAYMENT_BUSINESS_DAYS_ONLY and not calendar.is_business_day(
        today, None
    ):
        return calendar.next_business_day(today, None)
    return today


def clean_execution_date(date: dt.date, *, currencies: Iterable[str | None]) -> dt.date:
    """
    Refuse a date on a weekend or a holiday of the settlement calendar of any
    of `currencies` (none given: weekends only), offering the next business
    day of them all in the message and as `next_business_day`.
    """
    if not settings.PAYMENT_BUSINESS_DAYS_ONLY:
        return date
    refusal = calendar.payment_date_refusal(date, currencies)
    if refusal is None:
        return date
    message, following = refusal
    error = ValidationFailed(message, {"payment_date": message})
    error.extra["next_business_day"] = following.isoformat()
    raise error


def clean_run_currency(value: Any) -> str | None:
    """Return the run's currency code, None (every currency) when not given."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value.strip()) != 3:
        message = "The currency must be a three-letter ISO 4217 code, like EUR."
        raise ValidationFailed(message, {"currency": message})
    try:
        return validate_currency(str(value))
    except MoneyError as exc:
        raise ValidationFailed(str(exc), {"currency": str(exc)}) from None


def clean_idempotency_key(key: str | None) -> str | None:
    """Refuse an Idempotency-Key a header could not carry; None is no key."""
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed(
            "An Idempotency-Key is 1 to 100 printable characters without spaces.",
            {"idempotency_key": "Invalid key."},
        )
    return key


def request_fingerprint(**fields: Any) -> str:
    """Return the SHA-256 of a request's fields, the same for the same request."""
    canonical = json.dumps(fields, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


# A refusal names this many of the values it refuses, each cut to this many
# characters: enough to find them, never the request echoed back whole.
ECHO_MAX_VALUES = 10
ECHO_MAX_CHARS = 64


def _few(values: Sequence[str]) -> str:
    """Name the first few of `values`, each cut short, and how many more."""
    named = [
        v if len(v) <= ECHO_MAX_CHARS else v[: ECHO_MAX_CHARS - 1] + "…"
        for v in values[:ECHO_MAX_VALUES]
    ]
    more = len(values) - len(named)
    return ", ".join(named) + (f" and {more} more" if more else "")


def invoices_selected(proposal, invoice_ids: Sequence[str] | None, *, limit: int):
    """
    Return the proposed invoices (ProposedInvoice) the run pays: those of
    `invoice_ids` (None: every proposed one), refusing an invoice the
    proposal does not hold, a vendor whose bank details cannot be paid, an
    empty choice and more than `limit` invoices.
    """
    proposed = proposal.invoices()
    if invoice_ids is None:
        chosen = list(proposed.values())
    else:
        unknown = [i for i in dict.fromkeys(invoice_ids) if i not in proposed]
        if unknown:
            raise ValidationFailed(
                "These invoices cannot be paid by this run (not matched, already "
                "in a run, not due, or their vendor is on hold): " + _few(unknown),
                {"invoice_ids": "Some invoices are not payable in this run."},
            )
        chosen = [proposed[i] for i in dict.fromkeys(invoice_ids)]
    if not chosen:
        message = "There is nothing to pay: no matched invoice is due by this date."
        raise ValidationFailed(message, {"invoice_ids": message})
    chosen_ids = {c.invoice.id for c in chosen}
    blocking = [
        p
        for p in proposal.blocking
        if any(i.invoice.id in chosen_ids for i in p.invoices)
    ]
    if blocking:
        error = ValidationFailed(
            "These vendors cannot be paid until their bank details are fixed; "
            "fix them or leave their invoices out: "
            + "; ".join(f"{p.vendor.name}: {p.problem}" for p in blocking),
            {"invoice_ids": "Some vendors have no valid bank details."},
        )
        error.extra["blocking_vendors"] = [
            {"vendor_id": p.vendor.id, "name": p.vendor.name, "problem": p.problem}
            for p in blocking
        ]
        raise error
    if len(chosen) > limit:
        message = f"A run pays at most {limit} invoices; {len(chosen)} are selected."
        raise ValidationFailed(message, {"invoice_ids": message})
    return chosen
