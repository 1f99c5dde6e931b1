"""The exchange rates page (Admin enters, Admin and Auditor read) and its API."""

import datetime as dt
import re

from django.test import Client

from audit.selectors import audit_history
from exchange_rates.selectors import exchange_rate_list
from tests.api_client import bearer
from tests.conftest import HTMX, htmx_fragment, make_user

URL = "/exchange-rates/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rate_form(**fields):
    return {
        "currency": "KWD",
        "valid_from": "2026-12-01",
        "rate": "3.25",
        "source": "ECB reference rate",
        **fields,
    }


def test_admin_adds_a_rate_on_the_page_and_sees_it_listed(admin_user):
    client = logged_in(admin_user)

    response = client.post(URL, rate_form(), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "KWD from 2026-12-01: 1 KWD = 3.25 EUR." in html
    assert "1 KWD = 3.25 EUR" in html and "ECB reference rate" in html
    (rate,) = exchange_rate_list().items
    entries = audit_history(entity_type="exchange_rate", entity_id=rate.id).items
    assert [(e.action, e.user_id) for e in entries] == [("CREATE", "admin")]


def test_a_refused_rate_shows_beside_its_field_and_nothing_is_stored(admin_user):
    response = logged_in(admin_user).post(URL, rate_form(rate="-3"))

    assert response.status_code == 422
    html = response.content.decode()
    assert "The rate must be more than zero." in html
    assert 'id="id_rate_error"' in html
    assert '<option value="EUR">' not in html  # the base currency needs no rate
    assert exchange_rate_list().items == []


def test_a_second_rate_for_the_same_day_is_refused_on_the_page(admin_user):
    client = logged_in(admin_user)
    client.post(URL, rate_form())

    response = client.post(URL, rate_form(rate="3.30"))

    assert response.status_code == 422
    assert "KWD from 2026-12-01 is already entered" in response.content.decode()
    assert [r.rate for r in exchange_rate_list().items] == [3.25]


def test_auditor_reads_the_rates_without_the_form_and_cannot_post(auditor, make_rate):
    make_rate("USD", "0.92")
    client = logged_in(auditor)

    page = client.get(URL)
    posted = client.post(URL, rate_form())

    assert page.status_code == 200
    html = page.content.decode()
    assert "1 USD = 0.92 EUR" in html and "Save rate" not in html
    assert posted.status_code == 403
    assert "Only an Admin may enter exchange rates." in posted.content.decode()
    assert [r.currency for r in exchange_rate_list().items] == ["USD"]


def test_other_roles_cannot_open_the_rates_page(requester, approver, clerk):
    for user in (requester, approver, clerk):
        response = logged_in(user).get(URL)
        assert response.status_code == 403
        assert "Only an Admin (or an Auditor)" in response.content.decode()
        assert logged_in(user).post(URL, rate_form()).status_code == 403
    assert exchange_rate_list().items == []


def test_rates_list_pages_latest_first_through_the_index(
    admin_user, make_rate, settings
):
    settings.PAGE_SIZE = 2
    for day in (1, 2, 3):
        make_rate("USD", f"0.9{day}", valid_from=dt.date(2026, 11, day))
    make_rate("GBP", "1.15", valid_from=dt.date(2026, 10, 1))
    client = logged_in(admin_user)

    first = client.get(URL).content.decode()
    next_query = re.search(r'rel="next" hx-get="\?([^"]+)"', first).group(1)
    second = client.get(f"{URL}?{next_query.replace('&amp;', '&')}", headers=HTMX)

    assert first.index("2026-11-03") < first.index("2026-11-02")
    assert "2026-11-01" not in first
    html = htmx_fragment(second, region="rate-list")
    assert "2026-11-01" in html and "2026-10-01" in html
    assert "2026-11-03" not in html
    usd_only = client.get(URL, {"currency": "GBP"}).content.decode()
    assert "1 GBP = 1.15 EUR" in usd_only and "1 USD" not in usd_only


def test_an_invalid_currency_filter_is_refused(admin_user, make_rate):
    make_rate("USD", "0.92")

    response = logged_in(admin_user).get(URL, {"currency": "XX<"})

    assert response.status_code == 422
    assert "1 USD = 0.92 EUR" not in response.content.decode()


def test_api_lists_rates_for_any_role_and_refuses_no_role(requester, make_rate, db):
    make_rate("USD", "0.92", valid_from=dt.date(2026, 11, 1))
    make_rate("KWD", "3.25", valid_from=dt.date(2026, 12, 1))

    listed = Client().get("/api/v1/exchange-rates", **bearer(requester))
    kwd = Client().get("/api/v1/exchange-rates?currency=KWD", **bearer(requester))
    nobody = Client().get("/api/v1/exchange-rates", **bearer(make_user("nobody")))

    assert listed.status_code == 200
    assert [
        (r["currency"], r["valid_from"], r["rate"]) for r in listed.json()["items"]
    ] == [
        ("KWD", "2026-12-01", "3.25"),
        ("USD", "2026-11-01", "0.92"),
    ]
    assert [r["currency"] for r in kwd.json()["items"]] == ["KWD"]
    assert nobody.status_code == 403


def test_api_lists_refuse_a_filter_they_do_not_know(requester, make_rate):
    make_rate("USD", "0.92", valid_from=dt.date(2026, 11, 1))
    for path in ("/api/v1/exchange-rates?curency=KWD", "/api/v1/payment-runs?stauts=x"):
        answer = Client().get(path, **bearer(requester))
        assert answer.status_code == 422, path
        assert answer.json()["detail"] and "items" not in answer.json()
