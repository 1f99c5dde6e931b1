"""Priced lines (core.lines): as typed, and as an e-invoice prints them."""

from decimal import Decimal as D

import pytest

from core.errors import ValidationFailed
from core.lines import clean_lines, goods_lines, lines_total

PRINTED = [
    {"description": "Returned crates", "quantity": "-6", "unit_price": "18.33",
     "total_amount": "-109.98"},
    {"description": "Cable", "quantity": "250", "unit_price": "0.0125",
     "total_amount": "3.13"},
    {"description": "Discount", "quantity": "-1", "unit_price": "5.00",
     "total_amount": "-5.00", "kind": "allowance"},
]  # fmt: skip


def test_typed_lines_still_refuse_a_negative_quantity_and_a_wrong_total():
    with pytest.raises(ValidationFailed) as refused:
        clean_lines(PRINTED[:2], "EUR", what="An invoice")

    assert (
        refused.value.field_errors["items.0.quantity"]
        == "Quantity must be more than 0."
    )
    assert (
        "more than 2 decimal places" in refused.value.field_errors["items.1.unit_price"]
    )


def test_printed_lines_keep_their_amount_sign_and_precision():
    lines = clean_lines(PRINTED, "EUR", what="An invoice", printed_amounts=True)

    assert [(li["quantity"], li["unit_price"], li["total_amount"]) for li in lines] == [
        (D("-6"), D("18.33"), D("-109.98")),
        (D("250"), D("0.0125"), D("3.13")),
        (D("-1"), D("5.00"), D("-5.00")),
    ]
    assert [li.get("kind") for li in lines] == [None, None, "allowance"]
    assert lines_total(lines, "EUR") == D("-111.85")
    assert len(goods_lines(lines)) == 2


def test_a_printed_line_needs_its_amount_in_the_currencys_precision():
    with pytest.raises(ValidationFailed) as refused:
        clean_lines(
            [{**PRINTED[0], "total_amount": "-109.985"}, {**PRINTED[2], "kind": "x"}],
            "EUR",
            printed_amounts=True,
        )

    assert set(refused.value.field_errors) == {"items.0.total_amount", "items.1.kind"}
