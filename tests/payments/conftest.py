"""Matched invoices ready to pay, from vendors with real bank details."""

import datetime as dt

import pytest

from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.conftest import VALID_VENDOR, make_user, po_lines
from vendors.services import vendor_bank_details_confirm, vendor_create

TODAY = dt.date.today()

EUR_IBAN_1 = "DE89370400440532013000"
EUR_IBAN_2 = "FR1420041010050500013M02606"
US_ACCOUNT = "123456789"
US_ROUTING = "021000021"


@pytest.fixture
def treasurer(db):
    return make_user("treasurer", "Treasurer")


@pytest.fixture
def treasurer2(db):
    return make_user("treasurer2", "Treasurer")


@pytest.fixture
def make_vendor(clerk, clerk2):
    """An active vendor whose bank details a second clerk confirmed."""

    def make(name, **fields):
        vendor = vendor_create(
            user=clerk,
            fields={
                **VALID_VENDOR,
                "name": name,
                "tax_id": None,
                "status": "active",
                **fields,
            },
        )
        if vendor.bank_details_awaiting_confirmation:
            vendor = vendor_bank_details_confirm(
                vendor_id=vendor.id, user=clerk2, version=vendor.version
            )
        return vendor

    return make


@pytest.fixture
def matched_invoice(requester, approver, clerk):
    """A matched invoice of `vendor` for quantity x price, dated `invoice_date`."""
    counter = iter(range(1, 1000))

    def make(vendor, total="1000.00", *, invoice_date=None, number=None):
        po = purchase_order_create(
            user=requester,
            vendor_id=vendor.id,
            lines=po_lines(("1", total)),
            currency=vendor.currency,
        )
        purchase_order_approve(po_id=po.id, user=approver)
        invoice = invoice_create(
            user=clerk,
            po_id=po.id,
            invoice_number=number or f"INV-{next(counter):03d}",
            invoice_date=invoice_date or TODAY - dt.timedelta(days=30),
            lines=po_lines(("1", total)),
        )
        invoice_reconcile(invoice_id=invoice.id, user=clerk)
        invoice = invoice_get(invoice_id=invoice.id)
        assert invoice.status == "matched"
        return invoice

    return make


@pytest.fixture
def three_vendors(make_vendor):
    """Two EUR vendors paid by IBAN, one USD vendor paid by US account + ABA."""
    return (
        make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX"),
        make_vendor(
            "Bureau Fournitures SA", iban=EUR_IBAN_2, payment_terms="2/10 Net 30"
        ),
        make_vendor(
            "Globex Corp",
            currency="USD",
            account_number=US_ACCOUNT,
            routing_number=US_ROUTING,
        ),
    )
