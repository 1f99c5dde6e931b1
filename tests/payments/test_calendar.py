"""Execution dates: a run pays on a business day of each currency's settlement calendar."""

import datetime as dt

import holidays
import pytest
from django.urls import reverse

from core.errors import InvalidTransition, ValidationFailed
from payments import calendar, inputs, services
from payments.selectors import payment_run_get
from tests.api_client import bearer, send
from tests.conftest import EUR_IBAN_1, TODAY
from tests.payments.test_views import logged_in

RUNS = "/api/v1/payment-runs"


# --- The calendars (pure) -------------------------------------------------------


def test_a_saturday_is_no_business_day_and_monday_is_the_next():
    saturday = dt.date(2026, 12, 5)
    assert calendar.non_business_reason(saturday, "EUR") == "Saturday"
    assert not calendar.is_business_day(saturday, "EUR")
    assert calendar.next_business_day(saturday, "EUR") == dt.date(2026, 12, 7)
    assert calendar.is_business_day(dt.date(2026, 12, 7), "EUR")


def test_target2_closes_on_christmas_and_boxing_day_and_1_may():
    assert (
        calendar.non_business_reason(dt.date(2026, 12, 25), "EUR")
        == "Christmas Day (TARGET2 holiday)"
    )
    assert calendar.non_business_reason(dt.date(2027, 5, 1), "EUR") == "Saturday"
    assert calendar.non_business_reason(dt.date(2026, 5, 1), "EUR") == (
        "Labour Day (TARGET2 holiday)"
    )
    # Thursday 24 December 2026 is a business day; Friday the 25th is not,
    # the 26th and 27th are a weekend, so the next business day is Monday.
    assert calendar.is_business_day(dt.date(2026, 12, 24), "EUR")
    assert calendar.next_business_day(dt.date(2026, 12, 24), "EUR") == dt.date(
        2026, 12, 28
    )
    # TARGET2 knows no Whit Monday, German bank holidays or not.
    assert calendar.is_business_day(dt.date(2026, 5, 25), "EUR")


def test_the_federal_reserve_closes_on_thanksgiving_and_target2_does_not():
    thanksgiving = dt.date(2026, 11, 26)
    assert calendar.non_business_reason(thanksgiving, "USD") == (
        "Thanksgiving Day (Federal Reserve holiday)"
    )
    assert calendar.is_business_day(thanksgiving, "EUR")
    assert calendar.next_business_day(thanksgiving, "USD") == dt.date(2026, 11, 27)


def test_sterling_follows_the_bank_holidays_of_england_and_other_currencies_weekends():
    assert not calendar.is_business_day(dt.date(2026, 8, 31), "GBP")
    assert calendar.is_business_day(dt.date(2026, 8, 31), "EUR")
    # No settlement calendar is assumed for CHF: only weekends are refused.
    assert calendar.is_business_day(dt.date(2026, 12, 24), "CHF")
    assert calendar.non_business_reason(dt.date(2026, 12, 6), "CHF") == "Sunday"
    assert calendar.calendar_name("CHF") is None


def test_a_run_paying_two_currencies_waits_for_a_day_both_settle():
    # Thanksgiving (USD closed) then a weekend: Friday 27th suits both.
    refusal = calendar.payment_date_refusal(dt.date(2026, 11, 26), ["EUR", "USD"])
    message, following = refusal
    assert following == dt.date(2026, 11, 27)
    assert message == (
        "2026-11-26 is Thanksgiving Day (Federal Reserve holiday), not a business "
        "day for USD payments; the next business day is Friday 2026-11-27."
    )
    assert calendar.payment_date_refusal(dt.date(2026, 11, 27), ["EUR", "USD"]) is None


def test_the_saturday_message_names_the_calendar_and_the_next_business_day(settings):
    settings.PAYMENT_BUSINESS_DAYS_ONLY = True
    with pytest.raises(ValidationFailed) as refused:
        inputs.clean_payment_date(
            "2026-12-05", today=dt.date(2026, 12, 2), currencies=["EUR"]
        )
    message = (
        "2026-12-05 is a Saturday, not a business day for EUR payments (TARGET2); "
        "the next business day is Monday 2026-12-07."
    )
    assert refused.value.message == message
    assert refused.value.extra["errors"] == {"payment_date": message}
    assert refused.value.extra["next_business_day"] == "2026-12-07"
    # A weekday that is no holiday passes as it always did.
    assert inputs.clean_payment_date(
        "2026-12-07", today=dt.date(2026, 12, 2), currencies=["EUR"]
    ) == dt.date(2026, 12, 7)


def test_a_new_proposal_starts_on_monday_when_today_is_a_weekend(settings):
    settings.PAYMENT_BUSINESS_DAYS_ONLY = True
    saturday, friday = dt.date(2026, 12, 5), dt.date(2026, 12, 4)
    assert inputs.default_payment_date(saturday) == dt.date(2026, 12, 7)
    assert inputs.default_payment_date(friday) == friday


# --- Building a run ---------------------------------------------------------------


def next_saturday(after: dt.date = TODAY) -> dt.date:
    return after + dt.timedelta(days=(5 - after.weekday()) % 7 or 7)


def next_target2_weekday_holiday() -> dt.date:
    closed = holidays.financial_holidays("XECB", years=[TODAY.year, TODAY.year + 1])
    return min(d for d in closed if d > TODAY and d.weekday() < 5)


@pytest.fixture
def business_days_only(settings):
    settings.PAYMENT_BUSINESS_DAYS_ONLY = True


@pytest.fixture
def acme_due(make_vendor, matched_invoice):
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    return matched_invoice(acme, "1000.00")


def test_a_run_for_a_saturday_is_refused_with_the_next_business_day(
    business_days_only, treasurer, acme_due
):
    saturday = next_saturday()
    monday = saturday + dt.timedelta(days=2)
    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(user=treasurer, payment_date=saturday)
    assert refused.value.message == (
        f"{saturday} is a Saturday, not a business day for payments; the next "
        f"business day is Monday {monday}."
    )
    built = services.payment_run_create(user=treasurer, payment_date=monday).run
    assert built.payment_date == monday.isoformat()
    assert built.invoice_count == 1


def test_the_api_answers_422_with_the_next_business_day(
    business_days_only, treasurer, acme_due
):
    saturday = next_saturday()
    response = send(
        "post",
        RUNS,
        {"payment_date": saturday.isoformat(), "currency": "EUR"},
        bearer(treasurer),
    )
    assert response.status_code == 422
    body = response.json()
    monday = saturday + dt.timedelta(days=2)
    assert body["next_business_day"] == monday.isoformat()
    assert "not a business day for EUR payments (TARGET2)" in body["detail"]
    assert body["errors"]["payment_date"] == body["detail"]


def test_a_target2_holiday_is_refused_for_the_euro_invoices_it_would_pay(
    business_days_only, treasurer, acme_due
):
    holiday = next_target2_weekday_holiday()
    # The invoice is due long before; the holiday may be months ahead.
    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(user=treasurer, payment_date=holiday)
    assert "TARGET2 holiday), not a business day for EUR payments" in (
        refused.value.message
    )
    assert refused.value.extra["next_business_day"] > holiday.isoformat()


def test_the_form_refuses_a_saturday_and_offers_a_link_to_monday(
    business_days_only, treasurer, acme_due
):
    saturday = next_saturday()
    monday = saturday + dt.timedelta(days=2)
    page = logged_in(treasurer).get(
        reverse("payments:create"),
        {"payment_date": saturday.isoformat(), "currency": "EUR"},
    )
    html = page.content.decode()
    assert f"{saturday} is a Saturday, not a business day for EUR payments" in html
    assert acme_due.invoice_number not in html  # no proposal for that day
    link = f"?payment_date={monday.isoformat()}&amp;currency=EUR"
    assert link in html
    assert f"Use {monday.isoformat()} instead" in html
    offered = logged_in(treasurer).get(
        reverse("payments:create"), {"payment_date": monday, "currency": "EUR"}
    )
    assert acme_due.invoice_number in offered.content.decode()


def test_a_draft_dated_on_a_weekend_is_neither_approved_nor_exported(
    settings, treasurer, approver, acme_due
):
    saturday = next_saturday()
    # Built before the rule was switched on (as runs built before issue 17).
    run = services.payment_run_create(user=treasurer, payment_date=saturday).run
    settings.PAYMENT_BUSINESS_DAYS_ONLY = True
    with pytest.raises(InvalidTransition) as refused:
        services.payment_run_approve(run_id=run.id, user=approver)
    monday = saturday + dt.timedelta(days=2)
    assert refused.value.message == (
        f"Payment run {run.number} cannot be approved: {saturday} is a Saturday, "
        f"not a business day for EUR payments (TARGET2); the next business day "
        f"is Monday {monday}. Cancel it and build a new run for {monday}."
    )
    assert payment_run_get(run_id=run.id).status == "draft"
    page = logged_in(approver).get(reverse("payments:detail", args=[run.id]))
    assert "Approve this run" not in page.content.decode()
    assert "cannot be approved" in page.content.decode()

    settings.PAYMENT_BUSINESS_DAYS_ONLY = False
    services.payment_run_approve(run_id=run.id, user=approver)
    settings.PAYMENT_BUSINESS_DAYS_ONLY = True
    with pytest.raises(InvalidTransition, match="cannot be exported: "):
        services.payment_run_export(run_id=run.id, user=treasurer)
    assert payment_run_get(run_id=run.id).status == "approved"
