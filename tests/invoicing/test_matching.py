"""The reconciliation rules of domain.md, example by example, then as properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invoicing.matching import (
    EarlierInvoiceData,
    InvoiceData,
    InvoiceLineData,
    Outcome,
    POLineData,
    PurchaseOrderData,
    reconcile,
)

D = Decimal


def po(status="approved", three_way=False, received=(0, 0)):
    """domain.md's worked-example PO: 10 x 100.00 and 5 x 20.00, total 1,100.00."""
    return PurchaseOrderData(
        status=status,
        vendor_id="v1",
        currency="EUR",
        total_amount=D("1100.00"),
        three_way=three_way,
        lines=(
            POLineData(1, D("10"), D("100.00"), D(received[0])),
            POLineData(2, D("5"), D("20.00"), D(received[1])),
        ),
    )


def invoice(*pairs, vendor="v1", currency="EUR", numbered=False):
    return InvoiceData(
        vendor_id=vendor,
        currency=currency,
        lines=tuple(
            InvoiceLineData(D(q), D(p), n if numbered else None)
            for n, (q, p) in enumerate(pairs, start=1)
        ),
    )


def findings(report):
    return [(f.code.value, f.line) for f in report.findings]


# --- domain.md's worked examples -------------------------------------------


def test_invoice_equal_to_the_po_matches():
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00")), po())
    assert report.outcome == Outcome.MATCHED and report.findings == ()
    assert (report.po_total, report.invoice_total, report.amount_difference) == (
        D("1100.00"),
        D("1100.00"),
        D("0.00"),
    )
    assert report.po_status_valid and report.total_amount_match and report.items_match


def test_half_percent_price_and_total_differences_match():
    report = reconcile(invoice(("10", "100.50"), ("5", "20.00")), po())
    assert report.outcome == Outcome.MATCHED
    assert report.invoice_total == D("1105.00")


def test_three_percent_price_is_a_price_and_total_variance():
    report = reconcile(invoice(("10", "103.00"), ("5", "20.00")), po())
    assert report.outcome == Outcome.REJECTED
    assert findings(report) == [("PRICE_VARIANCE", 1), ("TOTAL_VARIANCE", None)]
    price = report.findings[0]
    assert (price.expected, price.actual) == ("100.00", "103.00")
    assert not report.total_amount_match and not report.items_match


def test_an_extra_line_is_an_unmatched_line():
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00"), ("1", "50.00")), po())
    assert report.outcome == Outcome.REJECTED
    assert findings(report) == [("UNMATCHED_LINE", 3)]


def test_the_same_lines_billed_twice_are_over_ordered_and_over_billed():
    first = EarlierInvoiceData(
        net_total=D("1100.00"), quantities={1: D("10"), 2: D("5")}
    )
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00")), po(), earlier=[first])
    assert report.outcome == Outcome.REJECTED
    assert findings(report) == [
        ("QTY_OVER_ORDERED", 1),
        ("QTY_OVER_ORDERED", 2),
        ("OVER_BILLED", None),
    ]
    assert {f.code.value for f in report.findings} == {
        "QTY_OVER_ORDERED",
        "OVER_BILLED",
    }


def test_a_pending_po_is_not_approved():
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00")), po(status="pending"))
    assert report.outcome == Outcome.REJECTED
    assert findings(report) == [("PO_NOT_APPROVED", None)]
    assert not report.po_status_valid


# --- the other rules ----------------------------------------------------------


def test_vendor_and_currency_mismatches_are_both_reported():
    report = reconcile(
        invoice(("10", "100.00"), ("5", "20.00"), vendor="v2", currency="USD"), po()
    )
    assert [code for code, _ in findings(report)] == [
        "VENDOR_MISMATCH",
        "CURRENCY_MISMATCH",
    ]


def test_fewer_lines_without_line_numbers_is_a_line_count_mismatch():
    report = reconcile(invoice(("10", "100.00")), po())
    assert findings(report) == [("LINE_COUNT_MISMATCH", None)]


def test_a_partial_invoice_with_line_numbers_matches():
    partial = InvoiceData("v1", "EUR", (InvoiceLineData(D("4"), D("100.00"), 1),))
    assert reconcile(partial, po()).outcome == Outcome.MATCHED


def test_a_line_number_the_po_does_not_have_is_unmatched():
    stray = InvoiceData("v1", "EUR", (InvoiceLineData(D("1"), D("1.00"), 7),))
    report = reconcile(stray, po())
    assert findings(report) == [("UNMATCHED_LINE", 1)]
    assert report.findings[0].expected == "PO line 7"


def test_three_way_invoice_waits_for_goods_while_nothing_is_received():
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00")), po(three_way=True))
    assert report.outcome == Outcome.AWAITING_RECEIPT
    assert findings(report) == [("QTY_OVER_RECEIVED", 1), ("QTY_OVER_RECEIVED", 2)]


def test_three_way_invoice_matches_once_everything_is_received():
    received = po(three_way=True, received=("10", "5"))
    assert reconcile(invoice(("10", "100.00"), ("5", "20.00")), received).outcome == (
        Outcome.MATCHED
    )


def test_three_way_invoice_beyond_a_partial_receipt_is_rejected():
    partly = po(three_way=True, received=("4", "0"))
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00")), partly)
    assert report.outcome == Outcome.REJECTED
    assert findings(report) == [("QTY_OVER_RECEIVED", 1), ("QTY_OVER_RECEIVED", 2)]


def test_tolerance_edges_are_inclusive():
    at_edge = reconcile(invoice(("10", "101.00"), ("5", "20.20")), po())
    assert at_edge.outcome == Outcome.MATCHED
    past = reconcile(invoice(("10", "101.01"), ("5", "20.00")), po())
    assert findings(past) == [("PRICE_VARIANCE", 1)]


def test_cumulative_billing_within_one_percent_matches():
    first = EarlierInvoiceData(net_total=D("500.00"), quantities={1: D("5")})
    rest = InvoiceData(
        "v1",
        "EUR",
        (
            InvoiceLineData(D("5"), D("100.00"), 1),
            InvoiceLineData(D("5"), D("20.00"), 2),
        ),
    )
    assert reconcile(rest, po(), earlier=[first]).outcome == Outcome.MATCHED


# --- properties ---------------------------------------------------------------

quantities = st.integers(min_value=1, max_value=10_000).map(D)
prices = st.integers(min_value=100, max_value=10_000_000).map(
    lambda cents: D(cents) / 100
)
po_lines = st.lists(st.tuples(quantities, prices), min_size=1, max_size=12)


def po_from(lines, three_way=False):
    from core.money import line_amount

    return PurchaseOrderData(
        status="approved",
        vendor_id="v1",
        currency="EUR",
        total_amount=sum((line_amount(q, p, "EUR") for q, p in lines), D("0")),
        three_way=three_way,
        lines=tuple(
            POLineData(n, q, p, q if three_way else D("0"))
            for n, (q, p) in enumerate(lines, start=1)
        ),
    )


@settings(max_examples=200, deadline=None)
@given(po_lines, st.booleans(), st.booleans())
def test_an_invoice_identical_to_its_po_always_matches(lines, numbered, three_way):
    order = po_from(lines, three_way=three_way)
    bill = InvoiceData(
        "v1",
        "EUR",
        tuple(
            InvoiceLineData(q, p, n if numbered else None)
            for n, (q, p) in enumerate(lines, start=1)
        ),
    )
    report = reconcile(bill, order)
    assert report.outcome == Outcome.MATCHED, report.findings
    assert report.amount_difference == 0


@settings(max_examples=200, deadline=None)
@given(po_lines, st.data(), st.integers(min_value=102, max_value=500))
def test_a_unit_price_beyond_tolerance_never_matches(lines, data, percent):
    order = po_from(lines)
    target = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    factor = D(percent) / 100 if data.draw(st.booleans()) else D(100) / D(percent)
    bill = InvoiceData(
        "v1",
        "EUR",
        tuple(
            InvoiceLineData(
                q, (p * factor).quantize(D("0.01")) if i == target else p, i + 1
            )
            for i, (q, p) in enumerate(lines)
        ),
    )
    report = reconcile(bill, order)
    assert report.outcome == Outcome.REJECTED
    assert ("PRICE_VARIANCE", target + 1) in findings(report)


@settings(max_examples=200, deadline=None)
@given(po_lines, st.randoms(use_true_random=False), st.integers(0, 3))
def test_outcome_never_depends_on_line_order_with_line_numbers(lines, rng, skew):
    order = po_from(lines)
    bill_lines = [
        InvoiceLineData(q + (skew if i == 0 else 0), p, i + 1)
        for i, (q, p) in enumerate(lines)
    ]
    shuffled = list(bill_lines)
    rng.shuffle(shuffled)
    first = reconcile(InvoiceData("v1", "EUR", tuple(bill_lines)), order)
    second = reconcile(InvoiceData("v1", "EUR", tuple(shuffled)), order)
    assert first.outcome == second.outcome
    assert sorted(findings(first), key=str) == sorted(findings(second), key=str)


@pytest.mark.parametrize("status", ["pending", "rejected", "cancelled", "closed"])
def test_only_approved_or_sent_pos_match(status):
    report = reconcile(invoice(("10", "100.00"), ("5", "20.00")), po(status=status))
    assert report.codes == ["PO_NOT_APPROVED"]


# --- Invoices read from an e-invoice (issue 18) ---------------------------------


def einvoice_data(lines, adjustments="0"):
    return InvoiceData(
        vendor_id="v1",
        currency="EUR",
        lines=tuple(
            InvoiceLineData(D(q), D(p), None, amount=D(net)) for q, p, net in lines
        ),
        adjustments=D(adjustments),
    )


def test_a_discount_on_an_einvoice_is_no_variance_and_its_net_is_the_total():
    document = einvoice_data(
        [("10", "100.00", "950.00"), ("5", "20.00", "100.00")], adjustments="-50.00"
    )

    report = reconcile(document, po())

    assert report.outcome == Outcome.MATCHED, report.findings
    assert report.invoice_total == D("1000.00")


def test_charges_beyond_the_tolerance_are_a_total_variance():
    document = einvoice_data(
        [("10", "100.00", "1000.00"), ("5", "20.00", "100.00")], adjustments="25.00"
    )

    report = reconcile(document, po())

    assert findings(report) == [("TOTAL_VARIANCE", None)]
    assert report.findings[0].actual == "1125.00"


def test_an_einvoice_unit_price_is_compared_with_the_pos():
    document = einvoice_data([("10", "110.00", "1100.00"), ("5", "20.00", "100.00")])

    report = reconcile(document, po())

    assert ("PRICE_VARIANCE", 1) in findings(report)
