"""
The proposal's total follows the ticks in a real browser (issue 17): a
treasurer unticks an invoice and the vendor's net transfer, the credit
applied and the currency's total change at once, to the cent.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.test_procure_to_pay import nav
from tests.conftest import EUR_IBAN_1, VALID_VENDOR, po_lines
from tests.payments.credit_notes import matched_credit_note
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def invoices_and_credit(people):
    """Matched invoices of 0.10, 0.20 and 1,000.05 and an open credit of 1,000.00."""
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": "Acme Supplies GmbH", "tax_id": None,
                "status": "active", "iban": EUR_IBAN_1},
    )  # fmt: skip
    vendor = vendor_bank_details_confirm(
        vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
    )
    for number, total in (("INV-1", "0.10"), ("INV-2", "0.20"), ("INV-3", "1000.05")):
        po = purchase_order_create(
            user=people["requester"], vendor_id=vendor.id, lines=po_lines(("1", total))
        )
        purchase_order_approve(po_id=po.id, user=people["approver"])
        invoice = invoice_create(
            user=people["clerk"],
            po_id=po.id,
            invoice_number=number,
            invoice_date=dt.date.today() - dt.timedelta(days=40),
            lines=po_lines(("1", total)),
        )
        invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])
    matched_credit_note(vendor, "1000.00", number="CN-1000")


def test_the_total_follows_the_ticks_to_the_cent(desk, people):
    invoices_and_credit(people)
    treasurer = desk("treasurer")
    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Build a payment run").click()
    treasurer.get_by_role("button", name="Propose invoices").click()

    total = treasurer.get_by_role(
        "row", name=re.compile(r"Total of the ticked invoices \(EUR\)")
    )
    net = treasurer.get_by_role(
        "row", name=re.compile("Net transfer to Acme Supplies GmbH")
    )
    credit = treasurer.get_by_role("row", name=re.compile("Credit note CN-1000"))
    expect(total).to_contain_text("EUR 0.35")
    # With the script the server's recalculation is not needed.
    expect(treasurer.get_by_role("button", name="Recalculate the total")).to_be_hidden()

    treasurer.get_by_label("Pay INV-3").uncheck()
    # 0.10 + 0.20 is 0.30 exactly; the credit covers it, nothing is transferred.
    expect(total).to_contain_text("EUR 0.00")
    expect(credit).to_contain_text("−EUR 0.30")
    no_transfer = net.get_by_text("(settled by credits: no transfer)")
    expect(no_transfer).to_be_visible()

    treasurer.get_by_label("Pay INV-3").check()
    treasurer.get_by_label("Pay INV-1").uncheck()
    expect(total).to_contain_text("EUR 0.25")
    expect(credit).to_contain_text("−EUR 1,000.00")
    expect(net).to_contain_text("EUR 0.25")
    expect(no_transfer).to_be_hidden()

    treasurer.get_by_role("button", name="Build the run").click()
    expect(treasurer.get_by_role("status")).to_contain_text("built with 2 invoices.")


def test_a_saturday_is_refused_and_the_offered_monday_proposes(desk, people, settings):
    settings.PAYMENT_BUSINESS_DAYS_ONLY = True
    invoices_and_credit(people)
    today = dt.date.today()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    monday = saturday + dt.timedelta(days=2)
    treasurer = desk("treasurer")
    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Build a payment run").click()
    treasurer.get_by_role("textbox", name="Payment date").fill(saturday.isoformat())
    treasurer.get_by_role("button", name="Propose invoices").click()
    expect(treasurer.get_by_text(f"{saturday} is a Saturday").first).to_be_visible()
    expect(treasurer.get_by_label("Pay INV-1")).to_have_count(0)

    treasurer.get_by_role("button", name=f"Use {monday} instead").click()
    expect(treasurer.get_by_role("textbox", name="Payment date")).to_have_value(
        monday.isoformat()
    )
    expect(treasurer.get_by_label("Pay INV-1")).to_be_checked()
