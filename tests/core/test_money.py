from decimal import Decimal

import pytest

from core.money import (
    Money,
    MoneyError,
    check_precision,
    line_amount,
    parse_decimal,
    round_money,
    validate_currency,
)


def test_line_amount_rounds_half_up_to_the_currency_minor_unit():
    assert line_amount(Decimal("3"), Decimal("0.335"), "EUR") == Decimal("1.01")
    assert line_amount(Decimal("1"), Decimal("0.005"), "EUR") == Decimal("0.01")
    assert line_amount(Decimal("2"), Decimal("10.5"), "JPY") == Decimal("21")
    assert line_amount(Decimal("1"), Decimal("1.0005"), "KWD") == Decimal("1.001")


def test_round_money_never_uses_bankers_rounding():
    assert round_money(Decimal("2.345"), "USD") == Decimal("2.35")
    assert round_money(Decimal("2.355"), "USD") == Decimal("2.36")


def test_floats_are_refused_as_amounts():
    with pytest.raises(MoneyError, match="not a float"):
        parse_decimal(0.1)
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["abc", "", "NaN", "Infinity"])
def test_non_numbers_are_refused(raw):
    with pytest.raises(MoneyError):
        parse_decimal(raw)


def test_more_decimals_than_the_currency_allows_is_refused():
    assert check_precision(Decimal("10.50"), "EUR") == Decimal("10.50")
    with pytest.raises(MoneyError, match="more than 2 decimal places"):
        check_precision(Decimal("10.505"), "EUR")
    with pytest.raises(MoneyError, match="more than 0 decimal places"):
        check_precision(Decimal("10.5"), "JPY")


def test_unknown_currency_is_refused_and_known_one_normalised():
    assert validate_currency(" usd ") == "USD"
    with pytest.raises(MoneyError, match="ISO 4217"):
        validate_currency("XYZ")


def test_money_refuses_to_add_different_currencies():
    total = Money(Decimal("1.10"), "EUR") + Money(Decimal("2.20"), "EUR")
    assert total == Money(Decimal("3.30"), "EUR")
    assert str(Money(Decimal("1234.5"), "EUR")) == "EUR 1,234.50"
    with pytest.raises(MoneyError):
        Money(Decimal("1"), "EUR") + Money(Decimal("1"), "USD")


@pytest.mark.parametrize("raw", ["1e1000000", "-1e1000000", "1E+999999999", "1e15"])
def test_huge_exponent_is_refused_not_overflowed(raw):
    with pytest.raises(MoneyError, match="too large"):
        parse_decimal(raw, field="quantity")


def test_tiny_exponent_is_refused_as_too_many_decimal_places():
    with pytest.raises(MoneyError, match="too many decimal places"):
        parse_decimal("1e-999999999")


def test_number_text_longer_than_the_limit_is_refused_before_conversion():
    with pytest.raises(MoneyError, match="too long"):
        parse_decimal("1." + "0" * 100)


@pytest.mark.parametrize(
    "raw",
    ["1_000", "\u0661\u0662", "\uff11\uff12", "\xa012\xa0", "1 000", "0x10"],
    ids=["underscore", "arabic-indic", "full-width", "nbsp", "space", "hex"],
)
def test_digits_other_than_ascii_are_refused(raw):
    with pytest.raises(MoneyError, match="must be a number"):
        parse_decimal(raw)


@pytest.mark.parametrize("raw", ["-0", "-0.00", "-0e3"])
def test_negative_zero_is_refused(raw):
    with pytest.raises(MoneyError, match="cannot be -0"):
        parse_decimal(raw, field="unit price")


@pytest.mark.parametrize("raw", [" 12.50 ", "12", "-3.5", "+7", "1E+2", ".5"])
def test_plain_numbers_with_ascii_spaces_are_read(raw):
    assert parse_decimal(raw) == Decimal(raw.strip())


def test_zero_with_a_large_exponent_is_read_as_plain_zero():
    assert str(parse_decimal("0E+99")) == "0"
    with pytest.raises(MoneyError, match="must be a number"):
        parse_decimal("0e" + "9" * 36)
