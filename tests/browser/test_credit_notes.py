"""
A credit note in a real browser (issue 15, "Credit notes"): 2 of 10 invoiced
units come back, the clerk enters the vendor's credit note from the invoice's
page, reconciles it, and the PO shows 8 invoiced (it can be billed again).
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_send,
)
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_procure_to_pay import (
    approver_approves_run,
    field,
    flash,
    nav,
    treasurer_exports_and_downloads,
)
from tests.conftest import EUR_IBAN_1, VALID_VENDOR, po_lines
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def test_a_credit_note_for_returned_units_is_reconciled_against_its_po(desk, people):
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": "Acme Supplies GmbH", "status": "active"},
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("10", "100.00"))
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    purchase_order_send(po_id=po.id, user=people["requester"])
    purchase_order_receive(po_id=po.id, user=people["clerk"], quantities={1: "10"})
    invoice = invoice_create(
        user=people["clerk"], po_id=po.id, invoice_number="INV-10",
        invoice_date=dt.date.today(), lines=po_lines(("10", "100.00")),
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])

    clerk = desk("clerk")
    clerk.goto(f"/invoices/{invoice.id}/")
    clerk.get_by_role("button", name="Enter a credit note for INV-10").click()
    expect(clerk.get_by_label("Credit note")).to_be_checked()
    expect(field(clerk, "Credits invoice")).to_have_value(invoice.id)
    field(clerk, "Invoice number").fill("CN-10-A")
    clerk.get_by_label("Line 1 quantity").fill("2")
    clerk.get_by_role("button", name="Enter credit note").click()
    expect(flash(clerk)).to_contain_text("Credit note CN-10-A entered")
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("Credit note CN-10-A")
    clerk.get_by_role("button", name="Reconcile now").click()
    expect(flash(clerk)).to_contain_text("Credit note CN-10-A matched its PO.")

    clerk.reload()
    heading = clerk.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Matched")
    expect(heading).to_contain_text("Credit note")
    section = clerk.get_by_role("region", name="Credit note")
    expect(section).to_contain_text("−EUR 200.00")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    clerk.screenshot(path=SCREENSHOTS / "credit-note-matched.png", full_page=True)
    section.get_by_role("link", name="INV-10").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text("Invoice INV-10")

    clerk.goto(f"/purchase-orders/{po.id}/")
    expect(clerk.locator("#po-invoiced-quantities")).to_contain_text("line 1 8 of 10")
    row = clerk.get_by_role("row").filter(has=clerk.get_by_role("link", name="CN-10-A"))
    expect(row).to_contain_text("Credit note")
    expect(row).to_contain_text("−EUR 200.00")
    clerk.screenshot(path=SCREENSHOTS / "credit-note-po.png", full_page=True)


def test_a_credit_note_entered_on_its_page_is_netted_in_the_next_run(desk, people):
    """The worked month's return: 2 of 10 units credited, the run pays the rest."""
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": "Acme Supplies GmbH", "tax_id": None,
                "status": "active", "iban": EUR_IBAN_1},
    )  # fmt: skip
    vendor_bank_details_confirm(
        vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("10", "100.00"))
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    invoice = invoice_create(
        user=people["clerk"], po_id=po.id, invoice_number="INV-10",
        invoice_date=dt.date.today() - dt.timedelta(days=40),
        lines=po_lines(("10", "100.00")),
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])

    clerk = desk("clerk")
    clerk.goto(f"/invoices/{invoice.id}/")
    clerk.get_by_role("button", name="Enter a credit note for INV-10").click()
    field(clerk, "Invoice number").fill("CN-10-A")
    clerk.get_by_label("Line 1 quantity").fill("2")
    clerk.get_by_role("button", name="Enter credit note").click()
    expect(flash(clerk)).to_contain_text("Credit note CN-10-A entered")
    clerk.get_by_role("button", name="Reconcile now").click()
    expect(flash(clerk)).to_contain_text("Credit note CN-10-A matched its PO.")

    treasurer = desk("treasurer")
    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Build a payment run").click()
    treasurer.get_by_role("button", name="Propose invoices").click()
    expect(treasurer.get_by_label("Pay INV-10")).to_be_checked()
    credit_row = treasurer.get_by_role("row", name=re.compile("Credit note CN-10-A"))
    expect(credit_row).to_contain_text("−EUR 200.00")
    net_row = treasurer.get_by_role(
        "row", name=re.compile("Net transfer to Acme Supplies GmbH")
    )
    expect(net_row).to_contain_text("EUR 800.00")
    treasurer.get_by_role("button", name="Build the run").click()
    expect(flash(treasurer)).to_contain_text("built with 1 invoices.")
    run_url = treasurer.url

    approver_approves_run(desk("approver"), run_url)
    xml = treasurer_exports_and_downloads(treasurer, run_url)
    assert '<InstdAmt Ccy="EUR">800.00</InstdAmt>' in xml
    assert "<Ustrd>INV-10, credit CN-10-A -200.00</Ustrd>" in xml
    treasurer.screenshot(path=SCREENSHOTS / "credit-note-netted.png", full_page=True)
