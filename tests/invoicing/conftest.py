"""Fixtures shared by the invoicing tests."""

import datetime as dt

import pytest

from invoicing.models import Invoice
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.conftest import po_lines
from vendors.services import vendor_create


@pytest.fixture
def approved_po(make_po, approver):
    """An approved PO of Acme: 10 x 100.00 and 5 x 20.00 = 1,100.00."""
    po = make_po()
    return purchase_order_approve(po_id=po.id, user=approver)


@pytest.fixture
def other_vendor(clerk, vendor_fields):
    return vendor_create(
        user=clerk, fields={**vendor_fields, "name": "Globex Ltd", "status": "active"}
    )


@pytest.fixture
def other_po(other_vendor, requester, approver):
    po = purchase_order_create(
        user=requester, vendor_id=other_vendor.id, lines=po_lines(("1", "500.00"))
    )
    return purchase_order_approve(po_id=po.id, user=approver)


@pytest.fixture
def dated_invoices(clerk, approved_po, other_po):
    """Acme's invoices entered 10 Jan, 10 Feb and 10 Mar 2026; Globex's 10 Feb."""
    invoices = {}
    for number, po, day in [
        ("ACME-JAN", approved_po, dt.date(2026, 1, 10)),
        ("ACME-FEB", approved_po, dt.date(2026, 2, 10)),
        ("ACME-MAR", approved_po, dt.date(2026, 3, 10)),
        ("GLOBEX-FEB", other_po, dt.date(2026, 2, 10)),
    ]:
        invoice = invoice_create(
            user=clerk, po_id=po.id, invoice_number=number, invoice_date=day,
            lines=[{"description": "x", "quantity": "1", "unit_price": "100.00",
                    "po_line_number": 1}],
        )  # fmt: skip
        at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
        invoice.update(actions=[Invoice.submitted_at.set(at)])
        invoices[number] = invoice
    return invoices


# Matched credit notes stored directly, and the sub-ledger's vendors (issue 16).
from tests.ledger import acme, bureau  # noqa: E402, F401 (fixtures)
from tests.payments.credit_notes import credit_note  # noqa: E402, F401 (a fixture)
