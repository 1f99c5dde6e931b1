"""
Who may send or close a PO, and when a close needs its reason (issue 21,
item 2): the refusal names the rule, in the service, on the page and in
the API (403 for who, 422 for the missing reason).
"""

import pytest
from django.test import Client

from accounts.roles import Role
from core.errors import PermissionDenied, ValidationFailed
from invoicing.services import invoice_create
from purchasing.selectors import purchase_order_actions, purchase_order_get
from purchasing.services import (
    purchase_order_approve,
    purchase_order_close,
    purchase_order_receive,
    purchase_order_send,
)
from tests.api_client import bearer, send
from tests.conftest import TODAY, make_user


@pytest.fixture
def requester2(db):
    return make_user("requester2", "Requester")


@pytest.fixture
def approved(make_po, approver):
    po = make_po()
    return purchase_order_approve(po_id=po.id, user=approver)


@pytest.fixture
def sent(approved, requester):
    return purchase_order_send(po_id=approved.id, user=requester)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_buyer_is_a_role_the_admin_grants(db):
    from django.contrib.auth.models import Group

    assert Group.objects.filter(name=str(Role.BUYER)).exists()


def test_another_requester_may_not_send_a_po_naming_the_rule(approved, requester2):
    with pytest.raises(
        PermissionDenied, match=r"\(sender is its requester or a Buyer\)"
    ):
        purchase_order_send(po_id=approved.id, user=requester2)
    assert purchase_order_get(po_id=approved.id).status == "approved"


def test_its_requester_and_a_buyer_may_send(make_po, approver, requester, buyer):
    first, second = make_po(), make_po()
    for po in (first, second):
        purchase_order_approve(po_id=po.id, user=approver)
    assert purchase_order_send(po_id=first.id, user=requester).status == "sent"
    assert purchase_order_send(po_id=second.id, user=buyer).status == "sent"


def test_an_ap_clerk_no_longer_sends(approved, clerk):
    with pytest.raises(PermissionDenied, match="Only Requester or Buyer users"):
        purchase_order_send(po_id=approved.id, user=clerk)


def test_api_send_by_another_requester_is_403_naming_the_rule(approved, requester2):
    response = send(
        "put", f"/api/v1/purchase-orders/{approved.id}/send", {}, bearer(requester2)
    )
    assert response.status_code == 403
    assert "(sender is its requester or a Buyer)" in response.json()["detail"]
    assert purchase_order_get(po_id=approved.id).status == "approved"


def test_the_page_says_why_the_send_button_is_not_offered(approved, requester2):
    actions = purchase_order_actions(po=approved, user=requester2, value=None)
    assert "(sender is its requester or a Buyer)" in actions["send"]
    html = logged_in(requester2).get(f"/purchase-orders/{approved.id}/").content
    assert b"sender is its requester or a Buyer" in html


def test_another_requester_may_not_close_a_po(sent, requester2):
    with pytest.raises(PermissionDenied, match=r"\(closer is its requester"):
        purchase_order_close(po_id=sent.id, user=requester2, reason="Done")
    response = send(
        "put",
        f"/api/v1/purchase-orders/{sent.id}/close",
        {"reason": "Done"},
        bearer(requester2),
    )
    assert response.status_code == 403
    assert (
        "(closer is its requester, a Buyer or an AP Clerk)"
        in (response.json()["detail"])
    )
    page = logged_in(requester2).get(f"/purchase-orders/{sent.id}/close/", follow=True)
    assert b"closer is its requester, a Buyer or an AP Clerk" in page.content
    assert purchase_order_get(po_id=sent.id).status == "sent"


def test_a_close_with_goods_outstanding_needs_a_reason(sent, clerk):
    purchase_order_receive(po_id=sent.id, user=clerk, quantities={1: "10"})
    with pytest.raises(ValidationFailed) as refused:
        purchase_order_close(po_id=sent.id, user=clerk, reason="  ")
    assert "line 2 is not fully received" in refused.value.message
    assert "(a reason is required to close with goods outstanding" in (
        refused.value.message
    )
    assert purchase_order_get(po_id=sent.id).status == "sent"
    closed = purchase_order_close(po_id=sent.id, user=clerk, reason="Rest cancelled")
    assert (closed.status, closed.closing_reason) == ("closed", "Rest cancelled")


def test_a_close_with_an_invoice_waiting_needs_a_reason(sent, clerk, requester):
    purchase_order_receive(po_id=sent.id, user=clerk, quantities={1: "10", 2: "5"})
    invoice_create(
        user=clerk,
        po_id=sent.id,
        invoice_number="INV-9",
        invoice_date=TODAY,
        lines=[{"description": "Item 1", "quantity": "10", "unit_price": "100.00"}],
    )
    response = send(
        "put", f"/api/v1/purchase-orders/{sent.id}/close", {}, bearer(requester)
    )
    assert response.status_code == 422
    assert "1 invoice awaits matching" in response.json()["detail"]
    assert purchase_order_get(po_id=sent.id).status == "sent"


def test_close_page_asks_for_the_reason_and_refuses_without_it(sent, clerk):
    client = logged_in(clerk)
    html = client.get(f"/purchase-orders/{sent.id}/close/").content.decode()
    assert "A reason is required:" in html and "Reason (optional)" not in html
    response = client.post(
        f"/purchase-orders/{sent.id}/close/", {"version": sent.version, "reason": ""}
    )
    assert response.status_code == 422
    assert "goods outstanding or invoices waiting" in response.content.decode()
    assert purchase_order_get(po_id=sent.id).status == "sent"


def test_a_close_with_everything_received_needs_no_reason(sent, clerk):
    purchase_order_receive(po_id=sent.id, user=clerk, quantities={1: "10", 2: "5"})
    assert purchase_order_close(po_id=sent.id, user=clerk).status == "closed"
