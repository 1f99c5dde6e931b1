"""
Priced lines (description, quantity, unit price, amount), as POs and invoices
have them: validation and totals, pure, no I/O.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from core.errors import ValidationFailed
from core.money import (
    MAX_AMOUNT,
    Money,
    MoneyError,
    check_precision,
    line_amount,
    parse_decimal,
    round_money,
)
from core.text import TextError, clean_text

MAX_LINES = 200
MAX_DESCRIPTION = 500
QUANTITY_PLACES = 3
MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_PRICE = Decimal("1000000000")
# A line's coding (accounting codes), passed through as sent, upper-cased;
# whether a code exists and is active is the accounting app's check.
CODE_FIELDS = ("tax_code", "gl_account", "cost_centre")
MAX_CODE_LENGTH = 20


def _quantity(value: Any, field: str, errors: dict, key: str) -> Decimal | None:
    try:
        quantity = parse_decimal(value, field=field)
    except MoneyError as exc:
        errors[key] = str(exc)
        return None
    if quantity <= 0:
        errors[key] = f"{field.capitalize()} must be more than 0."
    elif quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
        errors[key] = (
            f"{field.capitalize()} has more than {QUANTITY_PLACES} decimal places."
        )
    elif quantity > MAX_QUANTITY:
        errors[key] = f"{field.capitalize()} is too large."
    else:
        return quantity
    return None


def clean_lines(
    raw_lines: Sequence[Mapping[str, Any]],
    currency: str,
    *,
    what: str = "A purchase order",
) -> list[dict]:
    """
    Return the lines numbered 1..n with amounts computed, or raise.

    A line may name the PO line it bills (`po_line_number`, invoices only)
    and its coding (CODE_FIELDS): present in the result only when sent.
    """
    errors: dict[str, str] = {}
    if not raw_lines:
        raise ValidationFailed(
            f"{what} needs at least one line.",
            {"items": "Add at least one line."},
        )
    if len(raw_lines) > MAX_LINES:
        raise ValidationFailed(
            f"{what} has at most {MAX_LINES} lines; this one has {len(raw_lines)}.",
            {"items": f"At most {MAX_LINES} lines (this has {len(raw_lines)})."},
        )
    lines = []
    for index, raw in enumerate(raw_lines):
        prefix = f"items.{index}."
        try:
            description = clean_text(raw.get("description"), max_length=MAX_DESCRIPTION)
        except TextError as exc:
            errors[prefix + "description"] = str(exc)
            description = ""
        else:
            if not description:
                errors[prefix + "description"] = "Describe what is ordered."
        quantity = _quantity(
            raw.get("quantity"), "quantity", errors, prefix + "quantity"
        )
        unit_price = None
        try:
            unit_price = parse_decimal(raw.get("unit_price"), field="unit price")
            if unit_price < 0:
                errors[prefix + "unit_price"] = "Unit price cannot be negative."
            elif unit_price > MAX_UNIT_PRICE:
                errors[prefix + "unit_price"] = "Unit price is too large."
            else:
                check_precision(unit_price, currency, field="Unit price")
        except MoneyError as exc:
            errors[prefix + "unit_price"] = str(exc)
        if prefix + "quantity" in errors or prefix + "unit_price" in errors:
            continue
        amount = line_amount(quantity, unit_price, currency)
        if amount >= MAX_AMOUNT:
            errors[prefix + "unit_price"] = (
                f"Quantity x unit price is {Money(amount, currency)}, more than "
                f"the largest amount accepted ({Money(MAX_AMOUNT - 1, currency)})."
            )
            continue
        claimed = raw.get("total_amount")
        if claimed not in (None, ""):
            try:
                if parse_decimal(claimed, field="line total") != amount:
                    errors[prefix + "total_amount"] = (
                        f"The line total {claimed} does not match quantity x unit price = {amount}."
                    )
            except MoneyError as exc:
                errors[prefix + "total_amount"] = str(exc)
        po_line_number = raw.get("po_line_number")
        if po_line_number in ("", None):
            po_line_number = None
        else:
            try:
                po_line_number = int(po_line_number)
                if po_line_number < 1 or isinstance(raw.get("po_line_number"), bool):
                    raise ValueError
            except (TypeError, ValueError):
                errors[prefix + "po_line_number"] = (
                    "A PO line number is a whole number from 1."
                )
                continue
        codes = {}
        for field in CODE_FIELDS:
            if field in raw:
                value = raw.get(field)
                code = "" if value is None else str(value).strip().upper()
                if len(code) > MAX_CODE_LENGTH:
                    errors[prefix + field] = (
                        f"A code has at most {MAX_CODE_LENGTH} characters."
                    )
                codes[field] = code or None
        lines.append(
            {
                "line_number": index + 1,
                **codes,
                **(
                    {"po_line_number": po_line_number}
                    if "po_line_number" in raw
                    else {}
                ),
                "description": description,
                "quantity": quantity,
                # Precision was checked above; this only restores trailing zeros.
                "unit_price": round_money(unit_price, currency),
                "total_amount": amount,
            }
        )
    if errors:
        raise ValidationFailed("Please correct the highlighted lines.", errors)
    return lines


def lines_total(lines: Sequence[Mapping[str, Any]], currency: str) -> Decimal:
    """Return the lines' total, refusing one beyond the largest amount accepted."""
    total = sum((line["total_amount"] for line in lines), Decimal("0"))
    check_amount_limit(total, currency, field="items", what="The lines' total")
    return check_precision(total, currency)


def check_amount_limit(
    amount: Decimal, currency: str, *, field: str, what: str
) -> Decimal:
    """Refuse a computed amount (a total) at or beyond MAX_AMOUNT."""
    if abs(amount) >= MAX_AMOUNT:
        message = (
            f"{what} is {Money(amount, currency)}, more than the largest amount "
            f"accepted ({Money(MAX_AMOUNT - 1, currency)})."
        )
        raise ValidationFailed(message, {field: message})
    return amount


def check_claimed_total(claimed: Any, total: Decimal, currency: str) -> None:
    """A total sent by a client is checked against the lines, never trusted."""
    if claimed in (None, ""):
        return
    try:
        matches = parse_decimal(claimed, field="total_amount") == total
    except MoneyError as exc:
        raise ValidationFailed(str(exc), {"total_amount": str(exc)}) from None
    if not matches:
        message = (
            f"total_amount {claimed} does not match the lines' total "
            f"{Money(total, currency)}."
        )
        raise ValidationFailed(message, {"total_amount": message})
