"""Helpers of the ways-in tests: a sample naming a PO whose lines agree with it."""

from lxml import etree

from einvoicing.reading import einvoice_from_xml
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.einvoicing.samples import sample_bytes

UBL1 = "ubl-tc434-example1.xml"  # De Koksmaat, 20 lines at 6 % and 21 %, EUR 250.33
UBL1_SELLER_VAT_ID = "NL820098395B01"
# SellerCompany, 3 positive lines at 25 % and 12 %, DKK 4,675.00: its lines
# can agree with a PO (example 1's last line nets negative, -109.98). Its
# VAT id DK16356706 fails the check digits a vendor's must pass: the tests
# give it a valid one.
UBL4 = "ubl-tc434-example4.xml"
UBL4_SELLER_VAT_ID = "DK13585628"


def with_seller_vat_id(xml: bytes, vat_id: str) -> bytes:
    """A UBL invoice whose seller's VAT id (BT-31) is `vat_id`."""
    root = etree.fromstring(xml)
    path = f"{{{CAC}}}AccountingSupplierParty/{{{CAC}}}Party/{{{CAC}}}PartyTaxScheme/{{{CBC}}}CompanyID"
    root.find(path).text = vat_id
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def ubl4_for_po(*, vendor, requester, approver) -> tuple[bytes, object]:
    """UBL example 4 of `vendor` (UBL4_SELLER_VAT_ID) naming an agreeing PO."""
    xml = with_seller_vat_id(sample_bytes(UBL4), UBL4_SELLER_VAT_ID)
    po = agreeing_po(xml, vendor=vendor, requester=requester, approver=approver)
    return with_order_reference(xml, po.po_number), po


UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
CBC = UBL + "CommonBasicComponents-2"
CAC = UBL + "CommonAggregateComponents-2"


def with_order_reference(xml: bytes, number: str) -> bytes:
    """A UBL invoice with its order reference (BT-13) set to `number`."""
    root = etree.fromstring(xml)
    reference = root.find(f"{{{CAC}}}OrderReference")
    if reference is None:
        reference = etree.Element(f"{{{CAC}}}OrderReference")
        etree.SubElement(reference, f"{{{CBC}}}ID")
        root.find(f"{{{CAC}}}AccountingSupplierParty").addprevious(reference)
    reference.find(f"{{{CBC}}}ID").text = number
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def with_seller_name(xml: bytes, name: str) -> bytes:
    """A UBL invoice whose seller (BT-27) is called `name`."""
    root = etree.fromstring(xml)
    path = f"{{{CAC}}}AccountingSupplierParty/{{{CAC}}}Party/{{{CAC}}}PartyLegalEntity/{{{CBC}}}RegistrationName"
    root.find(path).text = name
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def agreeing_po(xml: bytes, *, vendor, requester, approver):
    """An approved PO of `vendor` with the document's lines (quantity, net price)."""
    document = einvoice_from_xml(xml)
    po = purchase_order_create(
        user=requester,
        vendor_id=vendor.id,
        lines=[
            {
                "description": line.name,
                "quantity": str(line.quantity),
                "unit_price": str(line.net_price),
            }
            for line in document.lines
        ],
        currency=document.currency,
    )
    return purchase_order_approve(po_id=po.id, user=approver)


def ubl1_for_po(*, vendor, requester, approver) -> tuple[bytes, object]:
    """UBL example 1 naming an agreeing PO of `vendor`, and that PO."""
    xml = sample_bytes(UBL1)
    po = agreeing_po(xml, vendor=vendor, requester=requester, approver=approver)
    return with_order_reference(xml, po.po_number), po
