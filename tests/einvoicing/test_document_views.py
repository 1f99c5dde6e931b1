"""The readable view of an invoice's e-invoice, rendered from its stored XML."""

import datetime as dt
import logging

import pytest
from django.test import Client

from core.documents import document_save
from einvoicing.selectors import invoice_einvoice
from invoicing.models import Invoice
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve
from tests.conftest import HTMX, htmx_fragment, whole_page
from tests.einvoicing.samples import sample_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def invoice(make_po, approver, clerk):
    po = purchase_order_approve(po_id=make_po(("1", "229.60")).id, user=approver)
    return invoice_create(
        user=clerk, po_id=po.id, invoice_number="12115118",
        invoice_date=dt.date(2015, 1, 9),
        lines=[{"description": "Groceries", "quantity": "1", "unit_price": "229.60",
                "po_line_number": 1}],
    )  # fmt: skip


def with_einvoice(invoice, xml: bytes, syntax: str = "ubl"):
    """The invoice with `xml` stored as its e-invoice (as the import service does)."""
    key = f"invoices/{invoice.id}/einvoice.xml"
    document_save(key=key, content=xml, content_type="application/xml")
    invoice.update(
        actions=[Invoice.einvoice_key.set(key), Invoice.einvoice_syntax.set(syntax)]
    )
    return invoice_get(invoice_id=invoice.id)


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def url(invoice) -> str:
    return f"/invoices/{invoice.id}/einvoice/"


def test_the_fragment_shows_seller_lines_payment_and_payable_amount(invoice, clerk):
    invoice = with_einvoice(invoice, sample_bytes("ubl-tc434-example1.xml"))

    response = logged_in(clerk).get(url(invoice), headers=HTMX)

    assert response.status_code == 200
    html = htmx_fragment(response, region="einvoice")
    assert "De Koksmaat" in html and "NL8200.98.395.B.01" in html
    assert "ODIN 59" in html and "HEEMSKERK" in html
    assert "PATAT FRITES 10MM 10KG" in html and "9.95" in html and "19.90" in html
    assert "EUR 250.33" in html
    assert "20.73" in html and "183.23" in html  # VAT total, a VAT category's base
    # The payee account is the vendor's own, printed on its document: in full.
    assert "NL57 RABO 0107307510" in html
    assert "Deb. 10202 / Fact. 12115118" in html
    assert "2015-01-09" in html


def test_a_cii_document_shows_its_allowances_and_order_reference(invoice, auditor):
    invoice = with_einvoice(invoice, sample_bytes("CII_example5.xml"), "cii")

    html = logged_in(auditor).get(url(invoice), headers=HTMX).content.decode()

    assert "SellerCompany" in html and "Printing paper" in html
    assert "PO4711" in html and "Loyal customer" in html and "Packaging" in html
    assert "DKK 2,337.50" in html
    assert "DK1212341234123412" in html


def test_without_javascript_the_link_gives_a_whole_page(invoice, clerk):
    invoice = with_einvoice(invoice, sample_bytes("ubl-tc434-example1.xml"))

    response = logged_in(clerk).get(url(invoice))

    html = whole_page(response, region="einvoice")
    assert f'href="/invoices/{invoice.id}/"' in html
    assert "EUR 250.33" in html


def test_the_invoice_page_loads_the_einvoice_section_only_when_it_has_one(
    invoice, clerk
):
    client = logged_in(clerk)
    page = client.get(f"/invoices/{invoice.id}/").content.decode()
    assert 'id="einvoice"' not in page

    invoice = with_einvoice(invoice, sample_bytes("ubl-tc434-example1.xml"))
    page = client.get(f"/invoices/{invoice.id}/").content.decode()

    assert f'hx-get="/invoices/{invoice.id}/einvoice/" hx-trigger="load"' in page
    assert f'<a href="/invoices/{invoice.id}/einvoice/">' in page


def test_an_invoice_without_einvoice_has_no_fragment(invoice, clerk):
    response = logged_in(clerk).get(url(invoice), headers=HTMX)

    assert response.status_code == 404
    assert "came with no e-invoice" in response.content.decode()


def test_a_user_without_a_role_may_not_read_it(invoice, nobody):
    invoice = with_einvoice(invoice, sample_bytes("ubl-tc434-example1.xml"))

    response = logged_in(nobody).get(url(invoice), headers=HTMX)

    assert response.status_code == 403
    assert "De Koksmaat" not in response.content.decode()


def test_document_text_is_escaped(invoice, clerk):
    xml = sample_bytes("ubl-tc434-example1.xml").replace(
        b"<cbc:RegistrationName>De Koksmaat</cbc:RegistrationName>",
        b"<cbc:RegistrationName>&lt;script&gt;alert('x')&lt;/script&gt; BV"
        b"</cbc:RegistrationName>",
    )
    invoice = with_einvoice(invoice, xml)

    html = logged_in(clerk).get(url(invoice), headers=HTMX).content.decode()

    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; BV" in html
    assert "<script>alert" not in html


def test_a_stored_file_that_no_longer_reads_is_shown_as_unreadable_and_logged(
    invoice, clerk, caplog
):
    invoice = with_einvoice(invoice, b"<Invoice>not an e-invoice</Invoice>")

    with caplog.at_level(logging.WARNING, logger="einvoicing.selectors"):
        assert invoice_einvoice(invoice=invoice) is None
        response = logged_in(clerk).get(url(invoice), headers=HTMX)

    assert f"The e-invoice stored for invoice {invoice.id}" in caplog.text
    assert response.status_code == 200
    assert "could not be read" in htmx_fragment(response, region="einvoice")


def test_the_selector_reads_the_stored_document(invoice):
    assert invoice_einvoice(invoice=invoice) is None

    invoice = with_einvoice(invoice, sample_bytes("CII_example1.xml"), "cii")

    einvoice = invoice_einvoice(invoice=invoice)
    assert (einvoice.number, str(einvoice.totals.amount_due)) == ("12115118", "250.33")
