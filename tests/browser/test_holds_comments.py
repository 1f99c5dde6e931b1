"""
Holds and comments in a real browser (issue 15): a held invoice is left out
of a payment run until a clerk releases it, and a comment mentioning a
colleague e-mails them and is read by everyone who opens the invoice.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.test_procure_to_pay import field, flash, nav
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, VALID_VENDOR, po_lines
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def matched(people, vendor_name, iban, number):
    """A matched invoice `number` of a new, paid-by-IBAN vendor (set up as services)."""
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": vendor_name, "tax_id": None,
                "status": "active", "iban": iban},
    )  # fmt: skip
    vendor_bank_details_confirm(
        vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("1", "800.00"))
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    invoice = invoice_create(
        user=people["clerk"],
        po_id=po.id,
        invoice_number=number,
        invoice_date=dt.date.today() - dt.timedelta(days=40),
        lines=po_lines(("1", "800.00")),
    )
    invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])
    return invoice


def propose(page: Page) -> None:
    nav(page, "Payment runs")
    page.get_by_role("button", name="Build a payment run").click()
    page.get_by_role("button", name="Propose invoices").click()


def test_a_held_invoice_is_left_out_of_a_run_until_released(desk, people):
    held = matched(people, "Acme Supplies GmbH", EUR_IBAN_1, "HOLD-1")
    matched(people, "Bureau Fournitures SA", EUR_IBAN_2, "FREE-1")

    clerk = desk("clerk")
    clerk.goto(f"/invoices/{held.id}/")
    clerk.get_by_role("button", name="Put on hold…").click()
    field(clerk, "Why is it on hold?").fill("Vendor disputes the <price>")
    clerk.get_by_role("button", name="Put invoice HOLD-1 on hold").click()
    expect(flash(clerk)).to_contain_text("Invoice HOLD-1 is on hold")
    expect(clerk.get_by_role("note")).to_contain_text(
        "On hold: Vendor disputes the <price> (by clerk, until released)"
    )

    treasurer = desk("treasurer")
    propose(treasurer)
    expect(treasurer.get_by_label("Pay FREE-1")).to_be_checked()
    expect(treasurer.get_by_label("Pay HOLD-1")).to_have_count(0)
    treasurer.get_by_role("button", name="Build the run").click()
    expect(flash(treasurer)).to_contain_text("built with 1 invoices.")

    nav(clerk, "Invoices")
    clerk.get_by_label("On hold only").check()
    clerk.get_by_role("button", name="Filter").click()
    rows = clerk.get_by_role("row").filter(has_text="HOLD-1")
    expect(rows).to_have_count(1)
    expect(clerk.get_by_role("row").filter(has_text="FREE-1")).to_have_count(0)
    rows.get_by_role("link", name="HOLD-1").click()
    clerk.get_by_role("button", name="Release the hold…").click()
    clerk.get_by_role("button", name="Release invoice HOLD-1").click()
    expect(flash(clerk)).to_contain_text("Invoice HOLD-1 is released")

    propose(treasurer)
    expect(treasurer.get_by_label("Pay HOLD-1")).to_be_checked()


def test_a_comment_with_a_mention_e_mails_its_user(desk, people, mailoutbox):
    invoice = matched(people, "Acme Supplies GmbH", EUR_IBAN_1, "ASK-1")
    mailoutbox.clear()
    clerk = desk("clerk")
    clerk.goto(f"/invoices/{invoice.id}/")
    field(clerk, "Add a comment").fill("@approver is 800.00 right? <b>really</b>")
    clerk.get_by_role("button", name="Add comment").click()
    expect(flash(clerk)).to_contain_text("Comment added.")
    thread = clerk.get_by_role("region", name="Comments")
    expect(thread).to_contain_text("@approver is 800.00 right? <b>really</b>")

    [mail] = [m for m in mailoutbox if "mentioned you" in m.subject]
    assert mail.to == ["approver@example.com"]
    link = re.search(r"Open it: (\S+)", mail.body).group(1)
    assert link.endswith(f"/invoices/{invoice.id}/")

    auditor = desk("auditor")  # every reader reads the thread, without its form
    auditor.goto(f"/invoices/{invoice.id}/")
    thread = auditor.get_by_role("region", name="Comments")
    expect(thread).to_contain_text("clerk")
    expect(thread).to_contain_text("@approver is 800.00 right?")
    expect(auditor.get_by_role("button", name="Add comment")).to_have_count(0)
