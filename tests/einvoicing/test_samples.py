"""
Every official EN 16931 sample (CEN/TC 434, EUPL 1.2) is taken in: its
seller unknown, it waits; once its vendor is registered and a PO of that
vendor assigned, it is an invoice (or credit note) with the printed totals
to the cent.
"""

from decimal import Decimal as D

import pytest

from core.errors import ValidationFailed
from einvoicing.selectors import intake_einvoice, intake_get
from einvoicing.services import einvoice_import, intake_assign_po, intake_retry
from invoicing.selectors import invoice_get
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.einvoicing.samples import sample_bytes

# name: (currency, net BT-109, tax BT-110, gross BT-112, due BT-115, type, lines)
# where lines counts the goods lines and the document's allowances and charges.
EXPECTED = {
    "ubl-tc434-creditnote1.xml": ("EUR", "100.11", "0.00", "100.11", "100.11", "credit_note", 1),
    "ubl-tc434-example1.xml": ("EUR", "229.60", "20.73", "250.33", "250.33", "invoice", 20),
    "ubl-tc434-example2.xml": ("NOK", "1436.50", "365.28", "1801.78", "801.78", "invoice", 7),
    "ubl-tc434-example3.xml": ("DKK", "1700.00", "305.00", "2005.00", "2005.00", "invoice", 3),
    "ubl-tc434-example4.xml": ("DKK", "4000.00", "675.00", "4675.00", "4675.00", "invoice", 3),
    "ubl-tc434-example5.xml": ("DKK", "4000.00", "675.00", "4675.00", "2337.50", "invoice", 5),
    "CII_example1.xml": ("EUR", "229.60", "20.73", "250.33", "250.33", "invoice", 20),
    "CII_example2.xml": ("NOK", "1436.50", "365.28", "1801.78", "801.78", "invoice", 7),
    "CII_example3.xml": ("DKK", "900.00", "225.00", "1125.00", "1125.00", "invoice", 2),
    "CII_example4.xml": ("DKK", "4000.00", "675.00", "4675.00", "4675.00", "invoice", 3),
    "CII_example5.xml": ("DKK", "4000.00", "675.00", "4675.00", "2337.50", "invoice", 5),
}  # fmt: skip


def register_seller(make_vendor, seller, iban, currency):
    """The seller as a vendor: by its VAT id, or (checksum refused) IBAN or legal id."""
    base = {"name": seller.name[:100], "currency": currency}
    if seller.vat_id:
        try:
            return make_vendor(**base, vat_id=seller.vat_id), "VAT id"
        except ValidationFailed:
            pass  # several samples' VAT ids fail their check digits
    if iban:
        try:
            return make_vendor(**base, iban=iban), "IBAN"
        except ValidationFailed:
            pass
    legal_id = seller.legal_id or seller.tax_registration
    return make_vendor(**base, tax_id=legal_id), "legal id"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_official_sample_is_taken_in_with_its_printed_totals(
    name, clerk, requester, approver, einvoice_tax_codes, make_vendor, make_rate
):
    currency, net, tax, gross, due, kind, line_count = EXPECTED[name]
    make_rate("DKK", "0.134")
    make_rate("NOK", "0.085")
    content = sample_bytes(name)

    intake = einvoice_import(user=clerk, filename=name, content=content).intake
    assert intake.status == "needs_vendor"
    document = intake_einvoice(intake=intake)
    vendor, found_by = register_seller(
        make_vendor, document.seller, document.iban, currency
    )
    intake_retry(intake_id=intake.id, user=clerk, version=intake.version)
    intake = intake_get(intake_id=intake.id)
    assert (intake.status, intake.vendor_id) == ("needs_po", vendor.id), found_by
    po = purchase_order_create(
        user=requester,
        vendor_id=vendor.id,
        lines=[{"description": "Order", "quantity": "1", "unit_price": gross}],
        currency=currency,
    )
    po = purchase_order_approve(po_id=po.id, user=approver)

    outcome = intake_assign_po(
        intake_id=intake.id, user=clerk, po_id=po.id, version=intake.version
    )

    invoice = invoice_get(invoice_id=outcome.invoice.id)
    assert (invoice.document_kind.value, invoice.vendor_id, invoice.currency) == (
        kind, vendor.id, currency,
    )  # fmt: skip
    assert (
        invoice.net_total,
        invoice.tax_amount,
        invoice.total_amount,
        invoice.amount_due,
    ) == (D(net), D(tax), D(gross), D(due))
    assert len(invoice.items) == line_count
    assert invoice.status == "received"
