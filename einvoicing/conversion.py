"""
An e-invoice (einvoicing.document.EInvoice) as the lines and amounts the
invoicing services take: pure, no I/O.

The choices, where EN 16931 and our invoices do not say the same thing:

* A line's net (BT-131) is authoritative. It is after the line's own
  allowances and charges and per the price's base quantity (BT-149), so it
  need not be quantity x net price, and it may be negative (a line of -6
  units, a returned deposit). The lines keep it as printed
  (`clean_lines(printed_amounts=True)`); their unit price is the net price
  of one unit (BT-146 / BT-149), which is what matching compares with the
  PO's unit price (invoicing.matching).
* Document-level allowances and charges (BG-20 / BG-21) become lines of
  their own after the goods lines, of `kind` "allowance" (quantity -1 x the
  amount) or "charge" (1 x the amount), with the tax code of their VAT
  category and rate: the invoice's net is then BT-109 and each tax code's
  base is its BG-23 taxable amount. They pair with no PO line, count no
  quantity, and count in what the invoice bills when it is matched.
* A line pairs with the PO line whose number its order line reference
  (BT-132) gives; without one (or one that is not a number) by position,
  as typed invoices pair.
* Tax codes: each (VAT category, rate) of the document is looked up among
  the company's active tax codes: the PO line's code when it has that
  category and rate, then the vendor's default, then the first in code
  order. If any (category, rate) has no code, no line is coded (a document
  is coded in full or not at all): its tax is the printed BT-110, and a
  warning says which category and rate lacked a code.
* The printed tax per code (BG-23's BT-117) goes in as `printed_tax`, the
  printed totals (BT-110, BT-112) as `tax_amount` / `total_amount`: the
  server computes the tax per code itself and a difference is a
  reconciliation finding (TAX_VARIANCE), never silently replaced.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.lines import MAX_DESCRIPTION
from einvoicing.document import EInvoice, EInvoiceLine

ZERO = Decimal("0")
# A unit price (net price / base quantity) keeps at most this many places.
UNIT_PRICE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class TaxCodeChoice:
    """One active tax code, as the conversion needs it."""

    code: str
    category: str
    rate: Decimal


@dataclass(frozen=True)
class Conversion:
    lines: list[dict]
    printed_tax: list[dict] | None  # None: the lines are uncoded
    tax_amount: Decimal  # BT-110
    total_amount: Decimal  # BT-112
    warnings: tuple[str, ...]

    @property
    def coded(self) -> bool:
        return self.printed_tax is not None


def _rate_key(category: str, rate: Decimal | None) -> tuple[str, Decimal]:
    return (category.strip().upper(), (rate or ZERO).normalize())


def _rate_label(category: str, rate: Decimal | None) -> str:
    return f"VAT category {category} at {(rate or ZERO).normalize():f}%"


def tax_code_for(
    category: str,
    rate: Decimal | None,
    codes: Sequence[TaxCodeChoice],
    *,
    prefer: Sequence[str | None] = (),
) -> str | None:
    """The active tax code of this category and rate (`prefer`red first), or None."""
    key = _rate_key(category, rate)
    fitting = [c.code for c in codes if _rate_key(c.category, c.rate) == key]
    for code in prefer:
        if code and code in fitting:
            return code
    return min(fitting) if fitting else None


def order_line_number(line: EInvoiceLine) -> int | None:
    """The PO line number its order line reference (BT-132) gives, if a number."""
    reference = (line.order_line_reference or "").strip()
    if reference.isdigit() and int(reference) >= 1:
        return int(reference)
    return None


def _unit_price(line: EInvoiceLine) -> Decimal:
    price = line.unit_price
    if price.as_tuple().exponent < UNIT_PRICE_PLACES.as_tuple().exponent:
        price = price.quantize(UNIT_PRICE_PLACES)
    return price


def _description(*parts: str | None) -> str:
    text = " ".join(part.strip() for part in parts if part and part.strip())
    return text[:MAX_DESCRIPTION] or "(no name)"


def einvoice_lines(
    einvoice: EInvoice,
    *,
    codes: Sequence[TaxCodeChoice],
    po_line_codes: Mapping[int, str | None] | None = None,
    po_line_numbers: Sequence[int] = (),
    vendor_tax_code: str | None = None,
) -> Conversion:
    """
    The document's lines and amounts as `invoice_create` / `credit_note_create`
    take them (see the module's docstring). `po_line_codes` is the PO's
    tax code per line number, `po_line_numbers` its lines in order (the
    pairing by position), `vendor_tax_code` the vendor's default.
    """
    po_line_codes = po_line_codes or {}
    lines: list[dict] = []
    rates: list[tuple[str, Decimal | None, str | None]] = []  # per line
    for position, line in enumerate(einvoice.lines):
        number = order_line_number(line)
        paired = number
        if paired is None and position < len(po_line_numbers):
            paired = po_line_numbers[position]
        lines.append(
            {
                "description": _description(line.name),
                "quantity": line.quantity,
                "unit_price": _unit_price(line),
                "total_amount": line.net_amount,
                "po_line_number": number,
            }
        )
        rates.append((line.vat_category, line.vat_rate, po_line_codes.get(paired)))
    for allowance in einvoice.allowances_charges:
        kind = "charge" if allowance.is_charge else "allowance"
        reason = allowance.reason or allowance.reason_code
        lines.append(
            {
                "description": _description(
                    "Charge" if allowance.is_charge else "Allowance",
                    f"({reason})" if reason else None,
                ),
                "quantity": Decimal("1") if allowance.is_charge else Decimal("-1"),
                "unit_price": allowance.amount,
                "total_amount": allowance.amount
                if allowance.is_charge
                else -allowance.amount,
                "po_line_number": None,
                "kind": kind,
            }
        )
        rates.append((allowance.category, allowance.rate, None))

    # One code per (category, rate) for the whole document, so the printed
    # tax of each BG-23 entry belongs to one code.
    by_rate: dict[tuple[str, Decimal], str | None] = {}
    labels: dict[tuple[str, Decimal], str] = {}
    for category, rate, po_code in rates:
        key = _rate_key(category, rate)
        labels.setdefault(key, _rate_label(category, rate))
        if by_rate.get(key) is None:
            by_rate[key] = tax_code_for(
                category, rate, codes, prefer=(po_code, vendor_tax_code)
            )
    chosen = [by_rate[_rate_key(category, rate)] for category, rate, _ in rates]
    missing = [labels[key] for key, code in by_rate.items() if code is None]
    totals = einvoice.totals
    if missing:
        warning = (
            f"No tax code for {', '.join(missing)}: the lines are imported "
            f"without tax codes, with the printed tax {totals.tax_total}."
        )
        return Conversion(
            lines=[{**line, "tax_code": None} for line in lines],
            printed_tax=None,
            tax_amount=totals.tax_total,
            total_amount=totals.gross_total,
            warnings=(warning,),
        )
    printed: dict[str, Decimal] = {}
    warnings = []
    for breakdown in einvoice.vat_breakdown:
        code = by_rate.get(_rate_key(breakdown.category, breakdown.rate))
        if code is None:
            # A breakdown no line or allowance carries: BR-CO-18 and the
            # rules keep this from happening; its tax is not lost silently.
            warnings.append(
                f"The VAT breakdown's {_rate_label(breakdown.category, breakdown.rate)}"
                f" ({breakdown.tax_amount} tax) has no line."
            )
            continue
        printed[code] = printed.get(code, ZERO) + breakdown.tax_amount
    return Conversion(
        lines=[
            {**line, "tax_code": code} for line, code in zip(lines, chosen, strict=True)
        ],
        printed_tax=[
            {"tax_code": code, "amount": str(amount)}
            for code, amount in printed.items()
        ],
        tax_amount=totals.tax_total,
        total_amount=totals.gross_total,
        warnings=tuple(warnings),
    )
