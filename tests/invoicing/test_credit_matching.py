"""The credit note's matching rules (invoicing.credit_matching), as pure functions."""

from decimal import Decimal as D

from invoicing.credit_matching import (
    CreditedInvoiceData,
    CreditLineData,
    CreditNoteData,
    PurchaseOrderInvoiced,
    credit_effect,
    reconcile_credit,
)
from invoicing.matching import POLineData, PurchaseOrderData

PO = PurchaseOrderData(
    status="closed",
    vendor_id="acme",
    currency="EUR",
    total_amount=D("1100.00"),
    lines=(POLineData(1, D("10"), D("100.00")), POLineData(2, D("5"), D("20.00"))),
)
BILLED = PurchaseOrderInvoiced(
    net_total=D("1100.00"), quantities={1: D("10"), 2: D("5")}
)


def credit(*lines, total=None, vendor="acme", currency="EUR"):
    data = tuple(CreditLineData(D(q), D(p), n) for q, p, n in lines)
    net = sum((line.quantity * line.unit_price for line in data), D("0"))
    return CreditNoteData(
        vendor_id=vendor,
        currency=currency,
        lines=data,
        total_amount=D(total) if total else net,
    )


def invoice(total="1100.00", before="0"):
    return CreditedInvoiceData(
        number="INV-1",
        vendor_id="acme",
        currency="EUR",
        total_amount=D(total),
        credited_before=D(before),
    )


def findings(report):
    return [(f.code.value, f.line, f.expected, f.actual) for f in report.findings]


def test_two_returned_units_of_a_billed_line_match():
    report = reconcile_credit(credit(("2", "100.00", 1)), PO, BILLED, invoice())
    assert (report.outcome.value, findings(report)) == ("matched", [])
    assert report.invoice_total == D("200.00")


def test_crediting_more_units_than_were_invoiced_on_a_line_is_rejected():
    billed = PurchaseOrderInvoiced(net_total=D("800.00"), quantities={1: D("8")})
    report = reconcile_credit(credit(("9", "100.00", 1)), PO, billed, None)
    assert report.outcome.value == "rejected"
    assert findings(report) == [
        ("CREDIT_EXCEEDS_INVOICED", 1, "8", "9"),
        ("CREDIT_EXCEEDS_INVOICED", None, "800.00", "900.00"),
    ]


def test_a_line_never_invoiced_cannot_be_credited():
    billed = PurchaseOrderInvoiced(net_total=D("1000.00"), quantities={1: D("10")})
    report = reconcile_credit(credit(("1", "20.00", 2)), PO, billed, None)
    assert findings(report) == [("CREDIT_EXCEEDS_INVOICED", 2, "0", "1")]


def test_more_than_the_credited_invoice_leaves_is_rejected():
    report = reconcile_credit(
        credit(("2", "100.00", 1)), PO, BILLED, invoice(total="1100.00", before="950")
    )
    assert findings(report) == [("CREDIT_EXCEEDS_INVOICED", None, "150.00", "200.00")]
    assert report.total_amount_match is False


def test_another_vendor_currency_or_an_unknown_line_is_reported():
    report = reconcile_credit(
        credit(("1", "100.00", 7), vendor="globex", currency="USD"), PO, BILLED, None
    )
    codes = [f.code.value for f in report.findings]
    assert codes == ["VENDOR_MISMATCH", "CURRENCY_MISMATCH", "UNMATCHED_LINE"]


def test_a_pending_po_was_never_billed():
    pending = PurchaseOrderData(**{**PO.__dict__, "status": "pending"})
    report = reconcile_credit(credit(("1", "100.00", 1)), pending, BILLED, None)
    assert [f.code.value for f in report.findings] == ["PO_NOT_APPROVED"]


def test_a_standalone_credit_without_po_matches():
    report = reconcile_credit(credit(("1", "50.00", None)), None, None, None)
    assert report.outcome.value == "matched"


def test_returned_goods_take_quantities_off_a_price_credit_only_its_amount():
    effect = credit_effect(credit(("2", "100.00", 1), ("5", "2.00", 2)), PO)
    assert effect.quantities == {1: D("2")}
    assert effect.net_total == D("210.00")
    assert effect.from_dict(effect.as_dict()) == effect
