"""
Reconciling a credit note (issue 15, "Credit notes"): pure functions over
plain dataclasses, no I/O, reporting in `matching`'s shape (codes, line,
expected, actual) so pages, API and audit show a credit note's report as
they show an invoice's.

The rules, in this order, every failed one reported:

* `PO_NOT_APPROVED`: the PO is approved, sent or closed (a credit note
  usually arrives after the PO closed itself; a pending, rejected or
  cancelled PO was never billed).
* `VENDOR_MISMATCH`, `CURRENCY_MISMATCH`: the PO's, and the credited
  invoice's, vendor and currency.
* `UNMATCHED_LINE`: every line pairs with a PO line, as an invoice's do.
* `TAX_VARIANCE`, `TAX_CATEGORY_MISMATCH` (`line` = the tax code): the tax
  printed per code against the tax computed, as an invoice's
  (`matching.tax_check`).
* `CREDIT_EXCEEDS_INVOICED`, per PO line (`line`): the quantity credited is
  at most what matched invoices bill on that line, net of earlier credits
  (the PO's invoiced quantity);
  and without a line: the credit's net is at most the PO's invoiced amount,
  and its total, with the other credit notes of the invoice it credits, at
  most that invoice's total.

No price tolerance applies: a credit below the PO's price is a price credit,
not a variance. Instead the price says what the line does to the PO
(`credit_effect`): a line credited at the PO's unit price (within the price
tolerance below it, or above) returns goods, and its quantity comes off the
PO line's invoiced quantity, so the PO can be billed for it again; a line
credited below that is a price credit on units that stay billed, and takes
only its amount off. Either way the credit's net comes off the PO's
invoiced amount. Received quantities are not changed: goods going back
are the goods receipt's business.

A credit note without PO is checked against the invoice it credits, if any;
one that stands alone (a goodwill credit, a rebate) has nothing to differ
from and matches (as ERPNext submits a debit note and Oracle validates a
standalone credit memo, without an approval: a credit lowers what is owed).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from accounting import tax as tax_rules
from core.money import line_amount
from invoicing.matching import (
    HUNDRED,
    LINE_CODES,
    FindingCode,
    MatchFinding,
    MatchReport,
    Outcome,
    PurchaseOrderData,
    Tolerances,
    paired_po_line_numbers,
    tax_check,
)

CREDITABLE_PO_STATUSES = ("approved", "sent", "closed")
TAX_CODES = {FindingCode.TAX_VARIANCE, FindingCode.TAX_CATEGORY_MISMATCH}
ZERO = Decimal("0")


@dataclass(frozen=True)
class CreditLineData:
    quantity: Decimal
    unit_price: Decimal
    po_line_number: int | None = None


@dataclass(frozen=True)
class CreditNoteData:
    vendor_id: str
    currency: str
    lines: Sequence[CreditLineData]
    total_amount: Decimal  # with tax, as the credited invoice's total is
    tax_lines: Sequence[tax_rules.TaxLine] = ()
    tax_amount: Decimal | None = None


@dataclass(frozen=True)
class CreditedInvoiceData:
    """The invoice a credit note refers to, and what its other credit notes credit."""

    number: str
    vendor_id: str
    currency: str
    total_amount: Decimal
    credited_before: Decimal  # the totals of its other credit notes, not void


@dataclass(frozen=True)
class PurchaseOrderInvoiced:
    """What matched invoices, net of matched credit notes, bill on the PO."""

    net_total: Decimal
    quantities: dict[int, Decimal]  # PO line number -> quantity


@dataclass(frozen=True)
class CreditEffect:
    """What a matched credit note takes off its PO's invoiced figures."""

    quantities: dict[int, Decimal]
    net_total: Decimal

    def as_dict(self) -> dict:
        return {
            "quantities": {str(n): str(q) for n, q in self.quantities.items()},
            "net_total": str(self.net_total),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "CreditEffect":
        return cls(
            quantities={int(n): Decimal(q) for n, q in data["quantities"].items()},
            net_total=Decimal(data["net_total"]),
        )


def _paired(credit: CreditNoteData, po: PurchaseOrderData) -> list[int | None]:
    return paired_po_line_numbers(
        [line.po_line_number for line in credit.lines],
        [line.line_number for line in po.lines],
    )


def credit_effect(
    credit: CreditNoteData, po: PurchaseOrderData, tolerances: Tolerances = Tolerances()
) -> CreditEffect:
    """Return the quantities (goods returned) and net amount the credit takes off."""
    prices = {line.line_number: line.unit_price for line in po.lines}
    quantities: dict[int, Decimal] = {}
    net = ZERO
    for line, number in zip(credit.lines, _paired(credit, po), strict=True):
        if number is None:
            continue
        net += line_amount(line.quantity, line.unit_price, po.currency)
        floor = prices[number] * (HUNDRED - tolerances.price_percent) / HUNDRED
        if line.unit_price >= floor:
            quantities[number] = quantities.get(number, ZERO) + line.quantity
    return CreditEffect(quantities=quantities, net_total=net)


def reconcile_credit(
    credit: CreditNoteData,
    po: PurchaseOrderData | None,
    invoiced: PurchaseOrderInvoiced | None,
    credited: CreditedInvoiceData | None,
    *,
    tax_tolerance: Decimal = Decimal("0.01"),
) -> MatchReport:
    """Run the credit note's rules; return the outcome, findings and summary."""
    findings: list[MatchFinding] = []

    def found(code, message, *, line=None, expected=None, actual=None):
        findings.append(
            MatchFinding(
                code=code,
                line=line,
                expected=None if expected is None else str(expected),
                actual=None if actual is None else str(actual),
                message=message,
            )
        )

    net = sum(
        (line_amount(x.quantity, x.unit_price, credit.currency) for x in credit.lines),
        ZERO,
    )
    po_status_valid = po is None or po.status in CREDITABLE_PO_STATUSES
    if not po_status_valid:
        found(
            FindingCode.PO_NOT_APPROVED,
            f"The PO is {po.status}; credit notes match only approved, sent or "
            "closed POs.",
            expected="approved, sent or closed",
            actual=po.status,
        )
    for other, what in (
        (po, "PO"),
        (credited, f"invoice {getattr(credited, 'number', '')}"),
    ):
        if other is None:
            continue
        if credit.vendor_id != other.vendor_id:
            found(
                FindingCode.VENDOR_MISMATCH,
                f"The credit note's vendor is not the {what}'s vendor.",
                expected=other.vendor_id,
                actual=credit.vendor_id,
            )
        if credit.currency != other.currency:
            found(
                FindingCode.CURRENCY_MISMATCH,
                f"The credit note is in {credit.currency}, the {what} in "
                f"{other.currency}.",
                expected=other.currency,
                actual=credit.currency,
            )

    if po is not None:
        invoiced = invoiced or PurchaseOrderInvoiced(net_total=ZERO, quantities={})
        paired = _paired(credit, po)
        for position, (line, number) in enumerate(
            zip(credit.lines, paired, strict=True), 1
        ):
            if number is None:
                found(
                    FindingCode.UNMATCHED_LINE,
                    f"Credit note line {position} has no matching PO line.",
                    line=position,
                    expected=(
                        f"PO line {line.po_line_number}"
                        if line.po_line_number is not None
                        else f"at most {len(po.lines)} lines"
                    ),
                    actual=f"line {position}",
                )
        credited_now: dict[int, Decimal] = {}
        for line, number in zip(credit.lines, paired, strict=True):
            if number is not None:
                credited_now[number] = credited_now.get(number, ZERO) + line.quantity
        for number, quantity in credited_now.items():
            billed = invoiced.quantities.get(number, ZERO)
            if quantity > billed:
                found(
                    FindingCode.CREDIT_EXCEEDS_INVOICED,
                    f"Line {number}: {quantity} credited, {billed} invoiced.",
                    line=number,
                    expected=billed,
                    actual=quantity,
                )
        if net > invoiced.net_total:
            found(
                FindingCode.CREDIT_EXCEEDS_INVOICED,
                f"The credit note credits {net} net; matched invoices of the PO "
                f"bill {invoiced.net_total}.",
                expected=invoiced.net_total,
                actual=net,
            )
    findings.extend(tax_check(credit.tax_lines, credit.tax_amount, tax_tolerance))
    total_amount_match = True
    if credited is not None:
        left = credited.total_amount - credited.credited_before
        if credit.total_amount > left:
            total_amount_match = False
            found(
                FindingCode.CREDIT_EXCEEDS_INVOICED,
                f"The credit note credits {credit.total_amount}; invoice "
                f"{credited.number} billed {credited.total_amount}, of which "
                f"{credited.credited_before} is credited already.",
                expected=left,
                actual=credit.total_amount,
            )
    po_total = po.total_amount if po is not None else ZERO
    return MatchReport(
        outcome=Outcome.REJECTED if findings else Outcome.MATCHED,
        findings=tuple(findings),
        po_status_valid=po_status_valid,
        total_amount_match=total_amount_match,
        items_match=not any(
            f.code in LINE_CODES or (f.line and f.code not in TAX_CODES)
            for f in findings
        ),
        po_total=po_total,
        invoice_total=net,
        amount_difference=net - po_total,
        discrepancies=tuple(finding.message for finding in findings),
    )
