"""
Take in an uploaded e-invoice file safely: size, container, syntax.

`read_file` accepts a UBL 2.1 Invoice or CreditNote, a UN/CEFACT CII
CrossIndustryInvoice, or a Factur-X / ZUGFeRD PDF carrying one; it refuses
anything else with a message a clerk can act on. `einvoice_from_file` (and
`einvoice_from_xml`, for a stored document) read the XML into
`einvoicing.document.EInvoice`.

The XML is untrusted. lxml parses it without loading a DTD, resolving an
entity or touching the network, and a document carrying a DOCTYPE at all is
refused before anything reads it: e-invoices never need one, and refusing it
closes XXE and entity expansion ("billion laughs") whatever the parser does.
"""

import hashlib
import io
import logging

from django.conf import settings
from lxml import etree

from core.errors import TooLarge
from einvoicing.cii import read_cii
from einvoicing.document import Container, EInvoice, ReceivedFile, Syntax
from einvoicing.ubl import read_ubl
from einvoicing.xml_values import refuse

logger = logging.getLogger(__name__)

UBL_INVOICE = "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
UBL_CREDIT_NOTE = (
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"
)
CII_INVOICE = (
    "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
)
ROOTS = {UBL_INVOICE: Syntax.UBL, UBL_CREDIT_NOTE: Syntax.UBL, CII_INVOICE: Syntax.CII}
ACCEPTED = (
    "a UBL 2.1 Invoice or CreditNote, a UN/CEFACT CII CrossIndustryInvoice "
    "(XRechnung, Factur-X, ZUGFeRD 2), or a Factur-X / ZUGFeRD PDF"
)
# The names Factur-X, ZUGFeRD 2.x and their XRechnung profile give the
# embedded XML (facturx.FACTURX_FILENAME, facturx.ZUGFERD_FILENAME, ...).
EMBEDDED_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml")

DOCTYPE_MESSAGE = (
    "E-invoices may not contain a DOCTYPE or entity declarations; this file "
    "has one and was not read. Ask the vendor to send the invoice without it."
)


def _parser() -> etree.XMLParser:
    # A parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(content: bytes) -> etree._Element:
    """The root of untrusted XML, parsed safely; a DOCTYPE or entity is refused."""
    head = content[:4096]
    # Before the parser sees it (ASCII-compatible encodings; the docinfo check
    # below covers the others).
    if b"<!DOCTYPE" in head or b"<!ENTITY" in content:
        raise refuse(DOCTYPE_MESSAGE)
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise refuse(
            "This file is not XML, so it cannot be an e-invoice "
            f"({str(exc)[:120]}). Accepted: {ACCEPTED}."
        ) from None
    except ValueError:
        raise refuse(f"This file is not XML. Accepted: {ACCEPTED}.") from None
    tree = root.getroottree()
    docinfo = tree.docinfo
    if (
        docinfo.doctype
        or docinfo.internalDTD is not None
        or docinfo.externalDTD is not None
    ):
        raise refuse(DOCTYPE_MESSAGE)
    return root


def syntax_of(root: etree._Element) -> Syntax:
    """The syntax the root element names; any other root is refused."""
    syntax = ROOTS.get(root.tag) if isinstance(root.tag, str) else None
    if syntax is None:
        qname = etree.QName(root)
        found = (
            f"'{qname.localname}' in namespace '{qname.namespace}'"
            if qname.namespace
            else f"'{qname.localname}' (no namespace)"
        )
        raise refuse(
            f"This XML is not an e-invoice this system reads: its root element is "
            f"{found}. Accepted: {ACCEPTED}."
        )
    return syntax


def read_file(*, filename: str, content: bytes) -> ReceivedFile:
    """Accept an uploaded e-invoice file (XML or Factur-X PDF), or refuse it."""
    limit = settings.INVOICE_ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise TooLarge(
            f"The file {filename} is {_size(len(content))}; e-invoices are at "
            f"most {_size(limit)}."
        )
    sha256 = hashlib.sha256(content).hexdigest()
    if content.lstrip()[:5] == b"%PDF-":
        xml = _embedded_xml(content, limit)
        container, pdf = Container.FACTURX_PDF, content
    else:
        xml, container, pdf = content, Container.XML, None
    syntax = syntax_of(parse_xml(xml))
    return ReceivedFile(
        syntax=syntax, container=container, xml=xml, pdf=pdf, sha256=sha256,
        filename=filename,
    )  # fmt: skip


def einvoice_from_xml(xml: bytes) -> EInvoice:
    """Read e-invoice XML (parsed once, safely) into an EInvoice."""
    root = parse_xml(xml)
    if syntax_of(root) is Syntax.UBL:
        return read_ubl(root)
    return read_cii(root)


def einvoice_from_file(received: ReceivedFile) -> EInvoice:
    """Read an accepted file's XML into an EInvoice."""
    return einvoice_from_xml(received.xml)


def _embedded_xml(pdf: bytes, limit: int) -> bytes:
    """The invoice XML a Factur-X / ZUGFeRD PDF carries, or a refusal."""
    # pypdf directly, as facturx.get_xml_from_pdf does, rather than that
    # function: it parses the attachment with lxml's default parser, which
    # expands internal entities, before this module could refuse a DOCTYPE.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachment_list
        found = None
        for attachment in attachments:
            if (attachment.name or "").lower() in EMBEDDED_XML_NAMES:
                found = attachment.content
                break
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.info("Unreadable PDF offered as an e-invoice: %s", exc)
        raise refuse(
            "This PDF could not be read (it is damaged or encrypted), so no "
            "e-invoice could be taken from it. Ask the vendor to send it again."
        ) from None
    if not found:
        raise refuse(
            "This PDF carries no Factur-X / ZUGFeRD invoice XML; it is a plain "
            "PDF invoice. Enter it by hand, or ask the vendor for the e-invoice."
        )
    if len(found) > limit:
        raise TooLarge(
            f"The invoice XML inside this PDF is {_size(len(found))}; e-invoices "
            f"are at most {_size(limit)}."
        )
    return found


def _size(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    return f"{size / 1024:.0f} KB" if size >= 1024 else f"{size} bytes"
