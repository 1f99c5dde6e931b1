"""
Issue 14, items 3 and 6 as a person meets them: closing a PO goes through a
confirmation that says what is still outstanding, and a rejected PO is copied
from the requester's dashboard to a new one. The pages these add or change
pass the page checks at both widths (tests/browser/page_checks.py).
"""

import re

import pytest
from playwright.sync_api import expect

from purchasing.selectors import purchase_order_get
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_reject,
    purchase_order_send,
)
from tests.browser.page_checks import (
    LAPTOP,
    TABLET,
    csp_violations,
    page_problems,
)
from tests.conftest import VALID_VENDOR
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


@pytest.fixture
def orders(people):
    """A sent PO with line 1 received, and a rejected PO of the requester."""
    clerk, requester = people["clerk"], people["requester"]
    vendor = vendor_create(user=clerk, fields={**VALID_VENDOR, "status": "active"})
    lines = [
        {"description": "Office chairs", "quantity": "10", "unit_price": "400.00"},
        {"description": "Desk lamps", "quantity": "20", "unit_price": "45.00"},
    ]
    sent = purchase_order_create(user=requester, vendor_id=vendor.id, lines=lines)
    purchase_order_approve(po_id=sent.id, user=people["approver"])
    purchase_order_send(po_id=sent.id, user=requester)
    purchase_order_receive(po_id=sent.id, user=clerk, quantities={1: "10"})
    rejected = purchase_order_create(user=requester, vendor_id=vendor.id, lines=lines)
    purchase_order_reject(
        po_id=rejected.id,
        user=people["approver"],
        reason="Chairs come from the framework contract.",
    )
    return {"sent": sent, "rejected": rejected}


def test_closing_a_po_is_confirmed_and_names_what_is_outstanding(desk, orders):
    sent = orders["sent"]
    page = desk("clerk")
    page.goto(f"/purchase-orders/{sent.id}/")
    page.get_by_role("button", name="Close PO…").click()
    expect(page.get_by_role("heading", name=f"Close {sent.po_number}?")).to_be_visible()
    note = page.get_by_role("note")
    expect(note).to_contain_text("Not fully received: line 2.")
    expect(note).to_contain_text("Not fully invoiced: lines 1 and 2.")
    assert purchase_order_get(po_id=sent.id).status == "sent"  # nothing yet
    # Line 2 is not received: the close needs its reason (issue 21).
    expect(page.locator("#close-reason-needed")).to_contain_text(
        "A reason is required: Line 2 is not fully received"
    )
    page.get_by_label("Reason", exact=True).fill("The lamps are discontinued.")
    page.get_by_role("button", name=f"Close {sent.po_number}").click()
    expect(page.get_by_text(f"{sent.po_number} closed.")).to_be_visible()
    expect(page.get_by_text("by clerk: The lamps are discontinued.")).to_be_visible()
    assert purchase_order_get(po_id=sent.id).status == "closed"


def test_a_rejected_po_is_copied_from_the_dashboard_to_a_new_one(desk, orders):
    rejected = orders["rejected"]
    page = desk("requester")
    page.goto("/")
    work = page.locator("article.work", has_text="My rejected POs")
    expect(work).to_contain_text("Chairs come from the framework contract.")
    work.get_by_role("link", name="Copy to a new PO").click()
    expect(page.get_by_role("note")).to_contain_text(f"A copy of {rejected.po_number}")
    expect(page.get_by_label("Line 1 description")).to_have_value("Office chairs")
    page.get_by_label("Line 1 description").fill("Office chairs (framework)")
    page.get_by_role("button", name="Raise purchase order").last.click()
    expect(page.get_by_text(re.compile(r"PO-\d{4}-\d{6} raised"))).to_be_visible()
    expect(page.get_by_role("link", name=rejected.po_number)).to_be_visible()
    expect(
        page.get_by_role("cell", name="Office chairs (framework)", exact=True)
    ).to_be_visible()


@pytest.mark.parametrize("viewport", [LAPTOP, TABLET], ids=["laptop", "tablet"])
def test_the_close_and_copy_pages_pass_the_page_checks(desk, orders, viewport):
    sent, rejected = orders["sent"], orders["rejected"]
    pages = [
        ("clerk", f"/purchase-orders/{sent.id}/"),
        ("clerk", f"/purchase-orders/{sent.id}/close/"),
        ("requester", "/"),
        ("requester", "/purchase-orders/rejected/"),
        ("requester", f"/purchase-orders/{rejected.id}/"),
        ("requester", f"/purchase-orders/new/?copy={rejected.id}"),
    ]
    problems = {}
    for who, path in pages:
        page = desk(who)
        page.set_viewport_size(viewport)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if found := page_problems(page, viewport, also=(csp_violations,)):
            problems[f"{who} on {path}"] = found
    assert not problems, problems
