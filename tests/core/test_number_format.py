"""Numbers typed and shown in the user's number format (issue 14, item 10)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core import number_format
from core.forms import PricedLineForm
from core.money import MoneyError
from core.templatetags.money import amount, money, quantity
from invoicing.forms import InvoiceForm

POINT, COMMA, SPACE = "1,234.56", "1.234,56", "1 234,56"


@pytest.mark.parametrize(
    "fmt, typed, plain",
    [
        (COMMA, "189,00", "189.00"),
        (COMMA, "1.234,56", "1234.56"),
        (COMMA, "1.234.567,8", "1234567.8"),
        (COMMA, "1.234", "1234"),  # thousands, as a decimal-comma reader means
        (COMMA, "189.00", "189.00"),  # plain, where it cannot be thousands
        (COMMA, "-0,5", "-0.5"),
        (COMMA, " 12,50 ", "12.50"),
        (POINT, "1,234.56", "1234.56"),
        (POINT, "189.00", "189.00"),
        (POINT, "189,00", "189.00"),  # a decimal comma, unambiguous here
        (POINT, "1,234", "1234"),
        (POINT, "0,125", "0.125"),  # a leading 0 is never a thousands group
        (SPACE, "1 234,56", "1234.56"),
        (SPACE, "1\u202f234,56", "1234.56"),
        (SPACE, "1\u00a0234\u00a0567", "1234567"),
        (SPACE, "189.00", "189.00"),
        (POINT, "1e3", "1e3"),  # left to parse_decimal, as before
        (POINT, "", ""),
    ],
)
def test_typed_numbers_become_the_plain_form_services_read(fmt, typed, plain):
    assert number_format.to_plain(typed, fmt=number_format.FORMATS[fmt]) == plain


@pytest.mark.parametrize(
    "fmt, typed, message",
    [
        (POINT, "1.234,56", "Use 1,234.56 — your number format"),
        (COMMA, "1,234.56", "Use 1.234,56 — your number format"),
        (COMMA, "1.23.4", "Use 1.234,56 — your number format"),
        (POINT, "12 345.6", "Use 1,234.56 — your number format"),
        (SPACE, "1.234", "could mean 1234 or 1.234: use 1 234,56"),
        (POINT, "abc", "Use 1,234.56"),
    ],
)
def test_text_in_another_format_is_refused_naming_the_users_one(fmt, typed, message):
    with pytest.raises(MoneyError, match=message):
        number_format.to_plain(typed, fmt=number_format.FORMATS[fmt])


def test_amounts_are_shown_in_the_active_format_and_the_default_is_unchanged():
    value = Decimal("1234567.5")
    assert money(value, "EUR") == "EUR 1,234,567.50"
    with number_format.override(COMMA):
        assert amount(value, "EUR") == "1.234.567,50"
        assert money(value, "KWD") == "KWD 1.234.567,500"
        assert money(Decimal("-3900"), "JPY") == "JPY -3.900"
        assert quantity(Decimal("2.500")) == "2,5"
        assert quantity(Decimal("10.000")) == "10"
    with number_format.override(SPACE):
        assert amount(value, "EUR") == "1\u202f234\u202f567,50"
    assert amount(value, "EUR") == "1,234,567.50"


def test_the_filters_in_a_template_read_the_format_activated_for_the_request():
    template = Template('{% load money %}{{ x|money:"EUR" }} {{ q|quantity }}')
    context = Context({"x": Decimal("189"), "q": Decimal("1.5")})
    with number_format.override(COMMA):
        assert template.render(context) == "EUR 189,00 1,5"
    assert template.render(context) == "EUR 189.00 1.5"


def test_a_line_form_takes_a_decimal_comma_and_hands_on_the_plain_number():
    with number_format.override(COMMA):
        form = PricedLineForm(
            {"description": "Toner", "quantity": "1,5", "unit_price": "1.234,56"}
        )
        assert form.is_valid(), form.errors
    assert form.cleaned_data["quantity"] == "1.5"
    assert form.cleaned_data["unit_price"] == "1234.56"


def test_a_number_in_another_format_is_refused_beside_its_field():
    with number_format.override(COMMA):
        form = InvoiceForm({"invoice_date": "2026-11-28", "tax_amount": "1,234.56"})
        assert not form.is_valid()
        assert form.errors["tax_amount"] == [
            "Use 1.234,56 — your number format (set on your profile)."
        ]


def test_prefilled_numbers_are_shown_in_the_users_format_typed_ones_as_typed():
    # "1.500" is 1500 to a decimal-comma reader: a prefilled 1.5 must not read so.
    with number_format.override(COMMA):
        unbound = PricedLineForm(
            initial={"quantity": Decimal("1.500"), "unit_price": "0.00"}
        )
        html = str(unbound["quantity"]) + str(unbound["unit_price"])
        assert 'value="1,500"' in html and 'value="0,00"' in html
        assert 'placeholder="1.234,56"' in html
        bound = PricedLineForm({"quantity": "1.500", "unit_price": "12"})
        assert 'value="1.500"' in str(bound["quantity"])


def test_help_text_names_the_format_expected():
    form = InvoiceForm()
    with number_format.override(COMMA):
        assert "Numbers as 1.234,56." in str(form["total_amount"].help_text)
    assert "Numbers as 1,234.56." in str(form["total_amount"].help_text)
