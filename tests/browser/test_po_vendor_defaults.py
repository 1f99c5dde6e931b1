"""
Choosing a new PO's vendor preselects its default codes on the lines (an htmx
request that redraws them); what a requester types while that request is on
its way is kept, not replaced by the redrawn empty rows.
"""

import pytest
from playwright.sync_api import expect

from accounting.services import accounting_defaults_install
from tests.browser.test_procure_to_pay import field, fill_line, flash, nav
from tests.conftest import VALID_VENDOR, make_user
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def test_lines_typed_while_the_vendors_codes_load_are_kept(desk, people):
    accounting_defaults_install(user=make_user("admin", superuser=True), profile="DE")
    vendor_create(
        user=people["clerk"],
        fields={
            **VALID_VENDOR,
            "status": "active",
            "default_tax_code": "V7",
            "default_gl_account": "4980",
            "default_cost_centre": "4100",
        },
    )
    page = desk("requester")
    nav(page, "Purchase orders")
    page.get_by_role("button", name="New purchase order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New purchase order")

    # The vendor's codes arrive only after the line is typed.
    def slow(route):
        if route.request.headers.get("hx-request"):
            page.wait_for_timeout(800)
        route.continue_()

    page.route("**/purchase-orders/new/", slow)
    with page.expect_response(lambda r: r.request.headers.get("hx-request")):
        field(page, "Vendor").select_option(label=VALID_VENDOR["name"])
        fill_line(page, 1, "Desk lamps", "4", "25.00")
    page.unroute("**/purchase-orders/new/")

    expect(page.get_by_label("Line 1 description")).to_have_value("Desk lamps")
    expect(page.get_by_label("Line 1 quantity")).to_have_value("4")
    expect(page.get_by_label("Line 1 unit price")).to_have_value("25.00")
    expect(page.get_by_label("Line 1 tax code")).to_have_value("V7")
    expect(page.get_by_label("Line 2 cost centre")).to_have_value("4100")
    page.get_by_role("button", name="Raise purchase order").last.click()
    expect(flash(page)).to_contain_text("raised; it now awaits approval.")
