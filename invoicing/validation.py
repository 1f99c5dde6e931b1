"""
The rules an invoice as entered must satisfy, shared by entry and correction.

`clean_invoice_fields` takes raw values (form strings or API JSON) and
returns normalised values, or raises ValidationFailed naming each bad field;
`due_dates` applies the vendor's payment terms.
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings

from core.errors import ValidationFailed
from core.lines import check_amount_limit, clean_lines, lines_total
from core.money import Money, MoneyError, check_precision, parse_decimal, round_money
from core.text import TextError, clean_text
from invoicing.numbers import normalise_invoice_number
from vendors.payment_terms import PaymentTermsError, parse_payment_terms
from vendors.selectors import vendor_get

MAX_NUMBER_LENGTH = 50


def _money_field(value: Any, currency: str, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = parse_decimal(value, field=field)
        if amount < 0:
            raise MoneyError(f"{field} cannot be negative.")
        return check_precision(amount, currency, field=field)
    except MoneyError as exc:
        errors[field] = str(exc)
        return None


def _clean_date(
    value: Any, field: str, errors: dict, *, today: dt.date
) -> dt.date | None:
    if isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors[field] = "Use a date like 2026-12-31."
            return None
    if date > today:
        errors[field] = "The invoice date cannot be in the future."
    return date


def clean_invoice_fields(
    *,
    po=None,
    currency: str | None = None,
    invoice_number: Any,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any,
    total_amount: Any,
    coding: Callable[[list[dict]], list[dict]] | None = None,
) -> dict[str, Any]:
    """
    Validate an invoice as entered; the total must be its lines plus tax.
    Amounts are in `currency`, by default the PO's. `coding`
    (`invoicing.coding.invoice_coding`) gives the lines their codes.
    """
    currency = currency or po.currency
    errors: dict[str, str] = {}
    try:
        number = clean_text(invoice_number, max_length=MAX_NUMBER_LENGTH)
    except TextError as exc:
        errors["invoice_number"], number = str(exc), None
    number_key = normalise_invoice_number(number) if number else ""
    if number is not None and not number_key:
        errors["invoice_number"] = "Enter the invoice number printed on the invoice."
    elif number is None and "invoice_number" not in errors:
        errors["invoice_number"] = "Enter the invoice number printed on the invoice."
    today = dt.date.today()
    date = _clean_date(invoice_date, "invoice_date", errors, today=today)
    tax = _money_field(tax_amount, currency, "tax_amount", errors)
    try:
        cleaned = clean_lines(lines, currency, what="An invoice")
        if coding is not None:
            cleaned = coding(cleaned)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
        cleaned = []
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    tax = round_money(tax or Decimal("0"), currency)
    net = lines_total(cleaned, currency)
    total = check_amount_limit(
        net + tax, currency, field="total_amount", what="The invoice's total"
    )
    claimed = _money_field(total_amount, currency, "total_amount", errors)
    if claimed is not None and claimed != total:
        message = (
            f"The total {Money(claimed, currency)} is not the lines "
            f"({Money(net, currency)}) plus tax ({Money(tax, currency)}) = "
            f"{Money(total, currency)}."
        )
        raise ValidationFailed(message, {"total_amount": message})
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return {
        "number": number,
        "number_key": number_key,
        "date": date,
        "lines": cleaned,
        "net": net,
        "tax": tax,
        "total": total,
    }


def due_dates(
    vendor_id: str, invoice_date: dt.date
) -> tuple[dt.date, dt.date | None, Decimal | None]:
    """The due date, discount date and discount of the vendor's payment terms."""
    vendor = vendor_get(vendor_id=vendor_id)
    text = vendor.payment_terms if vendor else settings.DEFAULT_PAYMENT_TERMS
    try:
        terms = parse_payment_terms(text)
    except PaymentTermsError:
        terms = parse_payment_terms(settings.DEFAULT_PAYMENT_TERMS)
    return (
        terms.due_date(invoice_date),
        terms.discount_date(invoice_date),
        terms.discount_percent,
    )
