"""Fixtures of the e-invoice import's tests: the seller's vendor, tax codes, a PO."""

from decimal import Decimal as D

import pytest

from purchasing.services import purchase_order_approve, purchase_order_create
from tests.einvoicing.factories import SELLER_VAT_ID

# The samples' rates beyond the German profile's (accounting.defaults "DE").
EXTRA_TAX_CODES = [
    ("S25", "25%", "25", "S"),
    ("S21", "21%", "21", "S"),
    ("S15", "15%", "15", "S"),
    ("S12", "12%", "12", "S"),
    ("S10", "10%", "10", "S"),
    ("S6", "6%", "6", "S"),
    ("AE0", "Reverse charge 0%", "0", "AE"),
]


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Each test's documents on their own, so a test sees what it stored."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def einvoice_tax_codes(tax_codes, admin_user, settings):
    """The DE profile plus a code for every rate the official samples use."""
    from accounting.services import accounting_code_create

    settings.COMPANY_VAT_ID = "DE136695976"
    for code, name, rate, category in EXTRA_TAX_CODES:
        accounting_code_create(
            user=admin_user,
            kind="tax_code",
            fields={"code": code, "name": name, "rate": rate, "category": category},
        )
    return tax_codes


@pytest.fixture
def seller(make_vendor):
    """The hand-made e-invoices' seller, registered by its VAT id."""
    return make_vendor("Seller BV", vat_id=SELLER_VAT_ID)


@pytest.fixture
def seller_po(seller, requester, approver):
    """An approved PO of the seller: 10 x 100.00 and 5 x 20.00 (EUR)."""

    def make(*pairs, currency="EUR"):
        po = purchase_order_create(
            user=requester,
            vendor_id=seller.id,
            lines=[
                {"description": f"Item {n}", "quantity": q, "unit_price": p}
                for n, (q, p) in enumerate(
                    pairs or [("10", "100.00"), ("5", "20.00")], 1
                )
            ],
            currency=currency,
        )
        return purchase_order_approve(po_id=po.id, user=approver)

    return make


def money(value) -> D:
    return D(value)
