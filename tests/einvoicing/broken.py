"""
Test builders: an official sample e-invoice altered to break one EN 16931
rule, for tests that need a document the rules refuse (or only warn about).

Each takes a document's bytes and its syntax and returns new bytes, the
rest of the document untouched (read and written with lxml).
"""

from decimal import Decimal
from pathlib import Path

from lxml import etree

from einvoicing.document import Syntax

_TESTS = Path(__file__).resolve().parent
# The samples vendored into the tests (branch wt-parse) when present, else
# the shared copy of the official CEN/TC 434 examples.
SAMPLES = (
    _TESTS / "samples"
    if (_TESTS / "samples").is_dir()
    else Path("/work/shared/einvoice/examples")
)

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

_CII_TOTALS = (
    "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
    "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
)

# Where each total (BG-22) is printed, by syntax.
TOTALS = {
    Syntax.UBL: {
        "line_total": "cac:LegalMonetaryTotal/cbc:LineExtensionAmount",  # BT-106
        "net_total": "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount",  # BT-109
        "tax_total": "cac:TaxTotal[cac:TaxSubtotal]/cbc:TaxAmount",  # BT-110
        "gross_total": "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount",  # BT-112
        "amount_due": "cac:LegalMonetaryTotal/cbc:PayableAmount",  # BT-115
    },
    Syntax.CII: {
        "line_total": _CII_TOTALS + "ram:LineTotalAmount",
        "net_total": _CII_TOTALS + "ram:TaxBasisTotalAmount",
        "tax_total": _CII_TOTALS + "ram:TaxTotalAmount",
        "gross_total": _CII_TOTALS + "ram:GrandTotalAmount",
        "amount_due": _CII_TOTALS + "ram:DuePayableAmount",
    },
}

# The first line's net amount (BT-131).
LINE_NET_AMOUNT = {
    Syntax.UBL: "(cac:InvoiceLine | cac:CreditNoteLine)[1]/cbc:LineExtensionAmount",
    Syntax.CII: "rsm:SupplyChainTradeTransaction/"
    "ram:IncludedSupplyChainTradeLineItem[1]/ram:SpecifiedLineTradeSettlement/"
    "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
}

NUMBER = {Syntax.UBL: "cbc:ID", Syntax.CII: "rsm:ExchangedDocument/ram:ID"}  # BT-1

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def samples(syntax: Syntax) -> list[Path]:
    """Return the official sample files of one syntax, by name."""
    return sorted((SAMPLES / syntax.value).glob("*.xml"))


def with_total_changed(
    xml: bytes, syntax: Syntax, *, total: str, by: Decimal = Decimal("1.00")
) -> bytes:
    """Return the document with one printed total (a key of TOTALS) moved `by`."""
    root = etree.fromstring(xml, _PARSER)
    _add(_one(root, TOTALS[syntax][total]), by)
    return _bytes(root)


def with_line_amount_changed(
    xml: bytes, syntax: Syntax, *, by: Decimal = Decimal("1.00")
) -> bytes:
    """
    Return the document with its first line's net amount (BT-131) moved
    `by`: the lines no longer add up to their total (BR-CO-10).
    """
    root = etree.fromstring(xml, _PARSER)
    _add(_one(root, LINE_NET_AMOUNT[syntax]), by)
    return _bytes(root)


def with_total_broken(xml: bytes, syntax: Syntax) -> bytes:
    """
    Return the document with its total with VAT (BT-112) one unit higher:
    it no longer equals net plus VAT (BR-CO-15), nor its amount due
    (BR-CO-16).
    """
    return with_total_changed(xml, syntax, total="gross_total")


def with_number(xml: bytes, syntax: Syntax, number: str) -> bytes:
    """
    Return the document, still valid, under another invoice number (BT-1):
    distinct documents from one sample, for the duplicate guard or a batch.
    """
    root = etree.fromstring(xml, _PARSER)
    _one(root, NUMBER[syntax]).text = number
    return _bytes(root)


def with_order_reference(xml: bytes, syntax: Syntax, reference: str) -> bytes:
    """
    Return the document, still valid, naming `reference` as the buyer's
    order (BT-13: a PO number), added where the document names none.
    """
    root = etree.fromstring(xml, _PARSER)
    if syntax == Syntax.UBL:
        found = root.xpath("cac:OrderReference/cbc:ID", namespaces=NS)
        if not found:
            order = etree.Element(f"{{{NS['cac']}}}OrderReference")
            found = [etree.SubElement(order, f"{{{NS['cbc']}}}ID")]
            _one(root, "cac:AccountingSupplierParty").addprevious(order)
    else:
        agreement = _one(
            root, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement"
        )
        found = agreement.xpath(
            "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", namespaces=NS
        )
        if not found:
            order = etree.SubElement(
                agreement, f"{{{NS['ram']}}}BuyerOrderReferencedDocument"
            )
            found = [etree.SubElement(order, f"{{{NS['ram']}}}IssuerAssignedID")]
    found[0].text = reference
    return _bytes(root)


def without_number(xml: bytes, syntax: Syntax) -> bytes:
    """Return the document without its invoice number (BT-1: BR-02)."""
    root = etree.fromstring(xml, _PARSER)
    element = _one(root, NUMBER[syntax])
    element.getparent().remove(element)
    return _bytes(root)


def with_warning(xml: bytes, syntax: Syntax) -> bytes:
    """
    Return the document with an element the rules only warn about: a UBL
    CopyIndicator (UBL-CR-004), a CII TestIndicator (CII-SR-002).
    """
    root = etree.fromstring(xml, _PARSER)
    if syntax == Syntax.UBL:
        copy = etree.Element(f"{{{NS['cbc']}}}CopyIndicator")
        copy.text = "false"
        _one(root, "cbc:ID").addprevious(copy)
    else:
        context = _one(root, "rsm:ExchangedDocumentContext")
        test = etree.Element(f"{{{NS['ram']}}}TestIndicator")
        etree.SubElement(test, f"{{{NS['udt']}}}Indicator").text = "false"
        context.insert(0, test)
    return _bytes(root)


def _add(element, amount: Decimal) -> None:
    printed = Decimal(element.text.strip())
    element.text = str((printed + amount).quantize(printed))


def _one(root, path: str):
    found = root.xpath(path, namespaces=NS)
    if not found:
        raise ValueError(f"{path} is not in this document")
    return found[0]


def _bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
