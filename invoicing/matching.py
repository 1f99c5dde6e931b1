"""
Reconciliation: match an invoice against its PO (domain.md "Reconciliation").

Pure functions over plain dataclasses, no I/O. The rules run in domain.md's
order and every failed rule is reported, each finding with its code, the
line it concerns, the expected and the actual value.

Where domain.md leaves a choice, this module decides as follows (and the
worked examples come out exactly as domain.md states them):

* Amount rules (TOTAL_VARIANCE, OVER_BILLED) count the invoice lines that pair
  with a PO line; an unpaired line is already reported as UNMATCHED_LINE.
* "The PO value of the lines it bills" is the PO's unit price times the
  invoiced quantity, so a partial invoice (5 of 10 units) is not a variance;
  quantities are the job of QTY_OVER_ORDERED and QTY_OVER_RECEIVED.
* OVER_BILLED is the cumulative rule: it applies once earlier invoices of the
  PO exist (worked example 3 leaves it out for a first invoice). A first
  invoice billing too much shows as TOTAL_VARIANCE (prices) or
  QTY_OVER_ORDERED (quantities).
* LINE_COUNT_MISMATCH is reported for an invoice without PO line numbers that
  has fewer lines than the PO; extra lines are each an UNMATCHED_LINE.
* A finding's `line` is the PO line number, except for UNMATCHED_LINE, where
  it is the invoice line's position (there is no PO line).
* A 3-way invoice waits for goods when its only findings are QTY_OVER_RECEIVED
  and nothing has been received yet on the lines it bills.
* Amounts: every rule above compares net amounts (the lines, before tax);
  the tax rules (TAX_VARIANCE, TAX_CATEGORY_MISMATCH, `tax_check`) compare
  the tax printed per code with the tax computed on those nets
  (accounting.tax); their `line` is the tax code. A document whose lines name
  no tax code has no tax lines and its tax is not checked. One printed total
  for several codes (`InvoiceData.tax_amount`, nothing printed per code) is
  compared as a sum, within the tolerance once per code, with `line` None.
  Payment uses the gross (payments.rules).
* An invoice read from an e-invoice (einvoicing) has each line's printed
  net (`InvoiceLineData.amount`, EN 16931 BT-131: after the line's own
  allowances and charges), which need not be quantity x unit price; its
  unit price (net price / base quantity) is what PRICE_VARIANCE compares.
  Its document-level allowances and charges (`InvoiceData.adjustments`,
  signed) pair with no PO line and count no quantity. What the invoice
  bills (TOTAL_VARIANCE, OVER_BILLED) is quantity x unit price of its
  paired lines plus the allowances and charges, line and document level
  together, when they add to the bill (freight, net of any discount): a
  charge beyond the tolerance is a finding, while a discount, billing less
  than the PO values, is not (each price is still compared on its own).
  For a typed invoice (net = quantity x price, no adjustments) nothing
  changes.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from accounting import tax as tax_rules
from core.money import line_amount

HUNDRED = Decimal("100")


class FindingCode(StrEnum):
    PO_NOT_APPROVED = "PO_NOT_APPROVED"
    VENDOR_MISMATCH = "VENDOR_MISMATCH"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    UNMATCHED_LINE = "UNMATCHED_LINE"
    LINE_COUNT_MISMATCH = "LINE_COUNT_MISMATCH"
    PRICE_VARIANCE = "PRICE_VARIANCE"
    QTY_OVER_ORDERED = "QTY_OVER_ORDERED"
    QTY_OVER_RECEIVED = "QTY_OVER_RECEIVED"
    TOTAL_VARIANCE = "TOTAL_VARIANCE"
    OVER_BILLED = "OVER_BILLED"
    # Credit notes (invoicing.credit_matching).
    CREDIT_EXCEEDS_INVOICED = "CREDIT_EXCEEDS_INVOICED"
    # Tax per code (accounting.tax), invoices and credit notes alike.
    TAX_VARIANCE = tax_rules.TAX_VARIANCE
    TAX_CATEGORY_MISMATCH = tax_rules.TAX_CATEGORY_MISMATCH


LINE_CODES = {
    FindingCode.UNMATCHED_LINE,
    FindingCode.LINE_COUNT_MISMATCH,
    FindingCode.PRICE_VARIANCE,
    FindingCode.QTY_OVER_ORDERED,
    FindingCode.QTY_OVER_RECEIVED,
}


class Outcome(StrEnum):
    MATCHED = "matched"
    REJECTED = "rejected"
    AWAITING_RECEIPT = "awaiting_receipt"  # 3-way, nothing received yet


@dataclass(frozen=True)
class POLineData:
    line_number: int
    quantity: Decimal
    unit_price: Decimal
    received_quantity: Decimal = Decimal("0")


@dataclass(frozen=True)
class PurchaseOrderData:
    status: str
    vendor_id: str
    currency: str
    total_amount: Decimal
    lines: Sequence[POLineData]
    three_way: bool = False


@dataclass(frozen=True)
class InvoiceLineData:
    quantity: Decimal
    unit_price: Decimal
    po_line_number: int | None = None
    amount: Decimal | None = None  # the line's net; None: quantity x unit price

    def net(self, currency: str) -> Decimal:
        if self.amount is not None:
            return self.amount
        return line_amount(self.quantity, self.unit_price, currency)


@dataclass(frozen=True)
class InvoiceData:
    vendor_id: str
    currency: str
    lines: Sequence[InvoiceLineData]
    # Its VAT breakdown (none: lines naming no tax code) and its tax as entered.
    tax_lines: Sequence[tax_rules.TaxLine] = ()
    tax_amount: Decimal | None = None
    # Document-level allowances (negative) and charges (positive), signed sum.
    adjustments: Decimal = Decimal("0")


@dataclass(frozen=True)
class EarlierInvoiceData:
    """A `matched`, `scheduled` or `paid` invoice of the same PO."""

    net_total: Decimal
    quantities: dict[int, Decimal]  # PO line number -> quantity invoiced


@dataclass(frozen=True)
class Tolerances:
    price_percent: Decimal = Decimal("1")
    total_percent: Decimal = Decimal("1")
    over_billing_percent: Decimal = Decimal("1")
    tax: Decimal = Decimal("0.01")  # per tax code, an amount (settings.TAX_TOLERANCE)


@dataclass(frozen=True)
class MatchFinding:
    code: FindingCode
    line: int | str | None  # a line number; for the tax rules, the tax code
    expected: str | None
    actual: str | None
    message: str


@dataclass(frozen=True)
class MatchReport:
    outcome: Outcome
    findings: tuple[MatchFinding, ...]
    po_status_valid: bool
    total_amount_match: bool
    items_match: bool
    po_total: Decimal
    invoice_total: Decimal
    amount_difference: Decimal
    discrepancies: tuple[str, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        return [finding.code.value for finding in self.findings]


def finding_label(finding: MatchFinding) -> str:
    """How the audit trail names a finding: "PRICE_VARIANCE line 1", "TAX_VARIANCE V7"."""
    if finding.line is None or finding.line == "":
        return str(finding.code)
    if isinstance(finding.line, str):
        return f"{finding.code} {finding.line}"
    return f"{finding.code} line {finding.line}"


def _within(actual: Decimal, expected: Decimal, percent: Decimal) -> bool:
    """|actual - expected| <= percent% of expected, exactly (no rounding)."""
    return abs(actual - expected) * HUNDRED <= percent * abs(expected)


def paired_po_line_numbers(
    po_line_numbers_on_invoice: Sequence[int | None], po_line_numbers: Sequence[int]
) -> list[int | None]:
    """
    The PO line each invoice line bills (None: it pairs with none).

    By the PO line number the invoice line gives; without one, by position.
    The one place lines are paired: the rules, the PO's invoiced quantities
    and the comparison page all use it.
    """
    known = set(po_line_numbers)
    paired: list[int | None] = []
    for position, number in enumerate(po_line_numbers_on_invoice):
        if number is None:
            number = (
                po_line_numbers[position] if position < len(po_line_numbers) else None
            )
        paired.append(number if number in known else None)
    return paired


def _pair_lines(
    invoice: InvoiceData, po: PurchaseOrderData
) -> tuple[list[tuple[InvoiceLineData, POLineData]], list[int]]:
    """Pair invoice lines with PO lines; return the pairs and unpaired positions."""
    by_number = {line.line_number: line for line in po.lines}
    numbers = paired_po_line_numbers(
        [line.po_line_number for line in invoice.lines], list(by_number)
    )
    pairs, unpaired = [], []
    for position, (line, number) in enumerate(
        zip(invoice.lines, numbers, strict=True), 1
    ):
        if number is None:
            unpaired.append(position)
        else:
            pairs.append((line, by_number[number]))
    return pairs, unpaired


def tax_check(
    tax_lines: Sequence[tax_rules.TaxLine],
    tax_amount: Decimal | None,
    tolerance: Decimal,
) -> list[MatchFinding]:
    """
    The tax rules: per code, accounting.tax.tax_findings; for a document
    whose codes were printed as one total only, that total against the sum
    computed, within `tolerance` once per code.
    """
    if not tax_lines:
        return []
    findings = [
        MatchFinding(
            code=FindingCode(finding.code),
            line=finding.tax_code,
            expected=str(finding.expected),
            actual=str(finding.actual),
            message=finding.message,
        )
        for finding in tax_rules.tax_findings(tax_lines, tolerance=tolerance)
    ]
    printed_per_code = any(line.printed is not None for line in tax_lines)
    if len(tax_lines) > 1 and not printed_per_code and tax_amount is not None:
        computed = tax_rules.tax_total(tax_lines)
        allowed = tolerance * len(tax_lines)
        if abs(tax_amount - computed) > allowed:
            codes = ", ".join(line.tax_code for line in tax_lines)
            findings.append(
                MatchFinding(
                    code=FindingCode.TAX_VARIANCE,
                    line=None,
                    expected=str(computed),
                    actual=str(tax_amount),
                    message=(
                        f"Tax {codes}: printed {tax_amount} in all, computed "
                        f"{computed} (more than {allowed} apart)."
                    ),
                )
            )
    return findings


def reconcile(
    invoice: InvoiceData,
    po: PurchaseOrderData,
    earlier: Sequence[EarlierInvoiceData] = (),
    tolerances: Tolerances = Tolerances(),
) -> MatchReport:
    """Run every rule and return the outcome, the findings and the summary."""
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

    currency = po.currency
    po_status_valid = po.status in ("approved", "sent")
    if not po_status_valid:
        found(
            FindingCode.PO_NOT_APPROVED,
            f"The PO is {po.status}; invoices match only approved or sent POs.",
            expected="approved or sent",
            actual=po.status,
        )
    if invoice.vendor_id != po.vendor_id:
        found(
            FindingCode.VENDOR_MISMATCH,
            "The invoice's vendor is not the PO's vendor.",
            expected=po.vendor_id,
            actual=invoice.vendor_id,
        )
    if invoice.currency != po.currency:
        found(
            FindingCode.CURRENCY_MISMATCH,
            f"The invoice is in {invoice.currency}, the PO in {po.currency}.",
            expected=po.currency,
            actual=invoice.currency,
        )

    pairs, unpaired = _pair_lines(invoice, po)
    for position in unpaired:
        line = invoice.lines[position - 1]
        found(
            FindingCode.UNMATCHED_LINE,
            f"Invoice line {position} has no matching PO line.",
            line=position,
            expected=(
                f"PO line {line.po_line_number}"
                if line.po_line_number is not None
                else f"at most {len(po.lines)} lines"
            ),
            actual=f"line {position}",
        )
    numbered = any(line.po_line_number is not None for line in invoice.lines)
    if not numbered and not unpaired and len(invoice.lines) != len(po.lines):
        found(
            FindingCode.LINE_COUNT_MISMATCH,
            f"The invoice has {len(invoice.lines)} lines without PO line numbers; "
            f"the PO has {len(po.lines)}.",
            expected=len(po.lines),
            actual=len(invoice.lines),
        )

    for inv_line, po_line in pairs:
        if not _within(
            inv_line.unit_price, po_line.unit_price, tolerances.price_percent
        ):
            found(
                FindingCode.PRICE_VARIANCE,
                f"Line {po_line.line_number}: unit price {inv_line.unit_price} differs "
                f"from the PO's {po_line.unit_price} by more than "
                f"{tolerances.price_percent}%.",
                line=po_line.line_number,
                expected=po_line.unit_price,
                actual=inv_line.unit_price,
            )

    invoiced_now: dict[int, Decimal] = {}
    for inv_line, po_line in pairs:
        invoiced_now[po_line.line_number] = (
            invoiced_now.get(po_line.line_number, Decimal("0")) + inv_line.quantity
        )
    invoiced_before: dict[int, Decimal] = {}
    for other in earlier:
        for number, quantity in other.quantities.items():
            invoiced_before[number] = (
                invoiced_before.get(number, Decimal("0")) + quantity
            )
    po_lines = {line.line_number: line for line in po.lines}
    for number, quantity in invoiced_now.items():
        total = invoiced_before.get(number, Decimal("0")) + quantity
        if total > po_lines[number].quantity:
            found(
                FindingCode.QTY_OVER_ORDERED,
                f"Line {number}: {total} invoiced in all, {po_lines[number].quantity} "
                "ordered.",
                line=number,
                expected=po_lines[number].quantity,
                actual=total,
            )
    if po.three_way:
        for number, quantity in invoiced_now.items():
            total = invoiced_before.get(number, Decimal("0")) + quantity
            received = po_lines[number].received_quantity
            if total > received:
                found(
                    FindingCode.QTY_OVER_RECEIVED,
                    f"Line {number}: {total} invoiced in all, {received} received.",
                    line=number,
                    expected=received,
                    actual=total,
                )

    priced = sum(
        (line_amount(inv.quantity, inv.unit_price, currency) for inv, _ in pairs),
        Decimal("0"),
    )
    # Allowances and charges, the lines' own (printed net - quantity x price)
    # and the document's: counted when together they add to the bill.
    extra = invoice.adjustments + sum(
        (inv.net(currency) - line_amount(inv.quantity, inv.unit_price, currency))
        for inv, _ in pairs
    )
    billed = priced + max(extra, Decimal("0"))
    po_value = sum(
        (
            line_amount(inv.quantity, po_line.unit_price, currency)
            for inv, po_line in pairs
        ),
        Decimal("0"),
    )
    total_amount_match = _within(billed, po_value, tolerances.total_percent)
    if not total_amount_match:
        found(
            FindingCode.TOTAL_VARIANCE,
            f"The invoice bills {billed} for what the PO values at {po_value}, "
            f"more than {tolerances.total_percent}% apart.",
            expected=po_value,
            actual=billed,
        )
    if earlier:
        cumulative = billed + sum((e.net_total for e in earlier), Decimal("0"))
        ceiling = (
            po.total_amount * (HUNDRED + tolerances.over_billing_percent) / HUNDRED
        )
        if cumulative > ceiling:
            found(
                FindingCode.OVER_BILLED,
                f"This and earlier invoices bill {cumulative} against a PO total of "
                f"{po.total_amount} (at most {tolerances.over_billing_percent}% over).",
                expected=po.total_amount,
                actual=cumulative,
            )

    findings.extend(tax_check(invoice.tax_lines, invoice.tax_amount, tolerances.tax))

    invoice_total = (
        sum((line.net(currency) for line in invoice.lines), Decimal("0"))
        + invoice.adjustments
    )
    codes = {finding.code for finding in findings}
    nothing_received = all(po_lines[n].received_quantity == 0 for n in invoiced_now)
    if not findings:
        outcome = Outcome.MATCHED
    elif po.three_way and codes == {FindingCode.QTY_OVER_RECEIVED} and nothing_received:
        outcome = Outcome.AWAITING_RECEIPT
    else:
        outcome = Outcome.REJECTED
    return MatchReport(
        outcome=outcome,
        findings=tuple(findings),
        po_status_valid=po_status_valid,
        total_amount_match=total_amount_match,
        items_match=not (codes & LINE_CODES),
        po_total=po.total_amount,
        invoice_total=invoice_total,
        amount_difference=invoice_total - po.total_amount,
        discrepancies=tuple(finding.message for finding in findings),
    )


@dataclass(frozen=True)
class LeftToBill:
    """Per PO line number, the quantity earlier invoices have not billed yet."""

    ordered: dict[int, Decimal]  # ordered and not yet invoiced
    # What QTY_OVER_ORDERED, and on a 3-way PO QTY_OVER_RECEIVED, still allow.
    billable: dict[int, Decimal]

    @property
    def fully_invoiced(self) -> bool:
        return not any(self.ordered.values())


def left_to_bill(
    po: PurchaseOrderData, earlier: Sequence[EarlierInvoiceData]
) -> LeftToBill:
    """Return what each PO line leaves to bill, by the quantity rules above."""
    invoiced: dict[int, Decimal] = {}
    for other in earlier:
        for number, quantity in other.quantities.items():
            invoiced[number] = invoiced.get(number, Decimal("0")) + quantity
    ordered, billable = {}, {}
    for line in po.lines:
        done = invoiced.get(line.line_number, Decimal("0"))
        ceiling = (
            min(line.quantity, line.received_quantity)
            if po.three_way
            else line.quantity
        )
        ordered[line.line_number] = max(line.quantity - done, Decimal("0"))
        billable[line.line_number] = max(ceiling - done, Decimal("0"))
    return LeftToBill(ordered=ordered, billable=billable)
