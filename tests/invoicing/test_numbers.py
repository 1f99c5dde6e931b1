import pytest

from invoicing.numbers import invoice_number_prefix, normalise_invoice_number


@pytest.mark.parametrize(
    "spelling",
    [
        "INV-0042",
        "inv 42",
        "INV/42",
        "Inv.42",
        "INV–0042",
        "ＩＮＶ４２",
        "INV\u200b-42",
        " inv42 ",
    ],
)
def test_spellings_of_one_number_normalise_alike(spelling):
    assert normalise_invoice_number(spelling) == "inv42"


def test_different_numbers_stay_different():
    assert normalise_invoice_number("INV-42") != normalise_invoice_number("INV-420")
    assert normalise_invoice_number("A-1") != normalise_invoice_number("B-1")


def test_zero_itself_is_kept():
    assert normalise_invoice_number("000") == "0"
    # Separators go first, so zeros inside a longer run of digits stay.
    assert normalise_invoice_number("2026-0001") == "20260001"
    assert normalise_invoice_number("0042-A") == "42a"


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [("INV-00", "inv"), ("INV-004", "inv4"), ("INV-10", "inv10"), ("0", "0")],
)
def test_the_start_of_a_number_drops_zeros_that_lead_a_number_being_typed(
    typed, prefix
):
    assert invoice_number_prefix(typed) == prefix
