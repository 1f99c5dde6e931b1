"""
Entering an invoice, and correcting a form, in a real browser (issue 14):
the vendor's file survives a wrong printed total (item 1), and after a
refused submit the keyboard is in the first field in error (item 16).
"""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from purchasing.services import purchase_order_approve, purchase_order_create
from tests.conftest import VALID_VENDOR
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
ATTACHMENT = "Vendor's invoice (PDF, PNG or JPEG, at most 10 MB)"


@pytest.fixture
def po(people):
    """An approved PO of an active vendor: 10 x 100.00 and 5 x 20.00 = 1,100.00."""
    vendor = vendor_create(
        user=people["clerk"], fields={**VALID_VENDOR, "status": "active"}
    )
    po = purchase_order_create(
        user=people["requester"],
        vendor_id=vendor.id,
        lines=[
            {"description": "Paper", "quantity": "10", "unit_price": "100.00"},
            {"description": "Toner", "quantity": "5", "unit_price": "20.00"},
        ],
    )
    return purchase_order_approve(po_id=po.id, user=people["approver"])


def field(page: Page, label: str):
    """The form field of this label, exactly (a required one's label ends in " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def open_entry(page: Page, po_number: str) -> None:
    """Find the PO by its number, as the clerk reads it off the vendor's invoice."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Invoices", exact=True
    ).click()
    page.get_by_role("button", name="Enter an invoice").click()
    field(page, "PO number").fill(po_number)
    page.get_by_role("button", name="Find PO").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Invoice against {po_number}"
    )


def in_view(page: Page) -> bool:
    """Whether the focused field is inside the window, without scrolling."""
    return page.evaluate(
        "() => { const r = document.activeElement.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def test_the_vendors_file_survives_a_wrong_total_and_is_attached_after_the_fix(
    desk, po, tmp_path
):
    page = desk("clerk")
    open_entry(page, po.po_number)
    field(page, "Invoice number").fill("RE-2026-118")
    field(page, "Invoice date").fill(timezone.localdate().isoformat())
    scan = tmp_path / "rechnung-118.pdf"
    scan.write_bytes(PDF)
    field(page, ATTACHMENT).set_input_files(scan)
    field(page, "Invoice total").fill("1200.00")  # misread from the paper
    page.get_by_role("button", name="Enter invoice").click()

    expect(page.get_by_role("alert")).to_contain_text("correct the highlighted")
    kept = page.get_by_role("note").filter(has_text="Attached:")
    expect(kept).to_have_text(
        "Attached: rechnung-118.pdf (kept from your last try) — "
        "choose another file to replace it."
    )
    # Item 16: the keyboard waits in the total, the field to fix.
    expect(field(page, "Invoice total")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("1100.00")
    page.get_by_role("button", name="Enter invoice").click()

    expect(page.get_by_role("status")).to_contain_text("Invoice RE-2026-118 entered")
    document = page.get_by_role("link", name="rechnung-118.pdf")
    with page.expect_download() as download:
        document.click()
    assert download.value.suggested_filename == "rechnung-118.pdf"
    assert open(download.value.path(), "rb").read() == PDF


def test_focus_goes_to_the_first_field_in_error_not_the_first_field(desk):
    page = desk("clerk")
    page.set_viewport_size({"width": 1280, "height": 500})
    page.goto("/vendors/new/")
    field(page, "Name").fill("Nordwind Bürobedarf GmbH")
    field(page, "E-mail").fill("rechnungen@nordwind.example")
    field(page, "Payment terms").fill("Net 30")
    field(page, "IBAN").fill("DE00 1234 5678")  # far down the form, and wrong
    page.get_by_role("button", name="Create vendor").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(field(page, "IBAN")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "IBAN")).to_be_focused()
    assert in_view(page)


def test_a_filter_refused_in_place_puts_the_focus_in_the_field_to_fix(desk):
    page = desk("clerk")
    page.goto("/invoices/")
    field(page, "Entered from").fill("2026-03-10")
    field(page, "Entered to").fill("2026-03-01")
    page.evaluate("window.p2pSamePage = true")
    page.get_by_role("button", name="Filter").click()

    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    assert page.evaluate("window.p2pSamePage === true"), "a whole page was loaded"
    expect(field(page, "Entered to")).to_be_focused()
