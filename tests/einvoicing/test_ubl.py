"""The official UBL samples read with the values they print."""

import datetime as dt
from decimal import Decimal as D

import pytest

from einvoicing.document import EInvoiceType, Syntax
from einvoicing.reading import einvoice_from_xml
from tests.einvoicing.samples import sample_bytes

# Pure: the same on either backend, so run once (tests/conftest.py).
pytestmark = pytest.mark.backend_free


def read(name):
    return einvoice_from_xml(sample_bytes(name))


# name, type, number, currency, seller, lines,
# BT-106, BT-109, BT-110, BT-112, BT-113, BT-115 as printed in each file.
UBL_SAMPLES = [
    ("ubl-tc434-creditnote1.xml", EInvoiceType.CREDIT_NOTE, "018304 / 28865", "EUR",
     "My Supplier Company", 1, "100.11", "100.11", "0.00", "100.11", None, "100.11"),
    ("ubl-tc434-example1.xml", EInvoiceType.INVOICE, "12115118", "EUR",
     "De Koksmaat", 20, "229.60", "229.60", "20.73", "250.33", None, "250.33"),
    ("ubl-tc434-example2.xml", EInvoiceType.INVOICE, "TOSL108", "NOK",
     "Salescompany ltd.", 5, "1436.50", "1436.50", "365.28", "1801.78", "1000.00",
     "801.78"),
    ("ubl-tc434-example3.xml", EInvoiceType.INVOICE, "TOSL108", "DKK",
     "SubscriptionSeller", 2, "1600.00", "1700.00", "305.00", "2005.00", None,
     "2005.00"),
    ("ubl-tc434-example4.xml", EInvoiceType.INVOICE, "TOSL110", "DKK",
     "SellerCompany", 3, "4000.00", "4000.00", "675.00", "4675.00", None, "4675.00"),
    ("ubl-tc434-example5.xml", EInvoiceType.INVOICE, "TOSL110", "DKK",
     "SellerCompany", 3, "4000.00", "4000.00", "675.00", "4675.00", "2337.50",
     "2337.50"),
]  # fmt: skip


@pytest.mark.parametrize(
    "name,kind,number,currency,seller,line_count,line_total,net,tax,gross,prepaid,payable",
    UBL_SAMPLES,
    ids=[row[0] for row in UBL_SAMPLES],
)
def test_every_ubl_sample_reads_with_its_printed_totals(
    name, kind, number, currency, seller, line_count, line_total, net, tax, gross,
    prepaid, payable,
):  # fmt: skip
    invoice = read(name)

    assert invoice.syntax is Syntax.UBL
    assert invoice.document_type is kind
    assert (invoice.number, invoice.currency) == (number, currency)
    assert invoice.seller.name == seller
    assert len(invoice.lines) == line_count
    totals = invoice.totals
    assert totals.line_total == D(line_total)
    assert totals.net_total == D(net)
    assert totals.tax_total == D(tax)
    assert totals.gross_total == D(gross)
    assert totals.prepaid == (D(prepaid) if prepaid else None)
    assert totals.amount_due == D(payable)
    # Exactly as printed: the trailing zeros too.
    assert str(totals.amount_due) == payable


def test_example1_header_parties_lines_and_vat():
    invoice = read("ubl-tc434-example1.xml")

    assert invoice.type_code == "380"
    assert invoice.specification == "urn:cen.eu:en16931:2017"
    assert invoice.issue_date == dt.date(2015, 1, 9)
    assert invoice.due_date == dt.date(2015, 1, 9)
    assert invoice.seller.vat_id == "NL8200.98.395.B.01"
    assert invoice.seller.legal_id == "57151520"
    assert invoice.seller.address.town == "Velsen-Noord"
    assert invoice.seller.address.country == "NL"
    assert invoice.buyer.name == "ODIN 59"
    assert invoice.buyer.contact_name == "Dhr. J BLOKKER"
    first = invoice.lines[0]
    assert (first.line_id, first.name, first.quantity, first.unit_code) == (
        "1", "PATAT FRITES 10MM 10KG", D("2"), "EA",
    )  # fmt: skip
    assert (first.net_price, first.net_amount) == (D("9.95"), D("19.90"))
    assert (first.vat_category, first.vat_rate) == ("S", D("6"))
    assert first.seller_item_id == "166022"
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in invoice.vat_breakdown] == [
        ("S", D("6"), D("183.23"), D("10.99")),
        ("S", D("21"), D("46.37"), D("9.74")),
    ]  # fmt: skip
    # Two credit transfer accounts, in the document's order.
    assert [a.iban for a in invoice.payment_accounts] == [
        "NL57 RABO 0107307510",
        "NL03 INGB 0004489902",
    ]
    assert invoice.iban == "NL57 RABO 0107307510"
    assert invoice.payment_reference == "Deb. 10202 / Fact. 12115118"
    assert invoice.notes[0].startswith("Alle leveringen zijn franco.")


def test_example2_allowances_charges_order_reference_and_signed_lines():
    invoice = read("ubl-tc434-example2.xml")

    assert invoice.order_reference == "123"
    assert invoice.payment_terms.startswith("2 % discount if paid within 2 days")
    assert invoice.due_date == dt.date(2013, 7, 20)
    assert invoice.payment_accounts[0].iban == "NO9386011117947"
    assert invoice.payment_accounts[0].bic == "DNBANOKK"
    assert [(ac.is_charge, ac.amount, ac.reason, ac.category, ac.rate)
            for ac in invoice.allowances_charges] == [
        (False, D("100.00"), "Promotion discount", "S", D("25")),
        (True, D("100.00"), "Freight", "S", D("25")),
    ]  # fmt: skip
    assert (invoice.totals.allowance_total, invoice.totals.charge_total) == (
        D("100.00"), D("100.00"),
    )  # fmt: skip
    laptop, book = invoice.lines[0], invoice.lines[1]
    assert laptop.order_line_reference == "1"
    assert laptop.price_base_quantity == D("1")
    assert laptop.note == "Scratch on box"
    # Its line allowance (12.00) and charge (12.00) cancel out.
    assert laptop.allowances_charges_total == D("0")
    assert (book.quantity, book.net_amount, book.order_line_reference) == (
        D("-1"), D("-3.96"), "5",
    )  # fmt: skip
    dummies = invoice.lines[2]
    assert (dummies.gross_price, dummies.net_price) == (D("2.70"), D("2.48"))
    exempt = invoice.vat_breakdown[2]
    assert (exempt.category, exempt.taxable_amount) == ("E", D("-25.00"))
    assert exempt.exemption_reason == "Exempt New Means of Transport"


def test_credit_note_root_reads_as_a_credit_note_with_its_lines():
    credit = read("ubl-tc434-creditnote1.xml")

    assert credit.type_code == "381"
    assert credit.document_type is EInvoiceType.CREDIT_NOTE
    assert credit.seller.vat_id == "BE0000000196"
    assert credit.seller.trading_name == "My Supplier Company N.V."
    line = credit.lines[0]
    assert (line.quantity, line.unit_code, line.net_amount) == (
        D("1.00"), "C62", D("100.11"),
    )  # fmt: skip
    assert credit.iban == "BE91000000143476"
    assert credit.payment_accounts[0].bic == "BPOTBEB1"


def test_example5_tax_currency_preceding_invoice_and_no_payee_account():
    invoice = read("ubl-tc434-example5.xml")

    assert invoice.order_reference == "PO4711"
    assert invoice.preceding_invoice == "TOSL109"
    assert (invoice.tax_currency, invoice.tax_total_in_tax_currency) == (
        "EUR", D("628.62"),
    )  # fmt: skip
    # BT-110 is the tax total in the document's currency, not the EUR one.
    assert invoice.totals.tax_total == D("675.00")
    # A direct debit: the account printed is the buyer's, not where to pay.
    assert invoice.payment_means_code == "49"
    assert invoice.payment_accounts == ()


def test_an_invoice_typed_381_reads_as_a_credit_note():
    xml = sample_bytes("ubl-tc434-example1.xml").replace(
        b"<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>",
        b"<cbc:InvoiceTypeCode>381</cbc:InvoiceTypeCode>",
    )

    invoice = einvoice_from_xml(xml)

    assert (invoice.type_code, invoice.document_type) == (
        "381", EInvoiceType.CREDIT_NOTE,
    )  # fmt: skip


def test_an_amount_that_is_not_a_number_is_refused_naming_the_term():
    from core.errors import ValidationFailed

    xml = sample_bytes("ubl-tc434-example1.xml").replace(
        b'<cbc:PayableAmount currencyID="EUR">250.33</cbc:PayableAmount>',
        b'<cbc:PayableAmount currencyID="EUR">250,33</cbc:PayableAmount>',
    )

    with pytest.raises(ValidationFailed) as refused:
        einvoice_from_xml(xml)

    assert refused.value.message == (
        "The e-invoice's amount due (BT-115) is '250,33', which is not a number."
    )
    assert refused.value.field_errors == {"file": refused.value.message}
