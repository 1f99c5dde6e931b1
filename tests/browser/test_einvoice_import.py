"""
E-invoices in a real browser (issue 18, "Done when"): an AP clerk uploads a
vendor's UBL e-invoice (the official example 4) naming an approved PO and sees it matched without
typing a line; an unknown seller's document waits in the inbox, and "Create
vendor from this e-invoice" opens the vendor form with the seller's name.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from accounting.services import accounting_code_create, accounting_defaults_install
from exchange_rates.services import exchange_rate_create
from tests.conftest import make_user
from tests.einvoicing.conftest import EXTRA_TAX_CODES
from tests.einvoicing.samples import sample_bytes
from tests.einvoicing.ways import UBL1, UBL4_SELLER_VAT_ID, ubl4_for_po
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


@pytest.fixture
def einvoice_books(people, settings):
    """The German profile's codes and one for each rate the samples use."""
    admin = make_user("admin", superuser=True)
    accounting_defaults_install(user=admin, profile="DE")
    settings.COMPANY_VAT_ID = "DE136695976"
    for code, name, rate, category in EXTRA_TAX_CODES:
        accounting_code_create(
            user=admin,
            kind="tax_code",
            fields={"code": code, "name": name, "rate": rate, "category": category},
        )


def import_files(page: Page, *paths) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Invoices", exact=True
    ).click()
    page.get_by_role("button", name="Import e-invoice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import e-invoices")
    page.get_by_label("E-invoice files").set_input_files(list(paths))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="What became of each file")).to_be_visible()


def test_an_einvoice_for_an_approved_po_is_imported_and_matched_without_typing(
    desk, people, einvoice_books, tmp_path
):
    exchange_rate_create(
        user=make_user("rates-admin", superuser=True),
        currency="DKK",
        valid_from=dt.date(2000, 1, 1),
        rate="0.134",
    )
    vendor = vendor_create(
        user=people["clerk"],
        fields={
            "name": "SellerCompany",
            "email": "billing@seller.example",
            "currency": "DKK",
            "payment_terms": "Net 30",
            "status": "active",
            "vat_id": UBL4_SELLER_VAT_ID,
        },
    )
    xml, po = ubl4_for_po(
        vendor=vendor, requester=people["requester"], approver=people["approver"]
    )
    upload = tmp_path / "seller-TOSL108.xml"
    upload.write_bytes(xml)
    page = desk("clerk")

    import_files(page, upload)

    outcome = page.get_by_role(
        "link", name=re.compile(r"of SellerCompany imported as invoice, waiting for")
    )
    expect(outcome).to_be_visible()
    outcome.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Received")
    expect(page.get_by_text(po.po_number).first).to_be_visible()
    page.get_by_role("button", name="Reconcile now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matched")
    expect(page.get_by_text("4,675.00").first).to_be_visible()


def test_an_unknown_seller_waits_in_the_inbox_and_prefills_the_vendor_form(
    desk, people, einvoice_books, tmp_path
):
    upload = tmp_path / "unknown-seller.xml"
    upload.write_bytes(sample_bytes(UBL1))
    page = desk("clerk")

    import_files(page, upload)

    expect(page.get_by_text(re.compile(r"sent to the inbox: "))).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Inbox", exact=True
    ).click()
    row = page.get_by_role("row").filter(has_text="unknown-seller.xml")
    expect(row).to_contain_text("Needs vendor")
    expect(row).to_contain_text("NL8200.98.395.B.01")
    row.get_by_role("link", name="unknown-seller.xml").click()
    page.get_by_role("button", name="Create vendor from this e-invoice").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New vendor")
    expect(page.get_by_label(re.compile(r"^Name( \*)?$"))).to_have_value("De Koksmaat")
    expect(
        page.get_by_text("From the e-invoice 12115118 of De Koksmaat")
    ).to_be_visible()
