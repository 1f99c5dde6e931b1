"""
Issue 17's vendor master in a browser: the form names a vendor with a similar
name as the clerk leaves the name field, takes a structured address with a
country chosen by name, and the second clerk sees that two vendors share the
IBAN before confirming it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import VALID_VENDOR
from vendors.services import vendor_bank_details_confirm, vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]

IBAN = "CH56 0483 5012 3456 7800 9"


def label(text: str):
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def test_a_clerk_enters_a_swiss_vendor_and_the_second_clerk_sees_the_shared_iban(
    desk, people
):
    first = vendor_create(
        user=people["clerk2"],
        fields={**VALID_VENDOR, "name": "Bergkristall Werkzeuge AG", "iban": IBAN},
    )
    vendor_bank_details_confirm(
        vendor_id=first.id, user=people["clerk"], version=first.version
    )

    clerk = desk("clerk")
    clerk.goto("/vendors/new/")
    clerk.get_by_label(label("Name")).fill("Bergkristall Werkzeuge GmbH")
    clerk.get_by_label(label("E-mail")).focus()  # leaving the name: the live check
    note = clerk.locator("#similar-names")
    expect(note).to_contain_text(
        "Vendor “Bergkristall Werkzeuge AG” has a similar name"
    )
    expect(
        note.get_by_role("link", name="Open “Bergkristall Werkzeuge AG”")
    ).to_be_visible()

    clerk.get_by_label(label("E-mail")).fill("ap@bergkristall.example")
    clerk.get_by_label(label("Street")).fill("Bahnhofstrasse")
    clerk.get_by_label(label("Building number")).fill("21")
    clerk.get_by_label(label("Postcode")).fill("8001")
    clerk.get_by_label(label("Town")).fill("Zürich")
    clerk.get_by_label(label("Country")).select_option(label="Switzerland (CH)")
    clerk.get_by_label(label("IBAN")).fill(IBAN)
    clerk.get_by_label(label("BIC")).fill("UBSWCHZH80A")
    clerk.get_by_role("button", name="Create vendor").click()
    expect(clerk.locator(".messages")).to_contain_text(
        "Vendor “Bergkristall Werkzeuge GmbH” created."
    )
    expect(clerk.get_by_text("8001 Zürich")).to_be_visible()

    second = desk("clerk2")
    second.goto(clerk.url)
    warnings = second.get_by_role("note", name="Check before paying")
    expect(warnings).to_contain_text(
        "2 vendors share this IBAN: Bergkristall Werkzeuge AG, "
        "Bergkristall Werkzeuge GmbH."
    )
    warnings.get_by_role("link", name="Open “Bergkristall Werkzeuge AG”").first.click()
    expect(
        second.get_by_role("heading", name=re.compile("^Bergkristall Werkzeuge AG"))
    ).to_be_visible()
