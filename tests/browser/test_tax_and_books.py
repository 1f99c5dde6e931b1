"""
Tax and the books in a real browser (issue 16, "Done when"): an AP clerk
enters a 19% + 7% invoice with the vendor's printed tax per code, matches it
and sees its VAT breakdown; the vendor ledger, the AP ageing report and the
journal then show it. A reverse-charge invoice of an EU vendor charges no
tax and the journal self-assesses it on both sides.
"""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from accounting.services import accounting_defaults_install
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_invoice_entry import field, open_entry
from tests.conftest import VALID_VENDOR, make_user
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def coded(description, quantity, price, tax_code):
    return {
        "description": description,
        "quantity": quantity,
        "unit_price": price,
        "tax_code": tax_code,
        "gl_account": "4930",
        "cost_centre": "1000",
    }


def approved_po(people, vendor_fields, lines):
    accounting_defaults_install(user=make_user("admin", superuser=True), profile="DE")
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "status": "active", **vendor_fields},
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=lines
    )
    return vendor, purchase_order_approve(po_id=po.id, user=people["approver"])


def enter_and_match(page: Page, po, number: str, printed: dict[str, str]) -> None:
    """Enter the invoice as the PO's lines with `printed` tax per code, reconcile it."""
    open_entry(page, po.po_number)
    field(page, "Invoice number").fill(number)
    field(page, "Invoice date").fill(dt.date.today().isoformat())
    rows = page.locator("#printed-tax tbody tr")
    for n in range(rows.count()):
        code = field(page, f"Tax code {n + 1}").input_value()
        if code in printed:
            field(page, f"Printed tax {n + 1}").fill(printed[code])
    assert {
        field(page, f"Tax code {n + 1}").input_value() for n in range(rows.count())
    } >= set(printed)
    page.get_by_role("button", name="Enter invoice").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invoice {number} entered")
    page.get_by_role("button", name="Reconcile now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matched")
    page.reload()


def show_journal(page: Page) -> None:
    today = dt.date.today().isoformat()
    page.goto("/reports/journal/")
    field(page, "From").fill(today)
    field(page, "To").fill(today)
    page.get_by_role("button", name="Show").click()


def test_a_19_and_7_percent_invoice_reaches_the_ledger_ageing_and_journal(desk, people):
    vendor, po = approved_po(
        people,
        {"name": "Müller Bürobedarf GmbH"},
        [
            coded("Paper", "10", "100.00", "V19"),  # 1,000.00 + 190.00
            coded("Coffee", "5", "20.00", "V7"),  # 100.00 + 7.00
        ],
    )
    clerk = desk("clerk")
    enter_and_match(clerk, po, "RE-2026-190", {"V19": "190.00", "V7": "7.00"})

    breakdown = clerk.get_by_role("region", name="VAT breakdown")
    expect(breakdown.get_by_role("row", name="V19")).to_contain_text("190.00")
    expect(breakdown.get_by_role("row", name="V7")).to_contain_text("7.00")
    expect(breakdown.get_by_role("row", name="Gross")).to_contain_text("EUR 1,297.00")
    clerk.screenshot(path=SCREENSHOTS / "tax-breakdown-19-7.png", full_page=True)

    clerk.goto(f"/vendors/{vendor.id}/ledger/")
    invoice_row = clerk.get_by_role("region", name="Entries").get_by_role(
        "row", name="RE-2026-190"
    )
    expect(invoice_row).to_contain_text("Invoice")
    expect(invoice_row.locator("td").nth(4)).to_have_text("EUR 1,297.00")  # credit
    expect(invoice_row.locator("td").nth(5)).to_have_text("EUR -1,297.00")
    expect(
        clerk.get_by_role("region", name="Balance").get_by_text("EUR -1,297.00")
    ).to_be_visible()
    clerk.screenshot(path=SCREENSHOTS / "vendor-ledger.png", full_page=True)

    clerk.goto("/reports/ageing/")
    clerk.get_by_role("button", name="Recompute now").click()
    vendor_row = clerk.get_by_role("row", name="Müller Bürobedarf GmbH")
    expect(vendor_row.locator("td").nth(0)).to_have_text("1,297.00")  # not due
    expect(vendor_row.locator("td").last).to_have_text("1,297.00")
    clerk.screenshot(path=SCREENSHOTS / "ap-ageing.png", full_page=True)
    vendor_row.get_by_role("link", name="Müller Bürobedarf GmbH").click()
    expect(clerk.get_by_role("row", name="RE-2026-190")).to_contain_text("EUR 1,297.00")

    show_journal(clerk)
    expect(clerk.get_by_text("debits 1,297.00 = credits 1,297.00")).to_be_visible()
    entry = clerk.get_by_role("article", name="Entry RE-2026-190")
    expense = entry.get_by_role("row").filter(has_text="4930")
    expect(expense).to_have_count(2)
    expect(expense.filter(has_text="V19")).to_contain_text("1,000.00")
    expect(expense.filter(has_text="V7")).to_contain_text("100.00")
    expect(entry.get_by_role("row", name="1576")).to_contain_text("190.00")
    expect(entry.get_by_role("row", name="1571")).to_contain_text("7.00")
    control = entry.get_by_role("row", name="1600")
    expect(control.locator("td").nth(6)).to_have_text("1,297.00")  # credit
    footer = entry.locator("tfoot tr")
    expect(footer.locator("td").nth(0)).to_have_text("1,297.00")
    expect(footer.locator("td").nth(1)).to_have_text("1,297.00")
    clerk.screenshot(path=SCREENSHOTS / "journal-19-7.png", full_page=True)


def test_a_reverse_charge_invoice_charges_no_tax_and_self_assesses_it(
    desk, people, settings
):
    settings.COMPANY_VAT_ID = "DE811907980"
    vendor, po = approved_po(
        people,
        {
            "name": "Bureau Fournitures SA",
            "vat_id": "FR40303265045",
            "tax_country": "FR",
        },
        [coded("Consulting", "1", "500.00", "RC19")],
    )
    clerk = desk("clerk")
    enter_and_match(clerk, po, "FA-2026-77", {"RC19": "0.00"})

    breakdown = clerk.get_by_role("region", name="VAT breakdown")
    rc = breakdown.get_by_role("row", name="RC19")
    expect(rc.locator("td").nth(3)).to_have_text("500.00")  # base
    expect(rc.locator("td").nth(4)).to_have_text("0.00")  # tax charged
    expect(breakdown.get_by_role("row", name="Gross")).to_contain_text("EUR 500.00")
    expect(breakdown).to_contain_text("self-assesses EUR 95.00")
    clerk.screenshot(path=SCREENSHOTS / "tax-reverse-charge.png", full_page=True)

    show_journal(clerk)
    entry = clerk.get_by_role("article", name="Entry FA-2026-77")
    expect(entry.get_by_role("row", name="1577").locator("td").nth(5)).to_have_text(
        "95.00"
    )  # debit: input VAT self-assessed
    expect(entry.get_by_role("row", name="1787").locator("td").nth(6)).to_have_text(
        "95.00"
    )  # credit: output VAT owed
    expect(entry.get_by_role("row", name="1600").locator("td").nth(6)).to_have_text(
        "500.00"
    )
    expect(clerk.get_by_text("debits 595.00 = credits 595.00")).to_be_visible()
    clerk.screenshot(path=SCREENSHOTS / "journal-reverse-charge.png", full_page=True)
