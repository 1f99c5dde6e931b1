"""Keeping the accounting codes: Admin only, audited, fixed rates, stale edits refused."""

import json
from decimal import Decimal

import pytest

from accounting.selectors import (
    cost_centre_list,
    gl_account_get,
    tax_code_get,
)
from accounting.services import accounting_code_create, accounting_code_update
from audit.selectors import audit_history
from core.errors import NotFound, PermissionDenied, StaleRecord, ValidationFailed
from tests.conftest import make_user, run_together


def history(kind, code):
    return audit_history(entity_type=kind, entity_id=code).items


def test_admin_creates_a_tax_code_audited(tax_codes, admin_user):
    code = accounting_code_create(
        user=admin_user,
        kind="tax_code",
        fields={"code": "v5", "name": "Input VAT 5%", "rate": "5.000", "category": "s",
                "gl_account": "1576"},
    )  # fmt: skip

    stored = tax_code_get(code="V5")
    assert (stored.rate, stored.category, stored.gl_account, stored.active) == (
        Decimal("5"), "S", "1576", True,
    )  # fmt: skip
    (entry,) = history("tax_code", "V5")
    assert (entry.action, entry.user_id, entry.label) == (
        "CREATE", "admin", "V5 Input VAT 5% (5%)",
    )  # fmt: skip
    assert code.version == 1


def test_a_code_already_taken_is_refused(tax_codes, admin_user):
    with pytest.raises(ValidationFailed, match="The code 4930 already exists"):
        accounting_code_create(
            user=admin_user, kind="gl_account", fields={"code": "4930", "name": "X"}
        )
    assert gl_account_get(code="4930").name == "Office supplies"


def test_a_tax_code_naming_an_unknown_account_is_refused(tax_codes, admin_user):
    with pytest.raises(ValidationFailed) as refused:
        accounting_code_create(
            user=admin_user,
            kind="tax_code",
            fields={"code": "V5", "name": "5%", "rate": "5", "category": "S",
                    "gl_account": "1599"},
        )  # fmt: skip
    assert (
        "The input VAT account 1599 is not a GL account"
        in (refused.value.field_errors["gl_account"])
    )
    assert tax_code_get(code="V5") is None


@pytest.mark.parametrize("role", ["AP Clerk", "Auditor", "Approver", None])
def test_only_an_admin_may_create_or_edit_codes(tax_codes, role):
    user = make_user("someone", *([role] if role else []))
    with pytest.raises(PermissionDenied, match="Only an Admin may change tax codes"):
        accounting_code_create(
            user=user, kind="cost_centre", fields={"code": "9000", "name": "R&D"}
        )
    with pytest.raises(PermissionDenied):
        accounting_code_update(
            user=user, kind="tax_code", code="V19", changes={"active": False}, version=1
        )
    assert [c.code for c in cost_centre_list()] == ["1000", "2000", "4100", "4200"]
    assert tax_code_get(code="V19").active


def test_an_admin_without_a_second_factor_is_refused(tax_codes, db):
    admin = make_user("root", superuser=True, second_factor=False)
    with pytest.raises(PermissionDenied, match="second factor"):
        accounting_code_create(
            user=admin, kind="gl_account", fields={"code": "6000", "name": "IT"}
        )


def test_deactivating_a_code_is_audited_with_before_and_after(tax_codes, admin_user):
    code = accounting_code_update(
        user=admin_user, kind="tax_code", code="v7", changes={"active": False},
        version=1,
    )  # fmt: skip

    assert code.active is False and tax_code_get(code="V7").active is False
    updated, created = history("tax_code", "V7")  # newest first
    assert updated.action == "UPDATE"
    details = json.loads(updated.details_json)
    assert (details["before"], details["after"]) == (
        {"active": True},
        {"active": False},
    )


def test_a_tax_codes_rate_is_never_changed(tax_codes, admin_user):
    with pytest.raises(ValidationFailed) as refused:
        accounting_code_update(
            user=admin_user, kind="tax_code", code="V19", changes={"rate": "20"},
            version=1,
        )  # fmt: skip
    assert (
        "Create a new code with the new rate and deactivate V19"
        in (refused.value.field_errors["rate"])
    )
    assert tax_code_get(code="V19").rate == Decimal("19")
    assert len(history("tax_code", "V19")) == 1


def test_an_edit_of_an_unknown_code_is_not_found(tax_codes, admin_user):
    with pytest.raises(NotFound, match="GL account 9999 does not exist"):
        accounting_code_update(
            user=admin_user, kind="gl_account", code="9999", changes={"name": "x"},
            version=1,
        )  # fmt: skip


def test_an_edit_made_on_an_old_version_is_refused(tax_codes, admin_user):
    accounting_code_update(
        user=admin_user, kind="gl_account", code="4930", changes={"name": "Office"},
        version=1,
    )  # fmt: skip
    with pytest.raises(StaleRecord):
        accounting_code_update(
            user=admin_user, kind="gl_account", code="4930",
            changes={"name": "Stationery"}, version=1,
        )  # fmt: skip
    assert gl_account_get(code="4930").name == "Office"


@pytest.mark.dynamodb_local_only
def test_two_admins_editing_one_code_at_once_one_is_refused_as_stale(tax_codes, db):
    first = make_user("root1", superuser=True)
    second = make_user("root2", superuser=True)

    outcomes = run_together(
        [
            lambda: accounting_code_update(
                user=first, kind="tax_code", code="V19",
                changes={"name": "Vorsteuer 19%"}, version=1,
            ),
            lambda: accounting_code_update(
                user=second, kind="tax_code", code="V19",
                changes={"name": "Input VAT (19)"}, version=1,
            ),
        ]
    )  # fmt: skip

    assert sorted(o.split(":")[0] for o in outcomes) == ["StaleRecord", "ok"]
    winner = ["Vorsteuer 19%", "Input VAT (19)"][outcomes.index("ok")]
    stored = tax_code_get(code="V19")
    assert (stored.name, stored.version) == (winner, 2)
    assert [e.action for e in history("tax_code", "V19")] == ["UPDATE", "CREATE"]


def test_a_batch_reads_the_code_lists_once_a_minute(tax_codes, admin_user, monkeypatch):
    from accounting import selectors

    def add(code):
        accounting_code_create(
            user=admin_user, kind="cost_centre", fields={"code": code, "name": code}
        )

    add("9101")
    with selectors.code_lists_remembered():
        assert "9101" in {c.code for c in selectors.cost_centre_list()}
        add("9102")  # within the minute: the list as read is used
        assert "9102" not in {c.code for c in selectors.cost_centre_list()}
        clock = selectors.time.monotonic() + 61
        monkeypatch.setattr(selectors.time, "monotonic", lambda: clock)
        assert "9102" in {c.code for c in selectors.cost_centre_list()}
    add("9103")  # outside a batch, every read is fresh
    assert "9103" in {c.code for c in selectors.cost_centre_list()}
