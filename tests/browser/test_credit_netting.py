"""
A credit note netted in a payment run, in a real browser (issue 15): the
treasurer sees the invoice, the credit and the net transfer on the proposal,
builds, an approver approves, and the bank file pays the difference and
tells the vendor which credit was taken.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_procure_to_pay import (
    approver_approves_run,
    flash,
    nav,
    treasurer_exports_and_downloads,
)
from tests.conftest import EUR_IBAN_1, VALID_VENDOR, po_lines
from tests.payments.credit_notes import matched_credit_note
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def invoice_and_credit(people):
    """A matched invoice of 1,000.00 and a matched credit note of 200.00 against it."""
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": "Acme Supplies GmbH", "tax_id": None,
                "status": "active", "iban": EUR_IBAN_1},
    )  # fmt: skip
    vendor = vendor_bank_details_confirm(
        vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("1", "1000.00"))
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    invoice = invoice_create(
        user=people["clerk"],
        po_id=po.id,
        invoice_number="INV-1000",
        invoice_date=dt.date.today() - dt.timedelta(days=40),
        lines=po_lines(("1", "1000.00")),
    )
    invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])
    matched_credit_note(vendor, "200.00", number="CN-200", credits=invoice)


def test_a_credit_note_is_netted_in_the_run_and_named_in_the_remittance(desk, people):
    invoice_and_credit(people)

    treasurer = desk("treasurer")
    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Build a payment run").click()
    treasurer.get_by_role("button", name="Propose invoices").click()
    expect(treasurer.get_by_label("Pay INV-1000")).to_be_checked()
    credit_row = treasurer.get_by_role("row", name=re.compile("Credit note CN-200"))
    expect(credit_row).to_contain_text("−EUR 200.00")
    net_row = treasurer.get_by_role(
        "row", name=re.compile("Net transfer to Acme Supplies GmbH")
    )
    expect(net_row).to_contain_text("EUR 800.00")
    expect(
        treasurer.get_by_role("row", name=re.compile("Total of the ticked invoices"))
    ).to_contain_text("EUR 800.00")
    treasurer.screenshot(
        path=SCREENSHOTS / "credit-netting-proposal.png", full_page=True
    )
    treasurer.get_by_role("button", name="Build the run").click()
    expect(flash(treasurer)).to_contain_text("built with 1 invoices.")
    netted = treasurer.get_by_role("table", name="Credit notes netted, oldest first")
    expect(netted).to_contain_text("CN-200")
    expect(netted).to_contain_text("Transfer EUR 800.00")
    run_url = treasurer.url

    approver_approves_run(desk("approver"), run_url)
    xml = treasurer_exports_and_downloads(treasurer, run_url)
    assert '<InstdAmt Ccy="EUR">800.00</InstdAmt>' in xml
    assert "<CtrlSum>800.00</CtrlSum>" in xml
    assert "<Ustrd>INV-1000, credit CN-200 -200.00</Ustrd>" in xml
    treasurer.screenshot(path=SCREENSHOTS / "credit-netting-run.png", full_page=True)
