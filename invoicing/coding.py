"""
The coding of invoice and credit-note lines (issue 16): where a line's tax
code, GL account and cost centre come from, and recoding before matching.

A line takes each code it does not name from, in order: the same line
before a correction, the line it credits (a credit note's, paired by PO
line number, else by position), its PO line (paired as matching pairs
them), the vendor's defaults, then `settings.DEFAULT_TAX_CODE`. An invoice
without PO must be coded: each line needs every kind of code the company
keeps. A clerk may recode the lines of an invoice until it is matched
(`invoice_recode`): one conditional transaction with its audit entry, so a
recode racing the match is either applied before it or refused as stale.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from accounting.coding import (
    check_line_codes,
    coded,
    fallbacks,
    line_coding,
)
from accounts.roles import Role, require_role
from core import dynamo
from core.errors import InvalidTransition, ValidationFailed
from core.lines import CODE_FIELDS, MAX_CODE_LENGTH
from core.versions import check_version
from core.writes import audited_update_add
from invoicing.events import invoice_recoded_event
from invoicing.matching import paired_po_line_numbers
from invoicing.models import Invoice, InvoiceLine, InvoiceStatus, similarity_key
from invoicing.validation import recoded_tax

# Until matched (or approved): a rejected invoice too, whose findings the
# coding does not change.
RECODABLE_STATUSES = frozenset({InvoiceStatus.RECEIVED, InvoiceStatus.REJECTED})


def _credited_pairs(lines: Sequence[Mapping], credited, po) -> list:
    """
    The credited invoice's line each credit line credits: the one billing
    the PO line it names (as matching paired it), else the one at its position.
    """
    if credited is None:
        return [None] * len(lines)
    numbers = [line.po_line_number for line in credited.items]
    if po is not None:
        numbers = paired_po_line_numbers(numbers, [li.line_number for li in po.items])
    by_po_line = {}
    for number, line in zip(numbers, credited.items, strict=True):
        if number is not None:
            by_po_line.setdefault(number, line)
    pairs = []
    for position, line in enumerate(lines):
        number = line.get("po_line_number")
        if number is not None and number in by_po_line:
            pairs.append(by_po_line[number])
        elif position < len(credited.items):
            pairs.append(credited.items[position])
        else:
            pairs.append(None)
    return pairs


def _po_pairs(lines: Sequence[Mapping], po) -> list:
    if po is None:
        return [None] * len(lines)
    by_number = {line.line_number: line for line in po.items}
    goods = [line for line in lines if not line.get("kind")]
    numbers = iter(
        paired_po_line_numbers(
            [line.get("po_line_number") for line in goods], list(by_number)
        )
    )
    # An e-invoice's allowance or charge line inherits from no PO line.
    return [
        None if line.get("kind") else by_number.get(next(numbers)) for line in lines
    ]


def lines_coded(
    lines: Sequence[Mapping[str, Any]],
    *,
    vendor=None,
    po=None,
    credited=None,
    previous: Sequence[InvoiceLine] = (),
) -> list[dict]:
    """`lines` (cleaned) with each code they do not name inherited."""
    before = {line.line_number: line for line in previous}
    defaults = fallbacks(vendor)
    return [
        coded(line, before.get(line["line_number"]), credits, po_line, *defaults)
        for line, credits, po_line in zip(
            lines,
            _credited_pairs(lines, credited, po),
            _po_pairs(lines, po),
            strict=True,
        )
    ]


def invoice_coding(
    *,
    vendor=None,
    po=None,
    credited=None,
    previous: Sequence[InvoiceLine] = (),
    require: bool = False,
    inherit_tax: bool = True,
) -> Callable[[list[dict]], list[dict]]:
    """
    What codes a document's cleaned lines (`clean_invoice_fields(coding=...)`):
    inherits what they do not name, then refuses unknown codes, inactive
    ones on new or changed lines, and with `require` uncoded lines. Without
    `inherit_tax` (an e-invoice whose VAT rates no tax code fits) the lines
    keep the tax code they name, or none.
    """

    def code(lines: list[dict]) -> list[dict]:
        result = lines_coded(
            lines, vendor=vendor, po=po, credited=credited, previous=previous
        )
        if not inherit_tax:
            result = [
                {**line, "tax_code": given.get("tax_code")}
                for line, given in zip(result, lines, strict=True)
            ]
        check_line_codes(result, require=require, previous=previous)
        return result

    return code


# --- Recoding ---------------------------------------------------------------


def recode_refusal(invoice: Invoice) -> str | None:
    """Why the invoice's lines cannot be recoded now, or None when they can."""
    if invoice.status in RECODABLE_STATUSES:
        return None
    what = "credit note" if invoice.is_credit_note else "invoice"
    return (
        f"{what.capitalize()} {invoice.invoice_number} is {invoice.status}; its lines "
        "can be recoded only before it is matched (received or rejected)."
    )


def _clean_code(value: Any, key: str, errors: dict) -> str | None:
    code = "" if value is None else str(value).strip().upper()
    if len(code) > MAX_CODE_LENGTH:
        errors[key] = f"A code has at most {MAX_CODE_LENGTH} characters."
    return code or None


def _recoded_items(invoice: Invoice, lines: Sequence[Mapping[str, Any]]) -> list:
    """The invoice's lines with the codes `lines` give (by line number)."""
    position = {line.line_number: index for index, line in enumerate(invoice.items)}
    errors: dict[str, str] = {}
    changes: dict[int, dict] = {}
    for index, line in enumerate(lines):
        number = line.get("line_number")
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if number not in position:
            errors[f"lines.{index}.line_number"] = (
                f"{invoice.invoice_number} has no line {number}."
            )
            continue
        key = f"items.{position[number]}."
        changes[number] = {
            name: _clean_code(line.get(name), key + name, errors)
            for name in CODE_FIELDS
            if name in line
        }
    if errors:
        raise ValidationFailed(next(iter(errors.values())), errors)
    return [
        InvoiceLine(
            **{
                **line.attribute_values,
                **changes.get(line.line_number, {}),
            }
        )
        for line in invoice.items
    ]


def invoice_recode(
    *, invoice: Invoice, user, lines: Sequence[Mapping[str, Any]], version=None
) -> Invoice:
    """
    Recode lines of a received or rejected invoice (AP Clerk): each of
    `lines` names its `line_number` and the codes it changes (a code left
    out is kept, a blank one cleared). An invoice without PO stays coded in
    full. One transaction, conditioned on the version and status read,
    holds the change and an audit entry listing each changed line's coding
    before and after; nothing changed writes nothing.
    """
    require_role(user, Role.AP_CLERK, action="recode invoices")
    check_version(invoice, version)
    refusal = recode_refusal(invoice)
    if refusal:
        raise InvalidTransition(refusal)
    items = _recoded_items(invoice, lines)
    check_line_codes(
        [line.attribute_values for line in items],
        require=not invoice.has_po,
        previous=invoice.items,
    )
    changed = [
        (before.line_number, line_coding(before), line_coding(after))
        for before, after in zip(invoice.items, items, strict=True)
        if line_coding(before) != line_coding(after)
    ]
    if not changed:
        return invoice
    updates = {"items": items, "updated_at": dynamo.utcnow()}
    tax = {}
    if any(before["tax_code"] != after["tax_code"] for _, before, after in changed):
        # Another tax code is another tax: recomputed, the printed kept.
        tax = recoded_tax(invoice, [line.attribute_values for line in items])
        if tax:
            updates.update(tax)
            updates["similarity_key"] = similarity_key(
                invoice.vendor_id, invoice.invoice_date, tax["total_amount"]
            )
    entry = invoice_recoded_event(invoice=invoice, user=user, lines=changed, tax=tax)
    with dynamo.write_transaction() as transaction:
        committed = audited_update_add(
            transaction,
            invoice,
            updates,
            entry=entry,
            condition=Invoice.status.is_in(*RECODABLE_STATUSES),
        )
    committed()
    return invoice
