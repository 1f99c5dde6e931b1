from decimal import Decimal

import pytest

from accounting import coding, selectors
from accounting.models import CostCentre, GlAccount
from core.errors import ValidationFailed


def line(number=1, **codes):
    return {
        "line_number": number,
        "description": f"Item {number}",
        "quantity": Decimal("1"),
        "unit_price": Decimal("10.00"),
        **codes,
    }


def deactivate(model_cls, code):
    model_cls.get(code).update(actions=[model_cls.active.set(False)])


def refusal(lines, **options) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        coding.check_line_codes(lines, **options)
    return caught.value.field_errors


def test_unknown_codes_are_refused_per_line_and_field(tax_codes):
    errors = refusal(
        [
            line(1, gl_account="4930", cost_centre="4100", tax_code="V19"),
            line(2, gl_account="4999", cost_centre="9999", tax_code="X1"),
        ]
    )
    assert errors == {
        "items.1.gl_account": "GL account 4999 does not exist.",
        "items.1.cost_centre": "Cost centre 9999 does not exist.",
        "items.1.tax_code": "Tax code X1 does not exist.",
    }


def test_an_inactive_code_is_refused_on_a_new_document(tax_codes):
    deactivate(CostCentre, "4200")
    with pytest.raises(ValidationFailed) as caught:
        coding.check_line_codes([line(1, cost_centre="4200")])
    assert caught.value.message == (
        "Cost centre 4200 (Warehouse) is inactive: choose an active one."
    )
    assert caught.value.field_errors == {"items.0.cost_centre": caught.value.message}


def test_a_line_kept_unchanged_keeps_its_inactive_code_a_changed_one_does_not(
    tax_codes,
):
    deactivate(GlAccount, "4930")
    before = [line(1, gl_account="4930"), line(2, gl_account="4930")]
    changed = {**line(2, gl_account="4930"), "quantity": Decimal("2")}
    errors = refusal([line(1, gl_account="4930"), changed], previous=before)
    assert list(errors) == ["items.1.gl_account"]
    assert "is inactive" in errors["items.1.gl_account"]
    coding.check_line_codes([line(1, gl_account="4930")], previous=before)


def test_required_coding_names_each_missing_field_of_each_line(tax_codes):
    errors = refusal(
        [line(1, gl_account="4930", cost_centre="4100", tax_code="V19"), line(2)],
        require=True,
    )
    assert errors == {
        "items.1.tax_code": "Line 2 needs a tax code.",
        "items.1.gl_account": "Line 2 needs a GL account.",
        "items.1.cost_centre": "Line 2 needs a cost centre.",
    }


def test_nothing_is_required_of_a_company_keeping_no_codes(dynamodb):
    coding.check_line_codes([line(1), line(2)], require=True)


def test_the_codes_are_read_once_per_document_not_once_per_line(tax_codes, monkeypatch):
    reads = []
    for name in ("tax_code_list", "gl_account_list", "cost_centre_list"):
        original = getattr(selectors, name)
        monkeypatch.setattr(
            selectors,
            name,
            lambda original=original, name=name, **kw: reads.append(name)
            or original(**kw),
        )
    for get in ("tax_code_get", "gl_account_get", "cost_centre_get"):
        monkeypatch.setattr(selectors, get, lambda **kw: reads.append("get"))
    lines = [
        line(n, gl_account="4930", cost_centre="4100", tax_code="V19")
        for n in range(1, 41)
    ]
    coding.check_line_codes(lines, require=True)
    assert sorted(reads) == ["cost_centre_list", "gl_account_list", "tax_code_list"]


def test_coded_takes_each_missing_code_from_the_first_source_naming_one():
    result = coding.coded(
        {"line_number": 1, "gl_account": "6100", "tax_code": None},
        None,
        {"tax_code": None, "gl_account": "4930", "cost_centre": "4100"},
        {"tax_code": "V19"},
    )
    assert (result["gl_account"], result["cost_centre"], result["tax_code"]) == (
        "6100",
        "4100",
        "V19",
    )
    assert coding.coded({"line_number": 1})["tax_code"] is None


def test_the_choices_offer_active_codes_and_the_inactive_ones_a_document_has(
    tax_codes,
):
    deactivate(CostCentre, "4200")
    book = coding.code_book()
    assert "4200" not in [code for code, _ in book.choices("cost_centre")]
    assert "4100" in [code for code, _ in book.choices("cost_centre")]
    assert book.choices("cost_centre", keep=["4200"])[-1] == (
        "4200",
        "4200 Warehouse (inactive)",
    )
