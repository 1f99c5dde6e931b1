"""
The rules an invoice as entered must satisfy, shared by entry and correction.

`clean_invoice_fields` takes raw values (form strings or API JSON) and
returns normalised values, or raises ValidationFailed naming each bad field;
`due_dates` applies the vendor's payment terms.

Tax (issue 16). When the lines name tax codes (all of them: a mix of coded
and uncoded lines is refused), the server computes the tax per code
(accounting.tax.tax_lines) and keeps what the vendor printed beside it:

* `printed_tax` ([{"tax_code", "amount"}]) is the tax printed per code; the
  document's tax is the printed amount of each code, the computed one for a
  code not printed (so a code left out is not checked).
* Without `printed_tax`, a `tax_amount` sent with one code is that code's
  printed tax; with several codes it is the printed total, compared as a sum
  only (reconciliation's TAX_VARIANCE without a code, tolerance once per
  code), because the document's split between the codes is not known.
  Neither sent: the computed tax.
* With `printed_tax`, a `tax_amount` sent as well (other than blank or 0)
  must be their sum.
* Reverse charge and intra-community lines (accounting.models.SELF_ASSESSED)
  need the vendor's VAT id and the company's (settings.COMPANY_VAT_ID).

Lines naming no tax code keep the old rule: `tax_amount` is the printed
tax, unchecked, and the document has no tax lines (`tax_lines` None).
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings

from accounting import tax as tax_rules
from accounting.models import SELF_ASSESSED, VAT_CATEGORY_LABELS, VatCategory
from accounting.selectors import tax_codes_by_code
from core.days import latest_today
from core.errors import ValidationFailed
from core.lines import check_amount_limit, clean_lines, lines_total
from core.money import Money, MoneyError, check_precision, parse_decimal, round_money
from core.text import TextError, clean_text
from invoicing.models import TaxLine
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
    printed_tax: Sequence[Mapping[str, Any]] | None = None,
    vendor_id: str | None = None,
    coding: Callable[[list[dict]], list[dict]] | None = None,
    printed_amounts: bool = False,
) -> dict[str, Any]:
    """
    Validate an invoice as entered; the total must be its lines plus tax.
    Amounts are in `currency`, by default the PO's; `vendor_id` (by default
    the PO's) is the vendor whose VAT id a reverse-charge line needs.
    `coding` (`invoicing.coding.invoice_coding`) gives the lines their codes
    before their tax is computed; `printed_amounts` keeps each line's amount
    as an e-invoice prints it (core.lines.clean_lines). The result's `tax_lines`
    (accounting.tax.TaxLine) is None for lines naming no tax code.
    """
    currency = currency or po.currency
    vendor_id = vendor_id or getattr(po, "vendor_id", None)
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
    today = latest_today()
    date = _clean_date(invoice_date, "invoice_date", errors, today=today)
    tax = _money_field(tax_amount, currency, "tax_amount", errors)
    try:
        cleaned = clean_lines(
            lines, currency, what="An invoice", printed_amounts=printed_amounts
        )
        if coding is not None:
            cleaned = coding(cleaned)
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
        cleaned = []
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    computed, tax = _clean_tax(
        cleaned, currency, printed_tax=printed_tax, tax=tax, vendor_id=vendor_id
    )
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
        "tax_lines": computed,
    }


def stored_tax_lines(computed: Sequence[tax_rules.TaxLine] | None):
    """The document's `tax_lines` attribute of cleaned fields' `tax_lines`."""
    if computed is None:
        return None
    return [TaxLine(**dataclasses.asdict(line)) for line in computed]


def document_tax_lines(invoice) -> tuple[tax_rules.TaxLine, ...]:
    """A stored document's tax lines as accounting.tax's plain TaxLines."""
    return tuple(
        tax_rules.TaxLine(
            tax_code=line.tax_code,
            rate=line.rate,
            category=line.category,
            base=line.base,
            amount=line.amount,
            printed=line.printed,
        )
        for line in invoice.tax_lines or ()
    )


def tax_snapshot(invoice) -> dict[str, Any]:
    """The document's tax lines as its audit details record them (none: {})."""
    if not invoice.tax_lines:
        return {}
    return {
        "tax_lines": [
            {
                "tax_code": line.tax_code,
                "rate": line.rate,
                "base": line.base,
                "amount": line.amount,
                "printed": line.printed,
            }
            for line in invoice.tax_lines
        ]
    }


def _printed_rows(printed_tax: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """The rows of `printed_tax` that give an amount (a form's blank rows skipped)."""
    if printed_tax in (None, ""):
        return []
    if not isinstance(printed_tax, Sequence) or isinstance(printed_tax, str):
        message = 'printed_tax is a list of {"tax_code", "amount"}.'
        raise ValidationFailed(message, {"printed_tax": message})
    rows = []
    for index, row in enumerate(printed_tax):
        if not isinstance(row, Mapping):
            message = 'printed_tax is a list of {"tax_code", "amount"}.'
            raise ValidationFailed(message, {"printed_tax": message})
        if row.get("amount") in (None, ""):
            continue
        rows.append((index, row))
    return rows


def _clean_printed(rows, codes: Sequence[str], currency: str) -> dict[str, Decimal]:
    """The printed tax per code, each code among the lines' and given once."""
    errors: dict[str, str] = {}
    printed: dict[str, Decimal] = {}
    for index, row in rows:
        prefix = f"printed_tax.{index}."
        raw_code = row.get("tax_code")
        code = "" if raw_code is None else str(raw_code).strip().upper()
        if not code:
            errors[prefix + "tax_code"] = "Name the tax code this tax is printed for."
            continue
        if code not in codes:
            errors[prefix + "tax_code"] = (
                f"No line has tax code {code}; the lines use {', '.join(codes)}."
            )
            continue
        if code in printed:
            errors[prefix + "tax_code"] = (
                f"The tax of {code} is given twice; give each code's tax once."
            )
            continue
        amount = _money_field(row.get("amount"), currency, "printed tax", errors)
        if "printed tax" in errors:
            errors[prefix + "amount"] = errors.pop("printed tax")
            continue
        printed[code] = amount
    if errors:
        raise ValidationFailed("Please correct the printed tax.", errors)
    return printed


def _clean_tax(
    cleaned: Sequence[Mapping[str, Any]],
    currency: str,
    *,
    printed_tax: Any,
    tax: Decimal | None,
    vendor_id: str | None,
) -> tuple[list[tax_rules.TaxLine] | None, Decimal | None]:
    """
    The document's tax lines and its tax (the module docstring's rules);
    (None, `tax`) for lines naming no tax code.
    """
    rows = _printed_rows(printed_tax)
    codes = [line.get("tax_code") for line in cleaned]
    if not any(codes):
        if rows:
            message = "Printed tax per code needs lines that name their tax code."
            raise ValidationFailed(message, {"printed_tax": message})
        return None, tax
    missing = [index for index, code in enumerate(codes) if not code]
    if missing:
        numbers = ", ".join(str(index + 1) for index in missing)
        message = (
            f"Give every line a tax code, or none of them: line(s) {numbers} "
            "name no tax code."
        )
        raise ValidationFailed(
            message, {f"items.{index}.tax_code": message for index in missing}
        )
    records = tax_codes_by_code()
    unknown = {
        f"items.{index}.tax_code": f"There is no tax code {code}."
        for index, code in enumerate(codes)
        if code not in records
    }
    if unknown:
        raise ValidationFailed(" ".join(dict.fromkeys(unknown.values())), unknown)
    distinct = list(dict.fromkeys(codes))
    _require_vat_ids(vendor_id, [records[code] for code in distinct])
    printed = _clean_printed(rows, distinct, currency)
    rates = {
        code: tax_rules.TaxRate(
            code=code, rate=records[code].rate, category=records[code].category
        )
        for code in distinct
    }
    if not rows and tax is not None and len(distinct) == 1:
        printed = {distinct[0]: tax}
    computed = tax_rules.tax_lines(
        [(line["tax_code"], line["total_amount"]) for line in cleaned],
        rates,
        currency,
        printed=printed,
    )
    if not rows and tax is not None and len(distinct) > 1:
        return computed, tax  # the printed total, compared as a sum
    document_tax = tax_rules.tax_total(computed, printed=True)
    if rows and tax and tax != document_tax:
        message = (
            f"The tax {Money(tax, currency)} is not the printed tax per code, "
            f"{Money(document_tax, currency)} in all."
        )
        raise ValidationFailed(message, {"tax_amount": message})
    return computed, document_tax


def recoded_tax(invoice, lines: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """
    The tax fields of `invoice` once its lines (`tax_code`, `total_amount`)
    carry these tax codes: the tax recomputed per code, what the vendor
    printed kept per code, the tax and gross that follow. Refused when a
    printed amount would be left on a code no line carries, or when the tax
    was entered as one amount (a correction gives it per code).
    """
    if invoice.tax_lines is None:
        if not any(line.get("tax_code") for line in lines):
            return {}
        message = (
            f"The tax of {invoice.invoice_number} was entered as one amount, not "
            "per tax code: correct the invoice to give its lines tax codes and "
            "the tax printed per code."
        )
        raise ValidationFailed(message, {"tax_code": message})
    used = {line.get("tax_code") for line in lines}
    printed = [
        {"tax_code": t.tax_code, "amount": str(t.printed)}
        for t in invoice.tax_lines
        if t.printed is not None
    ]
    for row in printed:
        if row["tax_code"] not in used:
            message = (
                f"The vendor printed {Money(Decimal(row['amount']), invoice.currency)} "
                f"tax on {row['tax_code']}, which no line would carry any more: "
                "correct the invoice instead, with the tax printed per code."
            )
            raise ValidationFailed(message, {"tax_code": message})
    computed, tax = _clean_tax(
        lines,
        invoice.currency,
        printed_tax=printed,
        tax=None,
        vendor_id=invoice.vendor_id,
    )
    tax = round_money(tax, invoice.currency)
    return {
        "tax_lines": stored_tax_lines(computed),
        "tax_amount": tax,
        "total_amount": invoice.net_total + tax,
    }


def _require_vat_ids(vendor_id: str | None, codes: Sequence) -> None:
    """A reverse-charge or intra-community line needs the vendor's and our VAT id."""
    self_assessed = [c for c in codes if VatCategory(c.category) in SELF_ASSESSED]
    if not self_assessed:
        return
    vendor = vendor_get(vendor_id=vendor_id) if vendor_id else None
    missing = []
    if vendor is None or not (vendor.vat_id or "").strip():
        name = vendor.name if vendor is not None else "the vendor"
        missing.append(f"the VAT id of {name} (on the vendor's page)")
    if not (settings.COMPANY_VAT_ID or "").strip():
        missing.append("the company's VAT id (setting COMPANY_VAT_ID)")
    if missing:
        names = ", ".join(
            f"{c.code} ({VAT_CATEGORY_LABELS[VatCategory(c.category)].lower()})"
            for c in self_assessed
        )
        message = (
            f"{names}: the buyer self-assesses this tax, so the invoice must show "
            f"both VAT ids; missing: {' and '.join(missing)}."
        )
        raise ValidationFailed(message, {"vat_id": message})


def due_dates(
    vendor_id: str,
    invoice_date: dt.date,
    *,
    printed: dt.date | None = None,
    vendor=None,
) -> tuple[dt.date, dt.date | None, Decimal | None]:
    """
    The due date, discount date and discount of the vendor's payment terms;
    a due date the document prints (`printed`, an e-invoice's BT-9) wins
    over the terms' (their discount, if any, still applies). `vendor`: the
    vendor as the caller read it, saving a read.
    """
    if vendor is None or vendor.id != vendor_id:
        vendor = vendor_get(vendor_id=vendor_id)
    text = vendor.payment_terms if vendor else settings.DEFAULT_PAYMENT_TERMS
    try:
        terms = parse_payment_terms(text)
    except PaymentTermsError:
        terms = parse_payment_terms(settings.DEFAULT_PAYMENT_TERMS)
    return (
        printed or terms.due_date(invoice_date),
        terms.discount_date(invoice_date),
        terms.discount_percent,
    )
