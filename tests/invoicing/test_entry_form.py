"""
The invoice entry form as a clerk meets it: what it prefills from the PO, and
the vendor's document kept across a refused submit (issue 14, items 1 and 5).
"""

import datetime as dt

from django.test import Client
from django.urls import reverse

from invoicing.models import Invoice
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_receive

TODAY = dt.date.today().isoformat()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def entry_url(po) -> str:
    return f"{reverse('invoicing:create')}?po={po.id}"


def bill(clerk, po, number, *quantities, prices=("100.00", "20.00")):
    """Enter and reconcile an invoice billing these quantities of the PO's lines."""
    lines = [
        {"description": f"Item {n}", "quantity": q, "unit_price": p,
         "po_line_number": n}
        for n, (q, p) in enumerate(zip(quantities, prices, strict=False), start=1) if q
    ]  # fmt: skip
    invoice = invoice_create(
        user=clerk, po_id=po.id, invoice_number=number, invoice_date=TODAY,
        lines=lines,
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    return invoice_get(invoice_id=invoice.id)


def prefilled(response) -> list[tuple[int, object]]:
    """(PO line, quantity) of each line the form offers."""
    return [
        (form.initial["po_line_number"], form.initial["quantity"])
        for form in response.context["formset"].forms
    ]


# --- Item 5: what remains to bill -------------------------------------------


def test_a_fully_invoiced_po_prefills_no_quantity_and_says_so(clerk, approved_po):
    assert bill(clerk, approved_po, "ALL-1", "10", "5").status == "matched"
    response = logged_in(clerk).get(entry_url(approved_po))
    html = response.content.decode()
    # The lines are there to type what the vendor printed, but none is billed again.
    assert prefilled(response) == [(1, None), (2, None)]
    assert 'value="10"' not in html and 'value="5"' not in html
    assert f"{approved_po.po_number} is fully invoiced" in html
    assert "would be rejected as over-billing" in html


def test_a_fully_invoiced_and_paid_po_says_it_is_paid(clerk, approved_po):
    invoice = bill(clerk, approved_po, "ALL-1", "10", "5")
    Invoice.get(invoice.id).update(actions=[Invoice.status.set("paid")])
    html = logged_in(clerk).get(entry_url(approved_po)).content.decode()
    assert f"{approved_po.po_number} is fully invoiced and paid" in html


def test_a_partly_billed_po_prefills_what_remains_per_line_without_warning(
    clerk, approved_po
):
    bill(clerk, approved_po, "PART-1", "4", "5")
    response = logged_in(clerk).get(entry_url(approved_po))
    assert prefilled(response) == [(1, 6)]
    assert "fully invoiced" not in response.content.decode()


def test_a_3_way_po_prefills_what_was_received_and_not_yet_invoiced(
    make_po, approver, clerk
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "6", 2: "5"})
    bill(clerk, po, "PART-1", "2", "5")
    response = logged_in(clerk).get(entry_url(po))
    # Line 1: 6 received, 2 invoiced; line 2 received and invoiced in full.
    assert prefilled(response) == [(1, 4)]


def test_a_3_way_po_billed_for_all_it_received_offers_the_rest_of_the_order(
    make_po, approver, clerk
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "4"})
    bill(clerk, po, "PART-1", "4")
    response = logged_in(clerk).get(entry_url(po))
    assert prefilled(response) == [(1, 6), (2, 5)]
    html = response.content.decode()
    assert f"Everything received on {po.po_number} so far is invoiced" in html
    assert "fully invoiced" not in html


def test_a_3_way_po_with_nothing_received_offers_the_order_and_says_it_waits(
    make_po, approver, clerk
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    response = logged_in(clerk).get(entry_url(po))
    assert prefilled(response) == [(1, 10), (2, 5)]
    assert f"Nothing has been received on {po.po_number} yet" in (
        response.content.decode()
    )
