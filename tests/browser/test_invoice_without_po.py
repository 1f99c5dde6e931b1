"""
A rent invoice without PO in a real browser (issue 15): a clerk enters it
with "No PO", an approver (never the clerk) approves it, a treasurer builds a
run that pays it, exports the pain.001 and confirms the bank paid.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.page_checks import LAPTOP, csp_violations, page_problems
from tests.browser.test_procure_to_pay import (
    approver_approves_run,
    field,
    flash,
    heading,
    nav,
    treasurer_confirms_the_bank_paid,
    treasurer_exports_and_downloads,
)
from tests.conftest import EUR_IBAN_1, VALID_VENDOR
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]

LANDLORD = "Landlord Properties KG"


def landlord(people):
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": LANDLORD, "tax_id": None,
                "status": "active", "iban": EUR_IBAN_1},
    )  # fmt: skip
    vendor_bank_details_confirm(
        vendor_id=vendor.id, user=people["clerk2"], version=vendor.version
    )
    return vendor


def clerk_enters_rent(page: Page) -> str:
    nav(page, "Invoices")
    page.get_by_role("button", name="Enter an invoice").click()
    form = page.get_by_role("form", name="Enter an invoice without PO")
    form.get_by_label("Vendor").select_option(label=LANDLORD)
    form.get_by_role("button", name="No PO: enter for this vendor").click()
    expect(heading(page)).to_contain_text(f"Invoice without PO of {LANDLORD}")
    field(page, "Invoice number").fill("RENT-2026-11")
    # A month old (Net 30): due, so today's run pays it.
    day = dt.date.today() - dt.timedelta(days=35)
    field(page, "Invoice date").fill(day.isoformat())
    page.get_by_label("Line 1 description").fill("Office rent <November>")
    page.get_by_label("Line 1 quantity").fill("1")
    page.get_by_label("Line 1 unit price").fill("2400.00")
    page.get_by_role("button", name="Enter invoice").click()
    expect(flash(page)).to_contain_text("entered without a PO; it awaits approval")
    expect(heading(page)).to_contain_text("Awaiting")
    expect(page.get_by_role("note").filter(has_text="You entered")).to_contain_text(
        "someone else must approve it"
    )
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    return page.url


def test_a_rent_invoice_without_po_is_approved_and_paid(desk, people):
    landlord(people)
    clerk = desk("clerk")
    invoice_url = clerk_enters_rent(clerk)

    approver = desk("approver")
    approver.goto("/")
    queue = approver.get_by_role("article").filter(
        has_text="Invoices awaiting my approval"
    )
    queue.get_by_role("link", name="RENT-2026-11").click()
    expect(
        approver.get_by_role("cell", name="Office rent <November>", exact=True)
    ).to_be_visible()
    if found := page_problems(approver, LAPTOP, also=(csp_violations,)):
        pytest.fail(f"the invoice page: {found}")
    approver.screenshot(
        path=SCREENSHOTS / "test_invoice_without_po--approver.png", full_page=True
    )
    approver.get_by_role("button", name="Approve EUR 2,400.00").click()
    expect(flash(approver)).to_contain_text("Invoice RENT-2026-11 approved")
    expect(heading(approver)).to_contain_text("Approved")
    expect(
        approver.get_by_text(re.compile(r"approver on \d{4}-\d\d-\d\d"))
    ).to_be_visible()

    treasurer = desk("treasurer")
    nav(treasurer, "Payment runs")
    treasurer.get_by_role("button", name="Build a payment run").click()
    treasurer.get_by_role("button", name="Propose invoices").click()
    expect(treasurer.get_by_label("Pay RENT-2026-11")).to_be_checked()
    treasurer.get_by_role("button", name="Build the run").click()
    expect(flash(treasurer)).to_contain_text("built with 1 invoices.")
    run_url = treasurer.url

    approver_approves_run(approver, run_url)
    xml = treasurer_exports_and_downloads(treasurer, run_url)
    assert '<InstdAmt Ccy="EUR">2400.00</InstdAmt>' in xml
    assert "<Ustrd>RENT-2026-11</Ustrd>" in xml
    treasurer_confirms_the_bank_paid(treasurer)

    clerk.goto(invoice_url)
    expect(heading(clerk)).to_contain_text("Paid")
    clerk.screenshot(path=SCREENSHOTS / "test_invoice_without_po.png", full_page=True)
