"""The official CII samples read with the values they print."""

import datetime as dt
from decimal import Decimal as D

import pytest
from lxml import etree

from einvoicing.cii import NS
from einvoicing.document import EInvoiceType, Syntax
from einvoicing.reading import einvoice_from_xml
from tests.einvoicing.samples import sample_bytes

# Pure: the same on either backend, so run once (tests/conftest.py).
pytestmark = pytest.mark.backend_free


def read(name):
    return einvoice_from_xml(sample_bytes(name))


# name, number, currency, seller, lines,
# BT-106, BT-109, BT-110, BT-112, BT-113, BT-115 as printed in each file.
CII_SAMPLES = [
    ("CII_example1.xml", "12115118", "EUR", "De Koksmaat", 20,
     "229.6", "229.6", "20.73", "250.33", None, "250.33"),
    ("CII_example2.xml", "TOSL108", "NOK", "Salescompany ltd.", 5,
     "1436.5", "1436.5", "365.28", "1801.78", "1000", "801.78"),
    ("CII_example3.xml", "TOSL108", "DKK", "SubscriptionSeller", 1,
     "800", "900", "225", "1125", None, "1125"),
    ("CII_example4.xml", "TOSL110", "DKK", "SellerCompany", 3,
     "4000", "4000", "675", "4675", None, "4675"),
    ("CII_example5.xml", "TOSL110", "DKK", "SellerCompany", 3,
     "4000.00", "4000", "675.00", "4675", "2337.5", "2337.5"),
]  # fmt: skip


@pytest.mark.parametrize(
    "name,number,currency,seller,line_count,line_total,net,tax,gross,prepaid,payable",
    CII_SAMPLES,
    ids=[row[0] for row in CII_SAMPLES],
)
def test_every_cii_sample_reads_with_its_printed_totals(
    name, number, currency, seller, line_count, line_total, net, tax, gross, prepaid,
    payable,
):  # fmt: skip
    invoice = read(name)

    assert invoice.syntax is Syntax.CII
    assert invoice.document_type is EInvoiceType.INVOICE
    assert (invoice.type_code, invoice.number, invoice.currency) == (
        "380", number, currency,
    )  # fmt: skip
    assert invoice.seller.name == seller
    assert len(invoice.lines) == line_count
    totals = invoice.totals
    assert totals.line_total == D(line_total)
    assert totals.net_total == D(net)
    assert totals.tax_total == D(tax)
    assert totals.gross_total == D(gross)
    assert totals.prepaid == (D(prepaid) if prepaid else None)
    assert str(totals.amount_due) == payable


def test_example1_reads_like_its_ubl_twin():
    cii, ubl = (
        read("CII_example1.xml"),
        einvoice_from_xml(sample_bytes("ubl-tc434-example1.xml")),
    )

    assert cii.issue_date == ubl.issue_date == dt.date(2015, 1, 9)
    assert cii.due_date == dt.date(2015, 1, 9)
    assert cii.seller.vat_id == ubl.seller.vat_id == "NL8200.98.395.B.01"
    assert cii.iban == "NL57 RABO 0107307510"
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in cii.vat_breakdown] == [
        (v.rate, v.taxable_amount, v.tax_amount) for v in ubl.vat_breakdown
    ]
    assert [(line.line_id, line.net_amount) for line in cii.lines] == [
        (line.line_id, line.net_amount) for line in ubl.lines
    ]
    first = cii.lines[0]
    assert (first.name, first.quantity, first.unit_code, first.net_price) == (
        "PATAT FRITES 10MM 10KG", D("2"), "H87", D("9.95"),
    )  # fmt: skip


def test_example5_parties_references_payment_and_allowances():
    invoice = read("CII_example5.xml")

    assert invoice.order_reference == "PO4711"
    assert invoice.sales_order_reference == "123"
    assert invoice.preceding_invoice == "TOSL109"
    assert invoice.buyer_reference == "qwerty"
    assert invoice.payment_terms == "50% prepaid, 50% within one month"
    assert invoice.due_date == dt.date(2013, 5, 10)
    assert invoice.delivery_date == dt.date(2013, 4, 15)
    assert (invoice.tax_currency, invoice.tax_total_in_tax_currency) == (
        "EUR", D("628.62"),
    )  # fmt: skip
    assert invoice.payment_reference == "Payref1"
    assert invoice.iban == "DK1212341234123412"
    seller = invoice.seller
    assert (seller.vat_id, seller.tax_registration, seller.legal_id) == (
        "NL16356706", "NL16356706", "NL16356706",
    )  # fmt: skip
    assert seller.trading_name == "SelCo"
    assert seller.electronic_address == "info@selco.nl"
    assert seller.address.street == "Hoofdstraat 4"
    assert seller.address.additional == "Om de hoek"
    assert seller.contact_email == "Anthon@Selco.nl"
    assert invoice.buyer.name == "Buyercompany ltd"
    assert invoice.buyer.vat_id == "DK16356607"
    assert [(ac.is_charge, ac.amount, ac.reason_code, ac.base_amount, ac.percentage)
            for ac in invoice.allowances_charges] == [
        (False, D("150"), "95", D("1500"), D("10")),
        (True, D("150"), "ABL", D("1500"), D("10")),
    ]  # fmt: skip
    paper = invoice.lines[0]
    assert paper.order_line_reference == "1"
    assert (paper.gross_price, paper.net_price, paper.price_base_quantity) == (
        D("1.1"), D("1"), D("1"),
    )  # fmt: skip
    assert paper.note == "first line"
    assert paper.description == "Printing paper, 2mm"


def test_line_allowances_and_charges_are_summed_signed():
    # Line 1 of example 5: an allowance of 100 and a charge of 100; make the
    # charge 30 (the price discount on the gross price is not one of them).
    root = etree.fromstring(sample_bytes("CII_example5.xml"))
    line = root.find(".//ram:IncludedSupplyChainTradeLineItem", NS)
    charges = line.findall(
        "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge", NS
    )
    charges[1].find("ram:ActualAmount", NS).text = "30.50"

    invoice = einvoice_from_xml(etree.tostring(root))

    assert invoice.lines[0].allowances_charges_total == D("-69.50")
    assert invoice.lines[1].allowances_charges_total == D("0")


def test_a_minimum_profile_without_lines_reads_what_it_carries():
    root = etree.fromstring(sample_bytes("CII_example3.xml"))
    root.find(
        "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        NS,
    ).text = "urn:factur-x.eu:1p0:minimum"
    transaction = root.find("rsm:SupplyChainTradeTransaction", NS)
    for line in transaction.findall("ram:IncludedSupplyChainTradeLineItem", NS):
        transaction.remove(line)
    summation = transaction.find(
        "ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation",
        NS,
    )
    summation.remove(summation.find("ram:LineTotalAmount", NS))

    invoice = einvoice_from_xml(etree.tostring(root))

    assert invoice.specification == "urn:factur-x.eu:1p0:minimum"
    assert invoice.lines == ()
    assert invoice.totals.net_total == D("900")
    assert invoice.totals.amount_due == D("1125")
    # No BT-106: the net total less the charge (100) is what it would print.
    assert invoice.totals.line_total == D("800")


@pytest.mark.parametrize("code", ["381", "261", "396", "532"])
def test_credit_type_codes_read_as_credit_notes(code):
    xml = sample_bytes("CII_example4.xml").replace(
        b"<ram:TypeCode>380</ram:TypeCode>",
        f"<ram:TypeCode>{code}</ram:TypeCode>".encode(),
        1,
    )

    invoice = einvoice_from_xml(xml)

    assert (invoice.type_code, invoice.document_type) == (
        code, EInvoiceType.CREDIT_NOTE,
    )  # fmt: skip


def test_a_document_without_its_number_is_refused_naming_the_term():
    from core.errors import ValidationFailed

    root = etree.fromstring(sample_bytes("CII_example4.xml"))
    document = root.find("rsm:ExchangedDocument", NS)
    document.remove(document.find("ram:ID", NS))

    with pytest.raises(ValidationFailed) as refused:
        einvoice_from_xml(etree.tostring(root))

    assert refused.value.message == "The e-invoice has no invoice number (BT-1)."
