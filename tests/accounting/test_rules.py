"""The accounting code rules (accounting.rules, accounting.imports): pure, no DynamoDB."""

from decimal import Decimal

import pytest

from accounting import rules
from accounting.imports import ADD, UNCHANGED, UPDATE, CodeRow, plan_code_rows
from core.errors import ValidationFailed

V19 = {
    "code": "V19",
    "name": "Input VAT 19%",
    "active": True,
    "rate": Decimal("19"),
    "category": "S",
    "gl_account": "1576",
    "reverse_charge_account": None,
}


def test_a_code_is_stripped_and_upper_cased():
    assert rules.clean_code("  rc19 ") == "RC19"
    assert rules.clean_code("4100.a-b_c") == "4100.A-B_C"


@pytest.mark.parametrize("code", ["4 100", "V19%", "Ä1", "X" * 21, "a/b"])
def test_a_code_outside_the_format_is_refused_naming_it(code):
    with pytest.raises(ValidationFailed) as refused:
        rules.clean_code(code, label="GL account")
    assert refused.value.field_errors["code"].startswith("GL account “")
    assert "at most 20 characters" in refused.value.message


@pytest.mark.parametrize(
    ("text", "rate"),
    [("19", Decimal("19")), ("19.00", Decimal("19")), ("8.875", Decimal("8.875")),
     ("0", Decimal("0")), ("100", Decimal("100")), ("7.50", Decimal("7.5"))],
)  # fmt: skip
def test_a_rate_is_an_exact_percentage(text, rate):
    cleaned = rules.clean_rate(text)
    assert cleaned == rate and str(cleaned) == str(rate)


@pytest.mark.parametrize(
    ("text", "message"),
    [("-1", "from 0 to 100, not -1"), ("100.5", "from 0 to 100, not 100.5"),
     ("8.8755", "more than 3 decimal places"), ("abc", "must be a number"),
     (19.0, "not a float")],
)  # fmt: skip
def test_a_rate_out_of_range_or_too_precise_is_refused(text, message):
    with pytest.raises(ValidationFailed, match=message):
        rules.clean_rate(text)


def test_a_category_must_be_an_en16931_code():
    assert rules.clean_category("ae") == "AE"
    with pytest.raises(ValidationFailed, match="VAT category X is not one of S"):
        rules.clean_category("X")


def test_a_new_tax_code_names_existing_accounts_only():
    fields = {**V19, "gl_account": "1576", "reverse_charge_account": "9999"}
    with pytest.raises(ValidationFailed) as refused:
        rules.clean_code_fields(
            "tax_code", fields, gl_account_exists=lambda code: code == "1576"
        )
    assert refused.value.field_errors == {
        "reverse_charge_account": "The reverse-charge account 9999 is not a GL "
        "account: add it under GL accounts first, or name another."
    }


def test_every_bad_field_of_a_new_code_is_named_at_once():
    with pytest.raises(ValidationFailed) as refused:
        rules.clean_code_fields("tax_code", {"code": "", "rate": "200", "category": ""})
    assert set(refused.value.field_errors) == {"code", "name", "rate", "category"}


def test_a_tax_codes_rate_change_is_refused_telling_to_create_a_new_code():
    with pytest.raises(ValidationFailed) as refused:
        rules.clean_code_changes("tax_code", V19, {"rate": "20", "name": "x"})
    message = refused.value.field_errors["rate"]
    assert "fixed at 19%" in message
    assert "Create a new code with the new rate and deactivate V19" in message


def test_a_category_change_is_refused_but_the_same_value_is_no_change():
    with pytest.raises(ValidationFailed, match="category of tax code V19 is fixed"):
        rules.clean_code_changes("tax_code", V19, {"category": "AE"})
    assert (
        rules.clean_code_changes("tax_code", V19, {"rate": "19.0", "category": "s"})
        == {}
    )


def test_an_edit_returns_only_what_changes():
    changes = {"name": "Input VAT 19 %", "active": False, "gl_account": "1576"}
    assert rules.clean_code_changes("tax_code", V19, changes) == {
        "name": "Input VAT 19 %",
        "active": False,
    }


def rows(*cells):
    return [
        CodeRow(number=n, values=dict(zip(("code", "name", "active"), c, strict=False)))
        for n, c in enumerate(cells, start=2)
    ]


def test_an_import_plans_new_changed_and_unchanged_codes():
    stored = {
        "4930": {"code": "4930", "name": "Office supplies", "active": True},
        "4200": {"code": "4200", "name": "Rent", "active": True},
    }
    plan = plan_code_rows(
        rows(
            ("4930", "Office supplies", ""), ("4200", "Rent", "no"), ("6000", "IT", "")
        ),
        kind="gl_account",
        stored=stored,
    )
    assert [(r.code, r.action, r.changes) for r in plan.rows] == [
        ("4930", UNCHANGED, {}),
        ("4200", UPDATE, {"active": False}),
        ("6000", ADD, {"name": "IT", "active": True}),
    ]
    assert plan.valid and plan.summary == "1 added, 1 updated, 1 unchanged"


def test_an_import_names_each_bad_row_and_repeated_codes():
    plan = plan_code_rows(
        rows(
            ("1000", "Admin"),
            ("bad code", "X"),
            ("1000", "Again"),
            ("2000", "", "maybe"),
        ),
        kind="cost_centre",
        stored={},
    )
    errors = {row.number: row.errors for row in plan.error_rows}
    assert (
        errors[2]["code"]
        == errors[4]["code"]
        == "Rows 2, 4 of this file have the code 1000."
    )
    assert "is not valid" in errors[3]["code"]
    assert errors[5]["name"].startswith("A name is required")
    assert "“maybe” is not yes or no" in errors[5]["active"]
    assert not plan.valid
