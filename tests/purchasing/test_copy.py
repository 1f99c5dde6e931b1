"""
A rejected PO is no dead end (issue 14, item 6): "Copy to a new PO" opens the
PO form prefilled with its vendor, currency and lines, and the PO raised from
it records where it came from.
"""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from audit.selectors import audit_history
from core.errors import InvalidTransition
from purchasing.selectors import purchase_order_get, purchase_order_list
from purchasing.services import purchase_order_create, purchase_order_reject
from tests.purchasing.test_views import po_form
from vendors.services import vendor_update


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rejected_po(make_po, approver):
    po = make_po(("12", "250.00"), ("3", "19.90"), match_type="3-way")
    return purchase_order_reject(
        po_id=po.id, user=approver, reason="Chairs are on the framework contract."
    )


def test_a_rejected_po_offers_a_copy_to_its_requester(rejected_po, make_po, requester):
    client = logged_in(requester)
    html = client.get(f"/purchase-orders/{rejected_po.id}/").content.decode()
    assert f'href="/purchase-orders/new/?copy={rejected_po.id}"' in html
    assert "Copy to a new PO" in html
    pending = make_po()
    assert (
        "Copy to a new PO"
        not in client.get(f"/purchase-orders/{pending.id}/").content.decode()
    )


def test_the_copy_prefills_vendor_currency_and_lines_and_says_why(
    rejected_po, requester, active_vendor
):
    response = logged_in(requester).get(f"/purchase-orders/new/?copy={rejected_po.id}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{active_vendor.id}" selected>' in html
    assert '<option value="EUR" selected>' in html
    assert re.search(r'<input[^>]*value="3-way"[^>]*checked', html)
    assert (
        'value="Item 1"' in html and 'value="12"' in html and 'value="250.00"' in html
    )
    assert 'value="Item 2"' in html and 'value="19.90"' in html
    assert f'name="copied_from" value="{rejected_po.id}"' in html
    assert (
        escape(
            f"A copy of {rejected_po.po_number}, rejected by approver: "
            "Chairs are on the framework contract."
        )
        in html
    )
    assert len(purchase_order_list().items) == 1  # a prefilled form saves nothing


def test_raising_the_copy_audits_it_as_copied_from_the_rejected_po(
    rejected_po, requester, active_vendor
):
    response = logged_in(requester).post(
        "/purchase-orders/new/",
        po_form(
            active_vendor.id,
            [("Item 1", "10", "250.00"), ("Item 2", "3", "19.90")],
            copied_from=rejected_po.id,
        ),
        follow=True,
    )
    html = response.content.decode()
    new = next(po for po in purchase_order_list().items if po.id != rejected_po.id)
    assert f"{new.po_number} raised" in html
    assert "Copied from" in html and rejected_po.po_number in html
    (created,) = audit_history(entity_type="purchase_order", entity_id=new.id).items
    assert created.action == "CREATE"
    assert created.details["copied_from"] == {
        "id": rejected_po.id,
        "po_number": rejected_po.po_number,
    }
    # The rejected PO stays as it was.
    assert purchase_order_get(po_id=rejected_po.id).status == "rejected"


def test_only_a_rejected_po_is_copied(make_po, requester, active_vendor):
    pending = make_po()
    with pytest.raises(InvalidTransition, match="only rejected purchase orders"):
        purchase_order_create(
            user=requester,
            vendor_id=active_vendor.id,
            lines=[{"description": "x", "quantity": "1", "unit_price": "1.00"}],
            copied_from=pending.id,
        )
    response = logged_in(requester).get(
        f"/purchase-orders/new/?copy={pending.id}", follow=True
    )
    assert b"only rejected purchase orders are copied" in response.content
    assert len(purchase_order_list().items) == 1


def test_a_copy_whose_vendor_is_no_longer_active_says_so(
    rejected_po, requester, clerk, active_vendor, make_vendor
):
    other = make_vendor("Other Supplies GmbH")
    vendor_update(
        vendor_id=active_vendor.id,
        user=clerk,
        changes={"status": "inactive"},
        version=active_vendor.version,
    )
    html = (
        logged_in(requester)
        .get(f"/purchase-orders/new/?copy={rejected_po.id}")
        .content.decode()
    )
    assert (
        escape(f"{active_vendor.name} is inactive; choose another vendor for the copy.")
        in html
    )
    assert 'value="Item 1"' in html  # the lines are still there to reuse
    assert f'<option value="{other.id}">' in html
