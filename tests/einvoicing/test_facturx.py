"""A Factur-X / ZUGFeRD PDF: its embedded CII read like the XML alone, the PDF kept."""

import hashlib
import io

import pytest
from pypdf import PdfWriter

from core.errors import ValidationFailed
from einvoicing.document import Container, Syntax
from einvoicing.reading import einvoice_from_file, einvoice_from_xml, read_file
from tests.einvoicing.samples import blank_pdf, facturx_pdf, sample_bytes

# Pure: the same on either backend, so run once (tests/conftest.py).
pytestmark = pytest.mark.backend_free


@pytest.mark.parametrize("name", ["CII_example1.xml", "CII_example5.xml"])
def test_a_facturx_pdf_reads_exactly_like_its_xml_and_keeps_the_pdf(name):
    xml = sample_bytes(name)
    pdf = facturx_pdf(xml)

    received = read_file(filename="invoice.pdf", content=pdf)

    assert received.container is Container.FACTURX_PDF
    assert received.syntax is Syntax.CII
    assert received.pdf == pdf
    assert received.xml == xml
    assert received.sha256 == hashlib.sha256(pdf).hexdigest()
    assert einvoice_from_file(received) == einvoice_from_xml(xml)


def test_the_facturx_example1_gives_its_payable_amount_and_lines():
    received = read_file(
        filename="invoice.pdf", content=facturx_pdf(sample_bytes("CII_example1.xml"))
    )

    invoice = einvoice_from_file(received)

    assert str(invoice.totals.amount_due) == "250.33"
    assert invoice.seller.name == "De Koksmaat"
    assert len(invoice.lines) == 20


def test_a_plain_pdf_is_refused_as_carrying_no_invoice_xml():
    with pytest.raises(ValidationFailed) as refused:
        read_file(filename="scan.pdf", content=blank_pdf())

    assert refused.value.message.startswith(
        "This PDF carries no Factur-X / ZUGFeRD invoice XML; "
    )
    assert refused.value.field_errors == {"file": refused.value.message}


def test_a_pdf_carrying_another_attachment_only_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("terms.xml", b"<terms/>")
    out = io.BytesIO()
    writer.write(out)

    with pytest.raises(ValidationFailed) as refused:
        read_file(filename="invoice.pdf", content=out.getvalue())

    assert "carries no Factur-X / ZUGFeRD invoice XML" in refused.value.message


def test_an_embedded_xml_with_a_doctype_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment(
        "factur-x.xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<x>&xxe;</x>",
    )
    out = io.BytesIO()
    writer.write(out)

    with pytest.raises(ValidationFailed) as refused:
        read_file(filename="invoice.pdf", content=out.getvalue())

    assert refused.value.message.startswith(
        "E-invoices may not contain a DOCTYPE or entity declarations"
    )


def test_a_damaged_pdf_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        read_file(filename="invoice.pdf", content=b"%PDF-1.7\n garbage")

    assert refused.value.message.startswith("This PDF could not be read")


def test_a_zugferd_named_attachment_is_read_too():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("ZUGFeRD-invoice.xml", sample_bytes("CII_example4.xml"))
    out = io.BytesIO()
    writer.write(out)

    received = read_file(filename="zugferd.pdf", content=out.getvalue())

    assert received.container is Container.FACTURX_PDF
    assert str(einvoice_from_file(received).totals.amount_due) == "4675"


def test_the_names_looked_for_include_the_factur_x_librarys_own():
    from facturx.facturx import FACTURX_FILENAME, ZUGFERD_FILENAME

    from einvoicing.reading import EMBEDDED_XML_NAMES

    assert FACTURX_FILENAME.lower() in EMBEDDED_XML_NAMES
    assert ZUGFERD_FILENAME.lower() in EMBEDDED_XML_NAMES
