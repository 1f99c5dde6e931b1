"""
domain.md's worked examples, each through the page, the API-free batch job
and the services, on stored records (the API has its own file).

PO: 10 x 100.00 and 5 x 20.00, total 1,100.00, approved.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoice_list
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve
from tests.conftest import BACKEND

TODAY = dt.date.today().isoformat()
EXACT = (("10", "100.00"), ("5", "20.00"))

EXAMPLES = [
    ("exact", EXACT, "approved", False, "matched", []),
    (
        "half percent",
        (("10", "100.50"), ("5", "20.00")),
        "approved",
        False,
        "matched",
        [],
    ),
    (
        "three percent",
        (("10", "103.00"), ("5", "20.00")),
        "approved",
        False,
        "rejected",
        [("PRICE_VARIANCE", 1), ("TOTAL_VARIANCE", None)],
    ),
    (
        "extra line",
        (("10", "100.00"), ("5", "20.00"), ("1", "50.00")),
        "approved",
        False,
        "rejected",
        [("UNMATCHED_LINE", 3)],
    ),
    (
        "billed twice",
        EXACT,
        "approved",
        True,
        "rejected",
        [("QTY_OVER_ORDERED", 1), ("QTY_OVER_ORDERED", 2), ("OVER_BILLED", None)],
    ),
    ("pending PO", EXACT, "pending", False, "rejected", [("PO_NOT_APPROVED", None)]),
]
IDS = [example[0] for example in EXAMPLES]


def prepare(make_po, approver, clerk, po_status, billed_before):
    po = make_po()
    if po_status == "approved":
        purchase_order_approve(po_id=po.id, user=approver)
    if billed_before:
        first = invoice_create(
            user=clerk, po_id=po.id, invoice_number="FIRST-1", invoice_date=TODAY,
            lines=[{"description": "x", "quantity": q, "unit_price": p} for q, p in EXACT],
        )  # fmt: skip
        invoice_reconcile(invoice_id=first.id, user=clerk)
    return po


def findings(invoice):
    return [(f["code"], f["line"]) for f in invoice.report["findings"]]


@pytest.mark.parametrize(
    ("name", "pairs", "po_status", "twice", "status", "expected"), EXAMPLES, ids=IDS
)
def test_worked_example_through_the_page(
    make_po, approver, clerk, name, pairs, po_status, twice, status, expected
):
    po = prepare(make_po, approver, clerk, po_status, twice)
    client = Client()
    client.force_login(clerk)
    data = {
        "invoice_number": "INV-EX", "invoice_date": TODAY, "tax_amount": "0.00",
        "total_amount": "", "lines-TOTAL_FORMS": str(len(pairs)), "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for index, (quantity, price) in enumerate(pairs):
        data[f"lines-{index}-description"] = f"Item {index + 1}"
        data[f"lines-{index}-quantity"] = quantity
        data[f"lines-{index}-unit_price"] = price
    client.post(f"{reverse('invoicing:create')}?po={po.id}", data)
    invoice = next(
        i for i in invoice_list(po_id=po.id).items if i.invoice_number == "INV-EX"
    )
    page = client.post(reverse("invoicing:reconcile", args=[invoice.id]), follow=True)
    stored = invoice_get(invoice_id=invoice.id)
    assert stored.status == status
    assert findings(stored) == expected
    html = page.content.decode()
    for code, _ in expected:
        assert f"<strong>{code}</strong>" in html


@pytest.mark.parametrize(
    ("name", "pairs", "po_status", "twice", "status", "expected"), EXAMPLES, ids=IDS
)
def test_worked_example_through_the_batch_job(
    make_po, approver, clerk, name, pairs, po_status, twice, status, expected
):
    po = prepare(make_po, approver, clerk, po_status, twice)
    invoice = invoice_create(
        user=clerk, po_id=po.id, invoice_number="INV-JOB", invoice_date=TODAY,
        lines=[{"description": "x", "quantity": q, "unit_price": p} for q, p in pairs],
    )  # fmt: skip
    workers = ["--workers", "1"] if BACKEND == "moto" else []
    call_command("reconcile_invoices", *workers, stdout=StringIO())
    stored = invoice_get(invoice_id=invoice.id)
    assert stored.status == status
    assert findings(stored) == expected
