"""The company's bank accounts through their services: Admin keeps them, a second Admin confirms."""

import json

import pytest

from audit.selectors import audit_history
from core.errors import (
    InvalidTransition,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from tests.conftest import make_user, run_together
from tests.treasury.accounts import EUR_ACCOUNT, USD_ACCOUNT, second_admin
from treasury.selectors import (
    bank_account_for_currency,
    bank_account_get,
    bank_account_list,
)
from treasury.services import (
    bank_account_confirm,
    bank_account_create,
    bank_account_update,
)


def entries(account):
    page = audit_history(entity_type="bank_account", entity_id=account.id, limit=20)
    return list(reversed(page.items))


def test_a_new_account_pays_nothing_until_another_admin_confirms_it(admin_user):
    account = bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    assert account.changed_by == "admin" and not account.usable
    assert bank_account_for_currency(currency="EUR") is None

    with pytest.raises(PermissionDenied, match="another Admin must confirm"):
        bank_account_confirm(
            user=admin_user, account_id=account.id, version=account.version
        )

    confirmed = bank_account_confirm(
        user=second_admin(), account_id=account.id, version=account.version
    )
    assert confirmed.usable
    assert bank_account_for_currency(currency="EUR").id == account.id
    assert [e.action for e in entries(account)] == ["CREATE", "CONFIRM_BANK_DETAILS"]
    created = json.loads(entries(account)[0].details_json)
    # The trail masks the account's number; the bank's codes are shown.
    assert created["after"]["iban"] == "••••••••••••••••••2051"
    assert created["after"]["bic"] == "BYLADEM1001"
    assert entries(account)[0].type == "BANK_ACCOUNT_ACTION"


def test_changing_the_numbers_needs_confirmation_again_a_rename_does_not(
    admin_user,
):
    other = second_admin()
    account = bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    account = bank_account_confirm(
        user=other, account_id=account.id, version=account.version
    )

    account = bank_account_update(
        user=admin_user,
        account_id=account.id,
        changes={"name": "Main account EUR"},
        version=account.version,
    )
    assert account.usable and account.name == "Main account EUR"

    account = bank_account_update(
        user=other,
        account_id=account.id,
        changes={"iban": "DE75 5121 0800 1245 1261 99", "bic": ""},
        version=account.version,
    )
    assert account.iban == "DE75512108001245126199"
    assert account.changed_by == "admin2" and not account.usable
    update = json.loads(entries(account)[-1].details_json)
    assert update["before"]["iban"].endswith("2051")
    assert update["after"]["iban"].endswith("6199")
    assert "DE75512108001245126199" not in entries(account)[-1].details_json
    with pytest.raises(PermissionDenied):
        bank_account_confirm(user=other, account_id=account.id, version=account.version)
    assert bank_account_confirm(
        user=admin_user, account_id=account.id, version=account.version
    ).usable


def test_only_an_admin_with_a_second_factor_keeps_the_accounts(treasurer, db):
    with pytest.raises(PermissionDenied, match="Only an Admin"):
        bank_account_create(user=treasurer, fields=EUR_ACCOUNT)
    password_only = make_user("admin3", superuser=True, second_factor=False)
    with pytest.raises(PermissionDenied):
        bank_account_create(user=password_only, fields=EUR_ACCOUNT)


def test_a_second_active_account_of_a_currency_is_refused(admin_user):
    first = bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    with pytest.raises(ValidationFailed) as refused:
        bank_account_create(
            user=admin_user,
            fields={**EUR_ACCOUNT, "name": "Savings", "iban": "DE75512108001245126199"},
        )
    assert "Operating account EUR is already the active EUR account" in str(
        refused.value
    )
    # Saved inactive, then activated while the first is active: refused too.
    savings = bank_account_create(
        user=admin_user,
        fields={
            **EUR_ACCOUNT,
            "name": "Savings",
            "iban": "DE75512108001245126199",
            "active": False,
        },
    )
    with pytest.raises(ValidationFailed):
        bank_account_update(
            user=admin_user,
            account_id=savings.id,
            changes={"active": True},
            version=savings.version,
        )
    bank_account_update(
        user=admin_user,
        account_id=first.id,
        changes={"active": False},
        version=first.version,
    )
    assert bank_account_update(
        user=admin_user,
        account_id=savings.id,
        changes={"active": True},
        version=savings.version,
    ).active


def test_a_stale_edit_and_a_confirmation_of_an_older_version_are_refused(
    admin_user,
):
    other = second_admin()
    account = bank_account_create(user=admin_user, fields=USD_ACCOUNT)
    seen = account.version
    bank_account_update(
        user=admin_user,
        account_id=account.id,
        changes={"routing_number": "021000021"},
        version=seen,
    )
    with pytest.raises(StaleRecord):
        bank_account_confirm(user=other, account_id=account.id, version=seen)
    with pytest.raises(StaleRecord):
        bank_account_update(
            user=admin_user,
            account_id=account.id,
            changes={"name": "Old"},
            version=seen,
        )
    assert bank_account_get(account_id=account.id).changed_by == "admin"


def test_confirming_twice_is_refused(admin_user):
    other = second_admin()
    account = bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    account = bank_account_confirm(
        user=other, account_id=account.id, version=account.version
    )
    with pytest.raises(InvalidTransition, match="not awaiting confirmation"):
        bank_account_confirm(user=other, account_id=account.id, version=account.version)


@pytest.mark.dynamodb_local_only
@pytest.mark.dynamodb_local_only
def test_two_admins_adding_an_active_account_of_one_currency_at_once_add_one(
    admin_user,
):
    """Each account's active-currency guard is written with it: one of two wins."""
    others = [
        {**EUR_ACCOUNT, "name": "Savings", "iban": "DE75512108001245126199"},
        {**EUR_ACCOUNT, "name": "Payroll", "iban": "DE02120300000000202051"},
    ]
    outcomes = run_together(
        [
            lambda user=user, fields=fields: bank_account_create(
                user=user, fields=fields
            )
            for user, fields in zip([admin_user, second_admin()], others, strict=True)
        ]
    )
    assert outcomes.count("ok") == 1
    (lost,) = [o for o in outcomes if o != "ok"]
    assert lost.startswith(("ValidationFailed", "StaleRecord"))
    assert "is already the active EUR account" in lost or "StaleRecord" in lost
    names = [a.name for a in bank_account_list() if a.currency == "EUR" and a.active]
    assert len(names) == 1


@pytest.mark.dynamodb_local_only
def test_two_admins_confirming_at_once_confirm_once(admin_user):
    """The confirmation is conditional: on DynamoDB Local only one of two wins."""
    account = bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    confirmers = [second_admin(), make_user("admin3", superuser=True)]
    outcomes = run_together(
        [
            lambda user=user: bank_account_confirm(
                user=user, account_id=account.id, version=account.version
            )
            for user in confirmers
        ]
    )
    assert outcomes.count("ok") == 1
    (lost,) = [o for o in outcomes if o != "ok"]
    assert lost.startswith(("StaleRecord", "InvalidTransition"))
    assert [e.action for e in entries(account)].count("CONFIRM_BANK_DETAILS") == 1


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"iban": "DE89370400440532013001"}, "iban", "check digits"),
        ({"bic": "BNPAFRPP"}, "bic", "The BIC is from France"),
        ({"town": ""}, "town", "town is required"),
        ({"country": "XX"}, "country", "XX is not a country code"),
        ({"currency": "EURO"}, "currency", "ISO 4217"),
        ({"iban": "", "account_number": "123"}, "account_number", "4 to 17 digits"),
        (
            {"iban": "", "account_number": "4820150937"},
            "routing_number",
            "needs its ABA routing number",
        ),
    ],
)
def test_bad_details_are_refused_beside_their_field(admin_user, fields, field, message):
    with pytest.raises(ValidationFailed) as refused:
        bank_account_create(user=admin_user, fields={**EUR_ACCOUNT, **fields})
    assert message in refused.value.field_errors[field]
