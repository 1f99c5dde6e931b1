"""
Issue 13, item 7: a PO is in its vendor's currency, and approval limits and
the two-approval threshold compare its worth in the base currency (EUR) at
the rate an Admin entered, never its nominal amount in another currency.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.selectors import audit_history
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from purchasing.selectors import purchase_order_get, purchase_order_list
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_update,
)
from tests.api_client import bearer, send
from tests.conftest import po_lines
from tests.purchasing.test_views import logged_in, po_form

NO_KWD_RATE = "no exchange rate for KWD; an Admin must enter one"


def history(po):
    return audit_history(entity_type="purchase_order", entity_id=po.id).items


@pytest.fixture
def kwd_vendor(make_vendor):
    return make_vendor("Gulf Trading Co", currency="KWD")


@pytest.fixture
def usd_vendor(make_vendor):
    return make_vendor("Globex Corp", currency="USD")


def raise_po(user, vendor, price, **fields):
    return purchase_order_create(
        user=user, vendor_id=vendor.id, lines=po_lines(("1", price)), **fields
    )


# --- the PO's currency is its vendor's ----------------------------------------


def test_kwd_po_for_an_eur_vendor_is_refused_naming_the_vendor_and_its_currency(
    requester, active_vendor
):
    with pytest.raises(ValidationFailed) as refused:
        raise_po(requester, active_vendor, "4999.999", currency="KWD")

    message = refused.value.field_errors["currency"]
    assert "Acme Supplies GmbH" in message and "in EUR, not KWD" in message
    assert purchase_order_list().items == []


def test_po_in_the_vendors_currency_by_default_or_named_is_accepted(
    requester, active_vendor
):
    assert raise_po(requester, active_vendor, "10.00").currency == "EUR"
    assert raise_po(requester, active_vendor, "10.00", currency="eur").currency == "EUR"


def test_edit_to_another_currency_than_the_vendors_is_refused(make_po, requester):
    po = make_po()

    with pytest.raises(ValidationFailed, match="in EUR, not USD"):
        purchase_order_update(
            po_id=po.id, user=requester, version=po.version, currency="USD"
        )

    stored = purchase_order_get(po_id=po.id)
    assert (stored.currency, stored.version) == ("EUR", po.version)
    assert [e.action for e in history(po)] == ["CREATE"]


def test_a_vendor_moved_to_another_currency_keeps_its_pending_pos_editable(
    make_po, requester, active_vendor, clerk
):
    from vendors.services import vendor_update

    po = make_po()
    vendor_update(vendor_id=active_vendor.id, user=clerk, changes={"currency": "USD"})

    edited = purchase_order_update(
        po_id=po.id, user=requester, version=po.version, notes="Deliver to dock 2"
    )
    assert (edited.currency, edited.notes) == ("EUR", "Deliver to dock 2")


def test_api_create_and_update_in_another_currency_answer_422(
    requester, active_vendor, make_po
):
    created = send(
        "post",
        "/api/v1/purchase-orders",
        {"vendor_id": active_vendor.id, "currency": "KWD",
         "items": po_lines(("1", "4999.999"))},
        bearer(requester),
    )  # fmt: skip
    po = make_po()
    updated = send(
        "put",
        f"/api/v1/purchase-orders/{po.id}",
        {"currency": "KWD", "version": po.version},
        bearer(requester),
    )

    for response in (created, updated):
        assert response.status_code == 422
        assert "Acme Supplies GmbH is set up in EUR" in response.json()["detail"]
        assert "currency" in response.json()["errors"]
    assert [p.id for p in purchase_order_list().items] == [po.id]
    assert purchase_order_get(po_id=po.id).currency == "EUR"


def test_po_form_in_another_currency_shows_the_refusal_beside_the_currency(
    requester, active_vendor
):
    response = logged_in(requester).post(
        reverse("purchasing:create"),
        po_form(active_vendor.id, [("Dates", "1", "4999.999")], currency="KWD"),
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Acme Supplies GmbH is set up in EUR" in html
    assert 'id="id_currency_error"' in html
    assert purchase_order_list().items == []


# --- approvals compare the worth in the base currency ---------------------------


def test_kwd_po_without_a_rate_cannot_be_approved(requester, approver, kwd_vendor):
    po = raise_po(requester, kwd_vendor, "4999.999")

    with pytest.raises(InvalidTransition, match=NO_KWD_RATE):
        purchase_order_approve(po_id=po.id, user=approver)

    assert purchase_order_get(po_id=po.id).status == "pending"
    assert [e.action for e in history(po)] == ["CREATE"]


def test_api_approval_without_a_rate_answers_409_saying_so(
    requester, approver, kwd_vendor
):
    po = raise_po(requester, kwd_vendor, "100.000")

    response = send(
        "put", f"/api/v1/purchase-orders/{po.id}/approve", {}, bearer(approver)
    )

    assert response.status_code == 409
    assert NO_KWD_RATE in response.json()["detail"]


def test_kwd_po_worth_above_the_limit_in_eur_is_refused_and_needs_two_approvals(
    requester, approver, approver2, kwd_vendor, make_rate, db
):
    """The issue's case: KWD 4,999.999 is about EUR 16,250, not 4,999.999."""
    from tests.conftest import make_user

    make_rate("KWD", "3.25")
    po = raise_po(requester, kwd_vendor, "4999.999")
    assert po.approvals_required == 2  # forecast at today's rate

    with pytest.raises(PermissionDenied) as refused:
        purchase_order_approve(po_id=po.id, user=approver)
    assert "KWD 4,999.999 (worth EUR 16,250.00 at 3.25 EUR per KWD" in str(
        refused.value
    )
    assert "above your approval limit of EUR 10,000.00" in str(refused.value)

    purchase_order_approve(po_id=po.id, user=approver2)
    assert purchase_order_get(po_id=po.id).status == "pending"  # one of two
    third = make_user("approver3", "Approver")
    from accounts.models import Profile

    Profile.objects.create(user=third, approval_limit="20000.00")
    purchase_order_approve(po_id=po.id, user=third)
    stored = purchase_order_get(po_id=po.id)
    assert (stored.status, stored.approvers) == ("approved", ["approver2", "approver3"])


def test_usd_po_above_the_limit_after_conversion_is_refused_for_that_approver(
    requester, approver, approver2, usd_vendor, make_rate
):
    make_rate("USD", "1.10")
    po = raise_po(requester, usd_vendor, "9500.00")  # EUR 10,450.00

    with pytest.raises(PermissionDenied, match="worth EUR 10,450.00"):
        purchase_order_approve(po_id=po.id, user=approver)

    purchase_order_approve(po_id=po.id, user=approver2)
    assert purchase_order_get(po_id=po.id).status == "pending"  # and two of them


def test_usd_po_below_the_threshold_nominally_but_above_it_in_eur_needs_two(
    requester, approver, approver2, usd_vendor, make_rate
):
    make_rate("USD", "1.10")
    po = raise_po(requester, usd_vendor, "4800.00")  # EUR 5,280.00

    first = purchase_order_approve(po_id=po.id, user=approver)
    assert (first.status, first.approvals_required) == ("pending", 2)
    second = purchase_order_approve(po_id=po.id, user=approver2)
    assert second.status == "approved"


def test_usd_po_worth_less_than_the_threshold_in_eur_needs_one_approval(
    requester, approver, usd_vendor, make_rate
):
    make_rate("USD", "0.92")
    po = raise_po(requester, usd_vendor, "5200.00")  # EUR 4,784.00

    assert purchase_order_approve(po_id=po.id, user=approver).status == "approved"


def test_approval_records_the_rate_and_the_base_amount_it_compared(
    requester, approver, usd_vendor, make_rate
):
    make_rate("USD", "1.10", valid_from=dt.date(2026, 1, 1))
    po = raise_po(requester, usd_vendor, "1000.00")

    purchase_order_approve(po_id=po.id, user=approver)

    (approval,) = purchase_order_get(po_id=po.id).approvals
    assert (approval.base_currency, approval.base_amount) == ("EUR", Decimal("1100.00"))
    assert approval.exchange_rate == Decimal("1.10")
    assert approval.rate_valid_from == "2026-01-01"
    assert approval.limit_used == Decimal("10000.00")
    details = json.loads(history(po)[0].details_json)
    assert details["base_amount"] == "1100.00"
    assert Decimal(details["exchange_rate"]) == Decimal("1.10")
    assert details["rate_valid_from"] == "2026-01-01"
    assert details["base_currency"] == "EUR"
    assert details["limit_used"] == "10000.00"


def test_the_rate_in_effect_is_the_latest_valid_on_the_approval_day(
    requester, approver, usd_vendor, make_rate
):
    today = timezone.localdate()
    make_rate("USD", "0.90", valid_from=today - dt.timedelta(days=30))
    make_rate("USD", "1.10", valid_from=today)
    make_rate("USD", "5.00", valid_from=today + dt.timedelta(days=1))  # not yet
    po = raise_po(requester, usd_vendor, "1000.00")

    purchase_order_approve(po_id=po.id, user=approver)

    (approval,) = purchase_order_get(po_id=po.id).approvals
    assert (approval.exchange_rate, approval.base_amount) == (
        Decimal("1.10"),
        Decimal("1100.00"),
    )


def test_a_rate_valid_only_from_tomorrow_does_not_allow_approval_today(
    requester, approver, kwd_vendor, make_rate
):
    make_rate("KWD", "3.25", valid_from=timezone.localdate() + dt.timedelta(days=1))
    po = raise_po(requester, kwd_vendor, "10.000")

    with pytest.raises(InvalidTransition, match=NO_KWD_RATE):
        purchase_order_approve(po_id=po.id, user=approver)


def test_base_currency_po_needs_no_rate(make_po, approver):
    po = make_po()

    approved = purchase_order_approve(po_id=po.id, user=approver)

    assert approved.status == "approved"
    assert approved.approvals[0].exchange_rate is None
    assert approved.approvals[0].base_amount == Decimal("1100.00")


# --- what the pages show -------------------------------------------------------


def test_po_page_shows_the_worth_in_eur_and_the_refusal_without_a_rate(
    requester, approver, usd_vendor, kwd_vendor, make_rate
):
    make_rate("USD", "1.10", valid_from=dt.date(2026, 1, 1))
    usd = raise_po(requester, usd_vendor, "9500.00")
    kwd = raise_po(requester, kwd_vendor, "4999.999")
    client = logged_in(approver)

    usd_html = client.get(reverse("purchasing:detail", args=[usd.id])).content.decode()
    kwd_html = client.get(reverse("purchasing:detail", args=[kwd.id])).content.decode()

    assert "EUR 10,450.00" in usd_html
    assert "1 USD = 1.1 EUR, rate from 2026-01-01" in usd_html
    assert "above your approval limit of EUR 10,000.00" in usd_html
    assert "Approve USD" not in usd_html
    assert NO_KWD_RATE in kwd_html
    assert "Approve KWD" not in kwd_html


def test_approval_queue_compares_the_worth_in_eur_and_shows_it(
    requester, approver, usd_vendor, kwd_vendor, make_po, make_rate
):
    make_rate("USD", "1.10")
    within = raise_po(requester, usd_vendor, "9000.00")  # EUR 9,900.00
    above = raise_po(requester, usd_vendor, "9500.00")  # EUR 10,450.00
    no_rate = raise_po(requester, kwd_vendor, "10.000")
    eur = make_po()

    html = logged_in(approver).get(reverse("purchasing:awaiting")).content.decode()

    assert within.po_number in html and "EUR 9,900.00" in html
    assert eur.po_number in html
    assert above.po_number not in html
    assert no_rate.po_number not in html


def test_po_page_links_an_admin_to_the_rates_when_one_is_missing(
    admin_user, make_vendor, requester
):
    vendor = make_vendor("Gulf Trading Co", currency="KWD")
    po = purchase_order_create(
        user=requester, vendor_id=vendor.id, lines=po_lines(("1", "10.000"))
    )

    html = logged_in(admin_user).get(reverse("purchasing:detail", args=[po.id]))

    assert 'href="/exchange-rates/"' in html.content.decode()


def test_editing_the_notes_after_a_first_approval_keeps_the_number_it_decided(
    requester, approver, approver2, usd_vendor, make_rate
):
    make_rate("USD", "1.10", valid_from=dt.date(2026, 1, 1))
    po = raise_po(requester, usd_vendor, "4800.00")  # EUR 5,280.00: two
    first = purchase_order_approve(po_id=po.id, user=approver)
    make_rate("USD", "0.90", valid_from=timezone.localdate())  # now EUR 4,320.00

    edited = purchase_order_update(
        po_id=po.id, user=requester, version=first.version, notes="Deliver to gate 2"
    )

    assert (edited.status, edited.approvals_required) == ("pending", 2)
    assert purchase_order_get(po_id=po.id).approvers == ["approver"]
    assert purchase_order_approve(po_id=po.id, user=approver2).status == "approved"
