"""
In a real browser: a decimal-comma clerk types 189,00 and the invoice saves
189.00 (issue 14, item 10); a vendor form sent after logging out in another
tab comes back filled in after the login (item 2).
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from invoicing.selectors import invoice_list
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.conftest import PASSWORD
from tests.conftest import VALID_VENDOR, po_lines
from vendors.selectors import vendor_list
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def flash(page: Page):
    return page.get_by_role("status")


def field(page: Page, label: str):
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def choose_decimal_comma(page: Page) -> None:
    page.get_by_role("link", name="clerk", exact=True).click()  # my profile
    field(page, "Number format").select_option(label="1.234,56 (decimal comma)")
    page.get_by_role("button", name="Save number format and time zone").click()
    expect(flash(page)).to_contain_text("Your number format and time zone are saved.")
    expect(page.get_by_text("Amounts now read EUR 1.234,56")).to_be_visible()


def test_a_decimal_comma_clerk_types_189_00_and_the_invoice_saves_189_00(desk, people):
    vendor = vendor_create(
        user=people["clerk"], fields={**VALID_VENDOR, "status": "active"}
    )
    po = purchase_order_create(
        user=people["requester"],
        vendor_id=vendor.id,
        lines=po_lines(("1", "189.00")),
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    page = desk("clerk")
    choose_decimal_comma(page)

    page.goto(f"/invoices/new/?po={po.id}")
    price = page.get_by_label("Line 1 unit price")
    expect(price).to_have_value("189,00")  # prefilled in the clerk's format
    expect(price).to_have_attribute("placeholder", "1.234,56")
    field(page, "Invoice number").fill("RE-2026-189")
    field(page, "Invoice date").fill(timezone.localdate().isoformat())
    price.fill("189,00")
    field(page, "Tax").fill("0,00")
    field(page, "Invoice total").fill("1.189,00")  # a slip: refused, and said why
    page.get_by_role("button", name="Enter invoice").click()
    expect(
        page.get_by_text(re.compile("The total .* is not the lines"))
    ).to_be_visible()
    assert invoice_list().items == []

    field(page, "Invoice total").fill("189,00")
    page.get_by_role("button", name="Enter invoice").click()

    expect(flash(page)).to_contain_text("Invoice RE-2026-189 entered")
    expect(page.get_by_text("EUR 189,00").first).to_be_visible()
    (invoice,) = invoice_list().items
    assert invoice.total_amount == Decimal("189.00")
    assert invoice.items[0].unit_price == Decimal("189.00")

    page.goto(f"/invoices/new/?po={po.id}")
    page.get_by_label("Line 1 unit price").fill("189,00.5")
    field(page, "Invoice number").fill("RE-2026-190")
    page.get_by_role("button", name="Enter invoice").click()
    expect(page.get_by_text("Use 1.234,56 — your number format")).to_be_visible()


def fill_vendor_form(page: Page) -> None:
    main = page.get_by_role("navigation", name="Main")
    main.get_by_role("link", name="Vendors", exact=True).click()
    page.get_by_role("button", name="New vendor").click()
    field(page, "Name").fill("Bürobedarf Schmidt GmbH")
    field(page, "E-mail").fill("rechnung@schmidt.example")
    field(page, "Payment terms").fill("Net 30")
    field(page, "IBAN").fill("DE89370400440532013000")


def log_in_again(page: Page) -> None:
    field(page, "Username").fill("clerk")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_vendor_form_sent_after_logging_out_in_another_tab_comes_back(desk):
    page = desk("clerk")
    fill_vendor_form(page)
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Log out").click()
    expect(other_tab.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_role("button", name="Create vendor").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(flash(page)).to_contain_text("You were signed out")
    expect(flash(page)).to_contain_text("the form comes back with what you typed")
    log_in_again(page)
    expect(flash(page)).to_contain_text("What you typed is back")
    expect(field(page, "Name")).to_have_value("Bürobedarf Schmidt GmbH")
    expect(field(page, "IBAN")).to_have_value("DE89370400440532013000")
    assert vendor_list().items == []
    page.get_by_role("button", name="Create vendor").click()
    expect(flash(page)).to_contain_text("Vendor “Bürobedarf Schmidt GmbH” created.")


def test_a_form_older_than_a_new_sign_in_elsewhere_comes_back_not_a_403(desk):
    page = desk("clerk")
    fill_vendor_form(page)
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Log out").click()
    log_in_again(other_tab)  # a new CSRF token: the first tab's is stale
    expect(other_tab.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("button", name="Create vendor").click()

    expect(flash(page)).to_contain_text("older than your latest sign-in")
    expect(field(page, "Name")).to_have_value("Bürobedarf Schmidt GmbH")
    page.get_by_role("button", name="Create vendor").click()
    expect(flash(page)).to_contain_text("Vendor “Bürobedarf Schmidt GmbH” created.")
