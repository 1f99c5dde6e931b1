"""
Each user's number format and time zone, chosen on the profile page and
applied to every page they read (issue 14, items 10 and 13).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from exchange_rates.selectors import exchange_rate_list
from tests.conftest import make_user
from vendors.models import Vendor


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def choose(client, *, number_format="", time_zone=""):
    return client.post(
        reverse("accounts:profile"),
        {"number_format": number_format, "time_zone": time_zone, "save_display": ""},
    )


def test_a_user_chooses_a_number_format_and_time_zone_on_the_profile(clerk):
    client = logged_in(clerk)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Amounts now read EUR 1,234.56" in page
    assert "times are shown in Europe/Berlin" in page  # TIME_ZONE_DEFAULT

    response = choose(client, number_format="1.234,56", time_zone="America/New_York")

    assert response.status_code == 302
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Your number format and time zone are saved." in page
    assert "Amounts now read EUR 1.234,56" in page
    assert "times are shown in America/New_York" in page
    profile = Profile.objects.get(user=clerk)
    assert (profile.number_format, profile.time_zone) == (
        "1.234,56",
        "America/New_York",
    )


def test_an_unknown_time_zone_or_format_is_refused_beside_its_field(clerk):
    client = logged_in(clerk)
    response = choose(client, number_format="1_234.56", time_zone="Mars/Olympus")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Select a valid choice. Mars/Olympus is not one" in html
    assert not Profile.objects.filter(user=clerk).exists()


def test_times_are_shown_in_the_users_zone_with_its_name(clerk, vendor, settings):
    at = dt.datetime(2026, 1, 15, 13, 5, tzinfo=dt.UTC)
    vendor.update(actions=[Vendor.created_at.set(at)])
    client = logged_in(clerk)
    url = reverse("vendors:detail", args=[vendor.id])

    assert "2026-01-15 14:05 CET by clerk" in client.get(url).content.decode()
    choose(client, time_zone="America/New_York")
    assert "2026-01-15 08:05 EST by clerk" in client.get(url).content.decode()
    settings.TIME_ZONE_DEFAULT = "UTC"
    other = logged_in(make_user("reader", "AP Clerk"))
    assert "2026-01-15 13:05 UTC by clerk" in other.get(url).content.decode()
    # Stored times are unchanged.
    assert Vendor.get(vendor.id).created_at == at


def test_a_decimal_comma_user_types_and_reads_numbers_their_way(admin_user):
    client = logged_in(admin_user)
    choose(client, number_format="1.234,56")
    page = client.get(reverse("exchange_rates:list")).content.decode()
    assert re.search(r'placeholder="1\.234,56"', page)
    assert "e.g. 3,25 for KWD." in page

    response = client.post(
        reverse("exchange_rates:list"),
        {"currency": "KWD", "valid_from": "2026-01-01", "rate": "3,2512"},
    )
    assert response.status_code == 302, response.content.decode()
    (rate,) = exchange_rate_list().items
    assert rate.rate == Decimal("3.2512")
    assert "3,2512" in client.get(reverse("exchange_rates:list")).content.decode()

    refused = client.post(
        reverse("exchange_rates:list"),
        {"currency": "USD", "valid_from": "2026-01-01", "rate": "1,234.5"},
    )
    assert "Use 1.234,56 — your number format" in refused.content.decode()


def test_the_api_keeps_plain_numbers_whatever_the_users_format(admin_user):
    client = logged_in(admin_user)
    choose(client, number_format="1.234,56")
    client.post(
        reverse("exchange_rates:list"),
        {"currency": "KWD", "valid_from": "2026-01-01", "rate": "3,25"},
    )
    body = client.get("/api/v1/exchange-rates").json()
    (item,) = body["items"]
    assert str(item["rate"]) in ("3.25", "3.2500")


def test_business_days_stay_the_sites_whatever_zone_a_reader_has(settings):
    from django.utils import timezone

    from payments.checks import local_today
    from purchasing.selectors import approval_day

    site_today = timezone.localdate(timezone=timezone.get_default_timezone())
    # Kiritimati is 14 hours ahead of UTC, Pago Pago 11 behind: at any hour
    # one of them has another day than the site, and payment dates and the
    # approval's rate day must not follow a reader's.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        with timezone.override(zone):
            assert local_today() == site_today
            assert approval_day() == site_today


def test_an_invoice_dated_a_readers_today_ahead_of_the_site_is_not_in_the_future(
    monkeypatch, clerk, approver, make_po
):
    """At 23:30 UTC a Berlin clerk's today is tomorrow on the site's UTC clock."""
    from django.utils import timezone

    from core.errors import ValidationFailed
    from invoicing.services import invoice_create
    from purchasing.services import purchase_order_approve

    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    late = dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)

    with timezone.override("Europe/Berlin"):
        invoice = invoice_create(
            user=clerk, po_id=po.id, invoice_number="INV-MIDNIGHT",
            invoice_date=dt.date(2026, 12, 3),
            lines=[{"description": "Item 1", "quantity": "10", "unit_price": "100.00"}],
        )  # fmt: skip
        assert invoice.invoice_date == "2026-12-03"
        with pytest.raises(ValidationFailed) as refused:
            invoice_create(
                user=clerk, po_id=po.id, invoice_number="INV-LATER",
                invoice_date=dt.date(2026, 12, 4),
                lines=[{"description": "Item 1", "quantity": "1", "unit_price": "1.00"}],
            )  # fmt: skip
        assert refused.value.field_errors["invoice_date"] == (
            "The invoice date cannot be in the future."
        )
