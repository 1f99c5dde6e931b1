"""Entering exchange rates: Admin only, one per currency and date, audited."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from audit.selectors import audit_history
from core.errors import PermissionDenied, ValidationFailed
from exchange_rates.models import ExchangeRate
from exchange_rates.selectors import exchange_rate_in_effect, exchange_rate_list
from exchange_rates.services import exchange_rate_create
from tests.conftest import make_user, run_together

DAY = dt.date(2026, 12, 1)


def rate_history(rate_id):
    return audit_history(entity_type="exchange_rate", entity_id=rate_id).items


def stored_rates():
    return [(r.currency, r.valid_from, r.rate) for r in exchange_rate_list().items]


def test_admin_enters_a_rate_and_its_creation_is_audited(admin_user):
    rate = exchange_rate_create(
        user=admin_user, currency="kwd", valid_from=DAY, rate="3.2500",
        source="ECB reference rate",
    )  # fmt: skip

    assert stored_rates() == [("KWD", "2026-12-01", Decimal("3.25"))]
    (entry,) = rate_history(rate.id)
    assert (entry.type, entry.action, entry.user_id) == (
        "EXCHANGE_RATE_ACTION",
        "CREATE",
        "admin",
    )
    assert entry.label == "KWD from 2026-12-01"
    after = json.loads(entry.details_json)["after"]
    assert (after["currency"], after["valid_from"], after["base_currency"]) == (
        "KWD",
        "2026-12-01",
        "EUR",
    )
    assert Decimal(after["rate"]) == Decimal("3.25")
    assert after["source"] == "ECB reference rate"


@pytest.mark.parametrize(
    "role", ["Requester", "Approver", "AP Clerk", "Treasurer", "Auditor", None]
)
def test_only_an_admin_may_enter_a_rate(db, role):
    user = make_user("someone", *([role] if role else []))

    with pytest.raises(PermissionDenied, match="Only an Admin may enter exchange"):
        exchange_rate_create(user=user, currency="USD", valid_from=DAY, rate="0.92")

    assert stored_rates() == []
    assert list(ExchangeRate.scan()) == []


def test_a_second_rate_for_the_same_currency_and_day_is_refused(admin_user):
    exchange_rate_create(user=admin_user, currency="USD", valid_from=DAY, rate="0.92")

    with pytest.raises(ValidationFailed) as refused:
        exchange_rate_create(
            user=admin_user, currency="USD", valid_from=DAY, rate="0.95"
        )

    assert "USD from 2026-12-01 is already entered" in refused.value.message
    assert "valid_from" in refused.value.field_errors
    assert stored_rates() == [("USD", "2026-12-01", Decimal("0.92"))]
    (rate,) = exchange_rate_list().items
    assert len(rate_history(rate.id)) == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"currency": "EUR"}, "currency", "EUR is the base currency"),
        ({"currency": "XYZ"}, "currency", "not a supported ISO 4217"),
        ({"rate": "0"}, "rate", "more than zero"),
        ({"rate": "-1.2"}, "rate", "more than zero"),
        ({"rate": "abc"}, "rate", "must be a number"),
        ({"rate": 1.1}, "rate", "not a float"),
        ({"rate": "2000000"}, "rate", "less than 1,000,000"),
        ({"rate": "1.00000000001"}, "rate", "At most 10 decimal places"),
        ({"valid_from": "01/12/2026"}, "valid_from", "Use a date like"),
        ({"source": "x" * 201}, "source", "At most 200 characters"),
    ],
)
def test_a_rate_that_breaks_a_rule_is_refused_naming_the_field(
    admin_user, fields, field, message
):
    values = {"currency": "USD", "valid_from": DAY, "rate": "0.92", **fields}

    with pytest.raises(ValidationFailed) as refused:
        exchange_rate_create(user=admin_user, **values)

    assert message in refused.value.field_errors[field]
    assert stored_rates() == []


def test_rate_in_effect_is_the_latest_valid_on_or_before_the_day(make_rate):
    make_rate("USD", "0.90", valid_from=dt.date(2026, 11, 1))
    make_rate("USD", "0.95", valid_from=dt.date(2026, 12, 1))
    make_rate("GBP", "1.15", valid_from=dt.date(2026, 11, 15))

    def rate_on(currency, day):
        rate = exchange_rate_in_effect(currency=currency, on=day)
        return rate and rate.rate

    assert rate_on("USD", dt.date(2026, 10, 31)) is None
    assert rate_on("USD", dt.date(2026, 11, 30)) == Decimal("0.90")
    assert rate_on("USD", dt.date(2026, 12, 1)) == Decimal("0.95")
    assert rate_on("USD", dt.date(2027, 6, 1)) == Decimal("0.95")
    assert rate_on("CHF", dt.date(2027, 6, 1)) is None


@pytest.mark.dynamodb_local_only
def test_two_admins_entering_the_same_rate_at_once_store_one(admin_user):
    other = make_user("admin2", superuser=True)

    outcomes = run_together(
        [
            lambda: exchange_rate_create(
                user=admin_user, currency="USD", valid_from=DAY, rate="0.92"
            ),
            lambda: exchange_rate_create(
                user=other, currency="USD", valid_from=DAY, rate="0.93"
            ),
        ]
    )

    assert sorted(o == "ok" for o in outcomes) == [False, True]
    (refusal,) = [o for o in outcomes if o != "ok"]
    assert "already entered" in refusal or "changed by someone else" in refusal
    (rate,) = exchange_rate_list().items
    assert len(rate_history(rate.id)) == 1


def test_seed_demo_enters_the_demo_rates_once(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", "--password", "first-pass-123", stdout=StringIO())
    call_command("seed_demo", "--password", "first-pass-123", stdout=StringIO())

    currencies = sorted(r.currency for r in exchange_rate_list().items)
    assert currencies == ["CHF", "GBP", "JPY", "KWD", "USD"]
    assert {r.created_by for r in exchange_rate_list().items} == {"admin"}


def test_an_admin_without_a_second_factor_may_not_enter_a_rate(db):
    admin = make_user("admin2", superuser=True, second_factor=False)
    with pytest.raises(PermissionDenied, match="second factor"):
        exchange_rate_create(
            user=admin, currency="USD", valid_from=dt.date(2026, 1, 2), rate="0.9"
        )
    assert exchange_rate_list().items == []
