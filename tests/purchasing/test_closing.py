"""
Closing a PO (issue 14): by hand after a confirmation that says what is still
outstanding (item 3), and by the system once everything ordered was received
and invoiced, in the same transaction as the write that completed it (item 19).
"""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from audit.selectors import audit_history
from core.errors import StaleRecord
from invoicing.jobs import reconcile_waiting_invoices
from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create, invoice_void
from purchasing import events
from purchasing.selectors import purchase_order_get
from purchasing.services import (
    purchase_order_approve,
    purchase_order_receive,
    purchase_order_send,
)
from tests.api_client import bearer, send
from tests.conftest import TODAY


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history(po):
    return audit_history(entity_type="purchase_order", entity_id=po.id).items


@pytest.fixture
def sent_po(make_po, approver, requester):
    """A sent PO of 10 x 100.00 and 5 x 20.00."""
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    return purchase_order_send(po_id=po.id, user=requester)


def billed(*lines):
    """Invoice lines from (PO line number, quantity, unit price)."""
    return [
        {
            "description": f"Item {n}",
            "quantity": q,
            "unit_price": p,
            "po_line_number": n,
        }
        for n, q, p in lines
    ]


def invoice_matched(po, clerk, *lines, number="INV-1"):
    invoice = invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=TODAY,
        lines=billed(*(lines or [(1, "10", "100.00"), (2, "5", "20.00")])),
    )
    invoice, report = invoice_reconcile(invoice_id=invoice.id, user=clerk)
    assert invoice.status == "matched", report
    return invoice


# --- Item 3: "Close" is confirmed and says what remains outstanding -----------


def test_close_sits_with_the_po_actions_and_leads_to_a_confirmation(sent_po, clerk):
    html = logged_in(clerk).get(f"/purchase-orders/{sent_po.id}/").content.decode()
    header_actions = html.split('<div class="grid">')[0]
    assert f'href="/purchase-orders/{sent_po.id}/close/"' in header_actions
    assert "Close PO…" in header_actions
    # No one-click close anywhere on the page.
    assert f'action="/purchase-orders/{sent_po.id}/close/"' not in html


def test_close_confirmation_lists_what_is_not_received_or_not_invoiced(
    sent_po, clerk, settings
):
    settings.PO_AUTO_CLOSE = False
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10"})
    invoice_matched(sent_po, clerk, (1, "4", "100.00"))
    response = logged_in(clerk).get(f"/purchase-orders/{sent_po.id}/close/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Close {sent_po.po_number}?" in html
    rows = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    # Line 1: all 10 received, 6 of 10 not invoiced; line 2: nothing of 5 either way.
    assert "1 Item 1 10 10 0 4 6" in rows
    assert "2 Item 2 5 0 5 0 5" in rows
    assert "Not fully received: line 2." in rows
    assert "Not fully invoiced: lines 1 and 2." in rows
    assert 'name="reason"' in html
    assert purchase_order_get(po_id=sent_po.id).status == "sent"  # a GET closes nothing


def test_confirming_the_close_closes_the_po_and_audits_the_reason(sent_po, clerk):
    response = logged_in(clerk).post(
        f"/purchase-orders/{sent_po.id}/close/",
        {"version": sent_po.version, "reason": "Vendor cannot deliver the rest."},
        follow=True,
    )
    html = response.content.decode()
    assert f"{sent_po.po_number} closed." in html
    assert escape("by clerk: Vendor cannot deliver the rest.") in html
    stored = purchase_order_get(po_id=sent_po.id)
    assert stored.status == "closed"
    entry = history(sent_po)[0]
    assert (entry.action, entry.user_id) == ("CLOSE", "clerk")
    assert entry.details["reason"] == "Vendor cannot deliver the rest."
    assert entry.details["outstanding"]["1"] == {
        "ordered": "10",
        "not_received": "10",
        "not_invoiced": "10",
    }


def test_close_confirmation_says_when_nothing_is_outstanding(sent_po, clerk, settings):
    settings.PO_AUTO_CLOSE = False
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"})
    invoice_matched(sent_po, clerk)
    html = logged_in(clerk).get(f"/purchase-orders/{sent_po.id}/close/").content
    assert b"Everything ordered was received and invoiced." in html


def test_close_of_a_po_that_cannot_be_closed_is_explained(make_po, clerk):
    po = make_po()
    response = logged_in(clerk).get(f"/purchase-orders/{po.id}/close/", follow=True)
    assert b"only sent purchase orders can be closed" in response.content
    assert purchase_order_get(po_id=po.id).status == "pending"


def test_api_close_keeps_working_without_a_body_and_takes_an_optional_reason(
    sent_po, make_po, approver, requester, clerk
):
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"})
    response = send(
        "put", f"/api/v1/purchase-orders/{sent_po.id}/close", {}, bearer(clerk)
    )
    assert response.status_code == 200 and response.json()["status"] == "closed"
    other = make_po()
    purchase_order_approve(po_id=other.id, user=approver)
    purchase_order_send(po_id=other.id, user=requester)
    response = send(
        "put",
        f"/api/v1/purchase-orders/{other.id}/close",
        {"reason": "Short-shipped, rest cancelled by the vendor."},
        bearer(clerk),
    )
    assert response.status_code == 200
    assert history(other)[0].details["reason"] == (
        "Short-shipped, rest cancelled by the vendor."
    )


# --- Item 19: closed by the system once fully received and invoiced -----------


def test_last_goods_receipt_of_an_invoiced_po_closes_it(sent_po, clerk):
    invoice_matched(sent_po, clerk)
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10"})
    assert purchase_order_get(po_id=sent_po.id).status == "sent"  # line 2 still due
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={2: "5"})
    stored = purchase_order_get(po_id=sent_po.id)
    assert (stored.status, stored.decided_by) == ("closed", "system")
    closed, received = history(sent_po)[:2]
    assert (received.action, received.user_id) == ("RECEIVE", "clerk")
    assert (closed.action, closed.user_id) == ("CLOSE", "system")
    assert closed.details["reason"] == "Fully received and fully invoiced."
    assert closed.details["before"] == {"status": "sent"}
    html = logged_in(clerk).get(f"/purchase-orders/{sent_po.id}/").content.decode()
    assert "by system: Fully received and fully invoiced." in html


def test_the_invoice_that_completes_a_received_po_closes_it(sent_po, clerk):
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"})
    invoice_matched(sent_po, clerk, (1, "10", "100.00"), number="INV-1")
    assert purchase_order_get(po_id=sent_po.id).status == "sent"
    invoice_matched(sent_po, clerk, (2, "4", "20.00"), number="INV-2")
    assert purchase_order_get(po_id=sent_po.id).status == "sent"  # one short
    invoice_matched(sent_po, clerk, (2, "1", "20.00"), number="INV-3")
    stored = purchase_order_get(po_id=sent_po.id)
    assert (stored.status, stored.decided_by) == ("closed", "system")
    closed, invoiced = history(sent_po)[:2]
    assert (invoiced.action, invoiced.user_id) == ("RECONCILE", "clerk")
    assert (closed.action, closed.user_id) == ("CLOSE", "system")


def test_voiding_an_invoice_of_an_auto_closed_po_reopens_it_for_the_correction(
    sent_po, clerk
):
    """The system's close is undone by the system: else the corrected invoice
    would meet "the PO is closed" and the vendor could not be paid."""
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"})
    wrong = invoice_matched(
        sent_po, clerk, (1, "10", "100.00"), (2, "5", "20.00"), number="INV-9"
    )
    assert purchase_order_get(po_id=sent_po.id).status == "closed"
    invoice_void(invoice_id=wrong.id, user=clerk, reason="Keyed against the wrong PO")
    stored = purchase_order_get(po_id=sent_po.id)
    assert (stored.status, stored.decided_by, stored.closing_reason) == (
        "sent",
        None,
        None,
    )
    reopened, voided = history(sent_po)[:2]
    assert (voided.action, voided.user_id) == ("VOID", "clerk")
    assert (reopened.action, reopened.user_id) == ("REOPEN", "system")
    invoice_matched(
        sent_po, clerk, (1, "10", "100.00"), (2, "5", "20.00"), number="INV-10"
    )
    assert purchase_order_get(po_id=sent_po.id).status == "closed"


def test_a_po_a_person_closed_stays_closed_after_a_void(sent_po, clerk, requester):
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"})
    matched = invoice_matched(
        sent_po, clerk, (1, "10", "100.00"), (2, "5", "20.00"), number="INV-9"
    )
    # Closed by the system, then as if a person had: the void leaves it closed.
    from purchasing.models import PurchaseOrder

    po = PurchaseOrder.get(sent_po.id)
    po.update(actions=[PurchaseOrder.decided_by.set("requester")])
    invoice_void(invoice_id=matched.id, user=clerk, reason="Duplicate")
    assert purchase_order_get(po_id=sent_po.id).status == "closed"


def test_the_reconciliation_job_closes_the_pos_it_completes(
    sent_po, make_po, approver, requester, clerk
):
    purchase_order_receive(po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"})
    invoice_create(
        user=clerk, po_id=sent_po.id, invoice_number="JOB-1", invoice_date=TODAY,
        lines=billed((1, "10", "100.00"), (2, "5", "20.00")),
    )  # fmt: skip
    stats = reconcile_waiting_invoices(workers=1)
    assert stats.processed == 1
    assert purchase_order_get(po_id=sent_po.id).status == "closed"
    closed, invoiced = history(sent_po)[:2]
    assert (invoiced.action, closed.action, closed.user_id) == (
        "BATCH_RECONCILE",
        "CLOSE",
        "system",
    )
    # The chain holds: the two entries follow each other.
    assert closed.seq == invoiced.seq + 1


def test_approved_but_not_sent_or_setting_off_stays_open(
    make_po, approver, requester, clerk, settings
):
    approved = make_po()
    purchase_order_approve(po_id=approved.id, user=approver)
    purchase_order_receive(po_id=approved.id, user=clerk, quantities={1: "10", 2: "5"})
    invoice_matched(approved, clerk)
    # The life cycle closes only sent POs (domain.md).
    assert purchase_order_get(po_id=approved.id).status == "approved"

    settings.PO_AUTO_CLOSE = False
    sent = make_po()
    purchase_order_approve(po_id=sent.id, user=approver)
    purchase_order_send(po_id=sent.id, user=requester)
    purchase_order_receive(po_id=sent.id, user=clerk, quantities={1: "10", 2: "5"})
    invoice_matched(sent, clerk, number="INV-2")
    assert purchase_order_get(po_id=sent.id).status == "sent"


def test_a_failed_close_writes_neither_the_receipt_nor_the_closure(
    sent_po, clerk, monkeypatch
):
    invoice_matched(sent_po, clerk)
    taken = history(sent_po)[0]

    def colliding_entry(**kwargs):
        entry = real_event(**kwargs)
        entry.id = taken.id  # an entry that exists: the transaction must fail
        return entry

    real_event = events.purchase_order_closed_event
    monkeypatch.setattr(events, "purchase_order_closed_event", colliding_entry)
    before = len(history(sent_po))
    with pytest.raises(StaleRecord):
        purchase_order_receive(
            po_id=sent_po.id, user=clerk, quantities={1: "10", 2: "5"}
        )
    stored = purchase_order_get(po_id=sent_po.id)
    assert stored.status == "sent" and stored.receipts == []
    assert len(history(sent_po)) == before
