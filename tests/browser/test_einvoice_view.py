"""
The e-invoice section of the invoice page (issue 18): loaded by htmx from the
stored XML, read as the vendor sent it.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from core.documents import document_save
from invoicing.models import Invoice
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.conftest import VALID_VENDOR, po_lines
from tests.einvoicing.samples import sample_bytes
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def test_the_invoice_page_shows_the_einvoice_as_the_vendor_sent_it(desk, people):
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": "De Koksmaat", "tax_id": None,
                "status": "active"},
    )  # fmt: skip
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("1", "229.60"))
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    invoice = invoice_create(
        user=people["clerk"], po_id=po.id, invoice_number="12115118",
        invoice_date=dt.date(2015, 1, 9), lines=po_lines(("1", "229.60")),
    )  # fmt: skip
    key = f"invoices/{invoice.id}/einvoice.xml"
    document_save(
        key=key,
        content=sample_bytes("CII_example1.xml"),
        content_type="application/xml",
    )
    invoice.update(
        actions=[Invoice.einvoice_key.set(key), Invoice.einvoice_syntax.set("cii")]
    )

    clerk = desk("clerk")
    clerk.goto(f"/invoices/{invoice.id}/")

    section = clerk.get_by_role("region", name="E-invoice")
    expect(section.get_by_role("article", name="Seller")).to_contain_text("De Koksmaat")
    expect(section.get_by_role("article", name="Buyer")).to_contain_text("ODIN 59")
    lines = section.get_by_role("table").first
    expect(lines.get_by_role("row")).to_have_count(21)  # the header and 20 lines
    expect(lines).to_contain_text("PATAT FRITES 10MM 10KG")
    totals = section.get_by_role("table", name="E-invoice totals")
    expect(totals.get_by_role("row", name="Amount due")).to_contain_text("EUR 250.33")
    expect(section).to_contain_text("NL57 RABO 0107307510")
    # Loaded in place: the link for a browser without JavaScript is gone.
    expect(
        section.get_by_role("link", name="Show the e-invoice as the vendor sent it")
    ).to_have_count(0)
