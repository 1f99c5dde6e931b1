"""
The audit trail in a real browser, as an auditor reads it: looking a record
up by the number on the paper in front of them and a person by their name as
they would write it (issue 14, items 7 and 11).
"""

import pytest
from playwright.sync_api import Page, expect

from purchasing.services import purchase_order_create, purchase_order_update
from tests.audit.digest_helpers import digest, signing_configured
from tests.browser.test_procure_to_pay import column, field, filter_list
from tests.conftest import VALID_VENDOR, po_lines
from vendors.services import vendor_create, vendor_update

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


@pytest.fixture
def trail(people):
    """A vendor a clerk created and edited, and two POs of it a requester raised."""
    vendor = vendor_create(
        user=people["clerk"], fields={**VALID_VENDOR, "status": "active"}
    )
    vendor_update(
        vendor_id=vendor.id,
        user=people["clerk"],
        changes={"phone": "+49 30 7654321"},
        version=vendor.version,
    )
    first = purchase_order_create(
        user=people["requester"],
        vendor_id=vendor.id,
        lines=po_lines(("10", "390.00")),
    )
    first = purchase_order_update(
        po_id=first.id, user=people["requester"], version=first.version, notes="Rush"
    )
    second = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("1", "5.00"))
    )
    return vendor, first, second


def open_trail(page: Page) -> None:
    page.goto("/audit/")
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()


def test_auditor_finds_a_po_by_its_number_and_a_clerk_by_name_in_any_case(desk, trail):
    vendor, first, second = trail
    page = desk("auditor")
    open_trail(page)

    # The number as printed on the PO, typed in lower case, no record type.
    field(page, "Record").fill(first.po_number.lower())
    filter_list(page, "entity_id=")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert column(page, "Record")[0].startswith(first.po_number)
    assert {cell.split("\n")[0] for cell in column(page, "Record")} == {first.po_number}
    assert column(page, "Action") == ["UPDATE", "CREATE"]
    expect(page.get_by_role("link", name=second.po_number)).to_have_count(0)

    # A person's name as one would write it.
    field(page, "Record").fill("")
    field(page, "User").fill("Clerk")
    filter_list(page, "user_id=Clerk")
    assert column(page, "Who") == ["clerk", "clerk"]
    assert column(page, "Action") == ["UPDATE", "CREATE"]
    expect(page.get_by_text("No entry matches these filters")).to_have_count(0)

    # Both: the clerk did nothing to the PO.
    field(page, "Record").fill(first.po_number)
    filter_list(page, f"entity_id={first.po_number}")
    expect(page.get_by_text("No entry matches these filters")).to_be_visible()


def test_the_po_page_history_reads_as_people_talk_about_the_po(
    desk, trail, settings, tmp_path
):
    vendor, first, second = trail
    settings.AUDIT_DIGEST_LOCATION = ""
    page = desk("auditor")
    page.goto(f"/purchase-orders/{first.id}/")
    expect(page.get_by_text("Audit digests are not configured")).to_be_visible()
    history = page.locator("table.history")
    created = history.get_by_role("row").filter(has_text="CREATE")
    expect(created).to_contain_text(f"Vendor: {vendor.name}")
    expect(created).to_contain_text("Total: EUR 3,900.00")
    expect(created).to_contain_text("Line 1: description Item 1, quantity 10")
    expect(history).not_to_contain_text("vendor_id")
    expect(history).not_to_contain_text(vendor.id)
    updated = history.get_by_role("row").filter(has_text="UPDATE")
    expect(updated).to_contain_text("Notes: — → Rush")

    # Once a signed digest holds the PO's chain, its history says so, and
    # the full history page too.
    signing_configured(settings, tmp_path / "audit-digests")
    digest()
    page.goto(f"/purchase-orders/{first.id}/")
    anchored = page.get_by_text("Anchored: entries 1–2 are in audit digest #1")
    expect(anchored).to_be_visible()
    expect(anchored).to_contain_text("signature valid")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.goto(f"/audit/purchase_order/{first.id}/")
    expect(page.get_by_text("are in audit digest #1")).to_be_visible()
