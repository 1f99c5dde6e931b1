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
# What a line of a document read from an e-invoice may be besides goods or
# services (`kind`): a document-level allowance or charge (EN 16931 BG-20,
# BG-21), kept as a line so the net and each tax code's base add up.
LINE_KINDS = ("allowance", "charge")


def _quantity(
    value: Any, field: str, errors: dict, key: str, *, printed: bool = False
) -> Decimal | None:
    try:
        quantity = parse_decimal(value, field=field)
    except MoneyError as exc:
        errors[key] = str(exc)
        return None
    if printed:  # as the e-invoice prints it: any sign, any precision
        if abs(quantity) > MAX_QUANTITY:
            errors[key] = f"{field.capitalize()} is too large."
            return None
        return quantity
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
    printed_amounts: bool = False,
) -> list[dict]:
    """
    Return the lines numbered 1..n with amounts computed, or raise.

    A line may name the PO line it bills (`po_line_number`, invoices only)
    and its coding (CODE_FIELDS): present in the result only when sent.

    `printed_amounts` (documents read from an e-invoice, never a form or
    the API): each line's `total_amount` is required and kept as printed
    (EN 16931's BT-131, after the line's own allowances and charges and per
    the price's base quantity, so it need not be quantity x unit price); the
    amount and the quantity may be negative (a line that credits), the
    quantity and the unit price (BT-146 / BT-149) are kept at their printed
    precision, and a line may be of a `kind` (LINE_KINDS).
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
            raw.get("quantity"),
            "quantity",
            errors,
            prefix + "quantity",
            printed=printed_amounts,
        )
        unit_price = None
        try:
            unit_price = parse_decimal(raw.get("unit_price"), field="unit price")
            if unit_price < 0:
                errors[prefix + "unit_price"] = "Unit price cannot be negative."
            elif unit_price > MAX_UNIT_PRICE:
                errors[prefix + "unit_price"] = "Unit price is too large."
            elif not printed_amounts:
                check_precision(unit_price, currency, field="Unit price")
        except MoneyError as exc:
            errors[prefix + "unit_price"] = str(exc)
        if prefix + "quantity" in errors or prefix + "unit_price" in errors:
            continue
        if printed_amounts:
            printed = _printed_amount(raw, currency, errors, prefix)
            if printed is None:
                continue
            lines.append(
                _printed_line(raw, index, description, quantity, unit_price, printed)
                | _codes(raw, errors, prefix)
            )
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
        codes = _codes(raw, errors, prefix)
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


def _codes(raw: Mapping[str, Any], errors: dict, prefix: str) -> dict:
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
    return codes


def _printed_amount(
    raw: Mapping[str, Any], currency: str, errors: dict, prefix: str
) -> Decimal | None:
    try:
        amount = parse_decimal(raw.get("total_amount"), field="line total")
        check_precision(amount, currency, field="Line total")
    except MoneyError as exc:
        errors[prefix + "total_amount"] = str(exc)
        return None
    if abs(amount) >= MAX_AMOUNT:
        errors[prefix + "total_amount"] = "The line total is too large."
        return None
    kind = raw.get("kind")
    if kind is not None and kind not in LINE_KINDS:
        errors[prefix + "kind"] = f"A line is goods, or one of {', '.join(LINE_KINDS)}."
        return None
    return amount


def _printed_line(raw, index, description, quantity, unit_price, amount) -> dict:
    """A line as an e-invoice prints it (`clean_lines(printed_amounts=True)`)."""
    line = {
        "line_number": index + 1,
        "description": description,
        "quantity": quantity,
        "unit_price": unit_price,
        "total_amount": amount,
    }
    if raw.get("po_line_number") not in (None, ""):
        line["po_line_number"] = int(raw["po_line_number"])
    elif "po_line_number" in raw:
        line["po_line_number"] = None
    if raw.get("kind"):
        line["kind"] = raw["kind"]
    return line


def goods_lines(items: Sequence[Any]) -> list:
    """The lines (dicts or stored lines) that bill goods or services, not a `kind`."""
    return [
        line
        for line in items
        if not (line.get("kind") if isinstance(line, Mapping) else line.kind)
    ]


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
