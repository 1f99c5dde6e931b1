"""
The requester's rejected POs (issue 14, item 6): on the dashboard with their
reason, and on a list of their own paged through a sparse index, never a scan.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from purchasing.models import PurchaseOrder
from purchasing.services import purchase_order_reject
from tests.conftest import make_user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def no_scan(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a request scanned the PO table")

    monkeypatch.setattr(PurchaseOrder, "scan", classmethod(refuse))


def test_the_requesters_dashboard_lists_their_rejected_pos_with_the_reason(
    make_po, approver, requester, no_scan
):
    mine = make_po()
    purchase_order_reject(
        po_id=mine.id, user=approver, reason="Use the framework <deal>."
    )
    still_pending = make_po()
    other = make_user("other", "Requester")
    theirs = make_po(user=other)
    purchase_order_reject(po_id=theirs.id, user=approver, reason="Not needed.")
    html = logged_in(requester).get("/").content.decode()
    assert "My rejected POs" in html
    assert mine.po_number in html
    assert escape("Rejected by approver: Use the framework <deal>.") in html
    assert f'href="/purchase-orders/new/?copy={mine.id}"' in html
    assert still_pending.po_number not in html
    assert theirs.po_number not in html
    assert "Not needed." not in html


def test_a_requester_without_rejections_is_told_so(requester):
    html = logged_in(requester).get("/").content.decode()
    assert "None of your purchase orders was rejected." in html


def test_the_rejected_list_pages_through_newest_rejection_first(
    make_po, approver, requester, settings, no_scan
):
    settings.PAGE_SIZE = 2
    pos = [make_po() for _ in range(3)]
    for po in pos:
        purchase_order_reject(po_id=po.id, user=approver, reason=f"No: {po.po_number}")
    client = logged_in(requester)
    first = client.get("/purchase-orders/rejected/").content.decode()
    assert pos[2].po_number in first and pos[1].po_number in first
    assert pos[0].po_number not in first
    assert escape(f"No: {pos[2].po_number}") in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    second = client.get("/purchase-orders/rejected/" + next_link.replace("&amp;", "&"))
    html = second.content.decode()
    assert pos[0].po_number in html and pos[2].po_number not in html
    assert 'rel="next"' not in html


def test_rejections_from_before_the_index_are_indexed_by_the_command(
    make_po, approver, requester
):
    po = make_po()
    purchase_order_reject(po_id=po.id, user=approver, reason="Too early.")
    # As a rejection written before the index existed: no index keys.
    stored = PurchaseOrder.get(po.id)
    stored.update(
        actions=[
            PurchaseOrder.rejected_requester.remove(),
            PurchaseOrder.rejected_at.remove(),
        ]
    )
    assert po.po_number not in logged_in(requester).get("/").content.decode()
    out = StringIO()
    call_command("index_rejected_purchase_orders", "--dry-run", stdout=out)
    assert "1 rejected purchase order(s) would get" in out.getvalue()
    assert po.po_number not in logged_in(requester).get("/").content.decode()
    call_command("index_rejected_purchase_orders", stdout=out)
    assert po.po_number in logged_in(requester).get("/").content.decode()
    out = StringIO()
    call_command("index_rejected_purchase_orders", stdout=out)
    assert "0 rejected purchase order(s) got" in out.getvalue()
