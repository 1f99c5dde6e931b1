"""An e-invoice's lines as the invoicing services take them (pure)."""

from decimal import Decimal as D

import pytest

from einvoicing.conversion import TaxCodeChoice, einvoice_lines, tax_code_for
from tests.einvoicing.factories import allowance, einvoice, line

# Pure: the same on either backend, so run once (tests/conftest.py).
pytestmark = pytest.mark.backend_free

CODES = [
    TaxCodeChoice("V19", "S", D("19")),
    TaxCodeChoice("V7", "S", D("7")),
    TaxCodeChoice("E0", "E", D("0")),
]


def test_each_line_keeps_its_printed_net_and_unit_price():
    document = einvoice(
        lines=[
            line(1, "3", "10.00", net="27.00"),  # a line allowance of 3.00
            line(2, "-6", "18.33", net="-109.98"),
            line(3, "250", "0.75", price_base_quantity=D("1")),
            line(4, "4", "12.50", price_base_quantity=D("10"), net="5.00"),
        ]
    )

    conversion = einvoice_lines(document, codes=CODES)

    assert [(li["quantity"], li["unit_price"], li["total_amount"]) for li in conversion.lines] == [
        (D("3"), D("10.00"), D("27.00")),
        (D("-6"), D("18.33"), D("-109.98")),
        (D("250"), D("0.75"), D("187.50")),
        (D("4"), D("1.25"), D("5.00")),
    ]  # fmt: skip
    assert {li["tax_code"] for li in conversion.lines} == {"V19"}


def test_allowances_and_charges_become_lines_of_their_own_kind():
    document = einvoice(
        allowances=[
            allowance("50.00"),
            allowance("25.00", charge=True, reason="Freight"),
        ]
    )

    conversion = einvoice_lines(document, codes=CODES)

    extra = conversion.lines[2:]
    assert [(li["kind"], li["quantity"], li["unit_price"], li["total_amount"]) for li in extra] == [
        ("allowance", D("-1"), D("50.00"), D("-50.00")),
        ("charge", D("1"), D("25.00"), D("25.00")),
    ]  # fmt: skip
    assert extra[1]["description"] == "Charge (Freight)"
    net = sum(li["total_amount"] for li in conversion.lines)
    assert net == document.totals.net_total == D("1075.00")
    assert conversion.printed_tax == [{"tax_code": "V19", "amount": "204.25"}]
    assert (conversion.tax_amount, conversion.total_amount) == (
        D("204.25"),
        D("1279.25"),
    )


def test_an_order_line_reference_names_the_po_line():
    document = einvoice(
        lines=[
            line(1, "1", "20.00", order_line_reference="2"),
            line(2, "1", "100.00", order_line_reference="A-7"),
        ]
    )

    conversion = einvoice_lines(document, codes=CODES)

    assert [li["po_line_number"] for li in conversion.lines] == [2, None]


def test_the_po_lines_code_is_preferred_among_codes_of_the_same_rate():
    codes = [*CODES, TaxCodeChoice("A19", "S", D("19"))]
    assert tax_code_for("S", D("19.00"), codes) == "A19"  # the first in code order
    assert tax_code_for("S", D("19"), codes, prefer=["V19"]) == "V19"
    assert tax_code_for("S", D("25"), codes) is None

    conversion = einvoice_lines(
        einvoice(), codes=codes, po_line_codes={1: "V19"}, po_line_numbers=[1, 2]
    )
    assert {li["tax_code"] for li in conversion.lines} == {"V19"}


def test_a_rate_without_code_leaves_every_line_uncoded_with_a_warning():
    document = einvoice(
        lines=[line(1, "1", "100.00"), line(2, "1", "100.00", rate="25")]
    )

    conversion = einvoice_lines(document, codes=CODES)

    assert not conversion.coded
    assert [li["tax_code"] for li in conversion.lines] == [None, None]
    assert conversion.tax_amount == D("44.00")
    (warning,) = conversion.warnings
    assert warning.startswith("No tax code for VAT category S at 25%: ")
