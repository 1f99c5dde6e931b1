"""
The header's search as a person uses it (issue 14, item 8): a word inside a
vendor's name, or a part of a PO number, typed in the box at the top.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from purchasing.services import purchase_order_create
from tests.conftest import VALID_VENDOR, po_lines
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def search_for(page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Search vendors by name")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search")).to_contain_text(text)


def test_a_word_inside_a_name_and_a_part_of_a_po_number_find_them(desk, people):
    vendor = vendor_create(
        user=people["clerk"],
        fields={
            **VALID_VENDOR,
            "name": "Müller Werkzeuge GmbH",
            "tax_id": None,
            "status": "active",
        },
    )
    pos = [
        purchase_order_create(
            user=people["requester"],
            vendor_id=vendor.id,
            lines=po_lines(("1", "100.00")),
        )
        for _ in range(4)
    ]
    number = f"PO-{dt.date.today().year}-000004"
    assert pos[-1].po_number == number
    page = desk("clerk")

    search_for(page, "Werkzeuge")
    vendors = page.get_by_role("region", name="Vendors")
    vendors.get_by_role("link", name="Müller Werkzeuge GmbH").click()
    expect(page.get_by_role("heading", name="Müller Werkzeuge GmbH")).to_be_visible()

    search_for(page, "burobedarf")  # nothing of the kind: said plainly
    expect(page.get_by_text("Nothing found for “burobedarf”.")).to_be_visible()

    search_for(page, f"PO-{dt.date.today().year}-4")
    orders = page.get_by_role("region", name="Purchase orders")
    expect(orders.get_by_role("link")).to_have_text([number])
    expect(orders.get_by_text("Exact match")).to_be_visible()
    orders.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=number)).to_be_visible()
