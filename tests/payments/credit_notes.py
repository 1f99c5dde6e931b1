"""Matched credit notes for payment-run tests, stored directly as invoice records.

Entering and reconciling a credit note is invoicing's business (issue 15,
invoicing/credit_notes.py); a payment run only needs one that is `matched`.
"""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from core import dynamo
from invoicing.models import DocumentType, Invoice, InvoiceLine, InvoiceStatus
from invoicing.numbers import normalise_invoice_number
from invoicing.selectors import invoice_get
from tests.conftest import TODAY


def matched_credit_note(
    vendor, total="200.00", *, number, days_ago=20, credits=None
) -> Invoice:
    """Store a matched credit note of `vendor` for `total`, dated `days_ago` days ago."""
    amount = Decimal(total)
    now = dynamo.utcnow()
    credit_id = uuid.uuid4().hex
    Invoice(
        credit_id,
        invoice_number=number,
        number_key=normalise_invoice_number(number),
        document_type=DocumentType.CREDIT_NOTE.value,
        credited_invoice_id=credits.id if credits else None,
        credited_invoice_number=credits.invoice_number if credits else None,
        po_id=credits.po_id if credits else None,
        po_number=credits.po_number if credits else None,
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        currency=vendor.currency,
        items=[
            InvoiceLine(
                line_number=1,
                description="Returned goods",
                quantity=Decimal("1"),
                unit_price=amount,
                total_amount=amount,
            )
        ],
        net_total=amount,
        tax_amount=Decimal("0.00"),
        total_amount=amount,
        status=InvoiceStatus.MATCHED.value,
        invoice_date=(TODAY - dt.timedelta(days=days_ago)).isoformat(),
        due_date=(TODAY - dt.timedelta(days=days_ago)).isoformat(),
        submitted_by="clerk",
        submitted_at=now,
        updated_at=now,
    ).save()
    return invoice_get(invoice_id=credit_id)


@pytest.fixture
def credit_note():
    """`matched_credit_note`, numbered CN-001, CN-002, ... unless `number` is given."""
    counter = iter(range(1, 1000))

    def make(vendor, total="200.00", *, number=None, **fields):
        number = number or f"CN-{next(counter):03d}"
        return matched_credit_note(vendor, total, number=number, **fields)

    return make
