"""The tax rules of accounting.tax and the match's tax findings: exact worked examples."""

from decimal import Decimal

from accounting.tax import (
    TAX_CATEGORY_MISMATCH,
    TAX_VARIANCE,
    TaxRate,
    self_assessed_amount,
    tax_findings,
    tax_lines,
    tax_total,
)
from invoicing import credit_matching, matching

D = Decimal
RATES = {
    "V19": TaxRate("V19", D("19"), "S"),
    "V7": TaxRate("V7", D("7"), "S"),
    "RC19": TaxRate("RC19", D("19"), "AE"),
    "E0": TaxRate("E0", D("0"), "E"),
}
TOLERANCE = D("0.01")


def breakdown(lines, printed=None):
    return tax_lines([(c, D(n)) for c, n in lines], RATES, "EUR", printed=printed)


def test_a_19_and_a_7_percent_line_give_one_tax_line_each():
    lines = breakdown([("V19", "1000.00"), ("V7", "100.00")])
    assert [(t.tax_code, t.base, t.amount) for t in lines] == [
        ("V19", D("1000.00"), D("190.00")),
        ("V7", D("100.00"), D("7.00")),
    ]
    assert tax_total(lines) == D("197.00")


def test_tax_is_rounded_once_per_code_as_the_docstring_example():
    lines = breakdown([("V19", "100.00"), ("V19", "33.33"), ("V7", "10.00")])
    assert [(t.tax_code, t.base, t.amount) for t in lines] == [
        ("V19", D("133.33"), D("25.33")),  # 25.3327
        ("V7", D("10.00"), D("0.70")),
    ]
    assert tax_total(lines) == D("26.03")
    # 3 x 33.33 at 19%: 18.9981 once -> 19.00, not 3 x 6.33 = 18.99.
    three = breakdown([("V19", "33.33")] * 3)
    assert three[0].amount == D("19.00")


def test_reverse_charge_charges_nothing_and_the_buyer_self_assesses():
    (line,) = breakdown([("RC19", "1000.00")])
    assert line.amount == D("0.00")
    assert self_assessed_amount(line, "EUR") == D("190.00")


def test_reverse_charge_with_tax_charged_is_a_category_mismatch():
    lines = breakdown([("RC19", "1000.00")], printed={"RC19": D("190.00")})
    (finding,) = tax_findings(lines, tolerance=TOLERANCE)
    assert finding.code == TAX_CATEGORY_MISMATCH
    assert (finding.tax_code, finding.expected, finding.actual) == (
        "RC19",
        D("0"),
        D("190.00"),
    )
    assert "190.00 is charged" in finding.message


def test_printed_tax_two_cents_off_is_a_variance_one_cent_is_not():
    off_by_two = breakdown([("V19", "100.00")], printed={"V19": D("19.02")})
    (finding,) = tax_findings(off_by_two, tolerance=TOLERANCE)
    assert finding.code == TAX_VARIANCE
    assert (finding.expected, finding.actual) == (D("19.00"), D("19.02"))
    assert finding.message == "Tax V19: printed 19.02, computed 19.00 (19% of 100.00)."
    off_by_one = breakdown([("V19", "100.00")], printed={"V19": D("19.01")})
    assert tax_findings(off_by_one, tolerance=TOLERANCE) == []


# --- The PO match and the credit-note match report them -----------------------

PO = matching.PurchaseOrderData(
    status="approved",
    vendor_id="v1",
    currency="EUR",
    total_amount=D("1100.00"),
    lines=(
        matching.POLineData(1, D("10"), D("100.00")),
        matching.POLineData(2, D("5"), D("20.00")),
    ),
)


def invoice(tax, tax_amount=None):
    return matching.InvoiceData(
        vendor_id="v1",
        currency="EUR",
        lines=(
            matching.InvoiceLineData(D("10"), D("100.00")),
            matching.InvoiceLineData(D("5"), D("20.00")),
        ),
        tax_lines=tax,
        tax_amount=tax_amount,
    )


def test_an_invoice_with_the_printed_tax_as_computed_matches():
    tax = breakdown(
        [("V19", "1000.00"), ("V7", "100.00")],
        printed={"V19": D("190.00"), "V7": D("7.00")},
    )
    report = matching.reconcile(invoice(tax, D("197.00")), PO)
    assert report.outcome == matching.Outcome.MATCHED
    assert report.findings == ()


def test_a_tax_variance_rejects_the_invoice_naming_the_code():
    tax = breakdown(
        [("V19", "1000.00"), ("V7", "100.00")],
        printed={"V19": D("190.00"), "V7": D("7.02")},
    )
    report = matching.reconcile(
        invoice(tax, D("197.02")), PO, tolerances=matching.Tolerances()
    )
    assert report.outcome == matching.Outcome.REJECTED
    (finding,) = report.findings
    assert (finding.code, finding.line, finding.expected, finding.actual) == (
        "TAX_VARIANCE",
        "V7",
        "7.00",
        "7.02",
    )
    assert report.items_match and report.total_amount_match


def test_one_printed_total_for_two_codes_is_compared_as_a_sum():
    tax = breakdown([("V19", "1000.00"), ("V7", "100.00")])
    within = matching.reconcile(invoice(tax, D("197.02")), PO)
    assert within.findings == ()  # 0.01 per code, two codes
    beyond = matching.reconcile(invoice(tax, D("197.03")), PO)
    (finding,) = beyond.findings
    assert (finding.code, finding.line, finding.expected, finding.actual) == (
        "TAX_VARIANCE",
        None,
        "197.00",
        "197.03",
    )


def test_an_invoice_without_tax_codes_is_not_checked_for_tax():
    report = matching.reconcile(invoice((), D("999.99")), PO)
    assert report.outcome == matching.Outcome.MATCHED


def test_a_credit_note_with_tax_charged_on_reverse_charge_is_rejected():
    tax = breakdown([("RC19", "100.00")], printed={"RC19": D("19.00")})
    credit = credit_matching.CreditNoteData(
        vendor_id="v1",
        currency="EUR",
        lines=(credit_matching.CreditLineData(D("1"), D("100.00"), 1),),
        total_amount=D("119.00"),
        tax_lines=tax,
        tax_amount=D("19.00"),
    )
    invoiced = credit_matching.PurchaseOrderInvoiced(
        net_total=D("1100.00"), quantities={1: D("10"), 2: D("5")}
    )
    report = credit_matching.reconcile_credit(credit, PO, invoiced, None)
    assert report.outcome == matching.Outcome.REJECTED
    assert [(f.code, f.line) for f in report.findings] == [
        ("TAX_CATEGORY_MISMATCH", "RC19")
    ]
    assert report.items_match
    matched = credit_matching.reconcile_credit(
        credit_matching.CreditNoteData(
            vendor_id="v1",
            currency="EUR",
            lines=credit.lines,
            total_amount=D("100.00"),
            tax_lines=breakdown([("RC19", "100.00")], printed={"RC19": D("0.00")}),
            tax_amount=D("0.00"),
        ),
        PO,
        invoiced,
        None,
    )
    assert matched.outcome == matching.Outcome.MATCHED
