"""
The journal in a real browser (issue 16, "Journal export"): an AP clerk picks
March, sees a 19% + 7% invoice balanced (debits = credits) and downloads the
DATEV booking batch, which is then named as an export of the period.

The posting fields are set by `post` (tests/reports/test_journal.py) until the
ledger's status changes set them.
"""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounting.services import accounting_defaults_install
from invoicing.models import Invoice, InvoiceLine
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.browser.test_procure_to_pay import field
from tests.conftest import VALID_VENDOR, make_user, po_lines
from tests.reports.test_journal import post
from vendors.services import vendor_create

pytestmark = [pytest.mark.browser, pytest.mark.dynamodb_local_only]


def test_clerk_sees_march_balanced_and_downloads_the_datev_batch(desk, people):
    accounting_defaults_install(user=make_user("admin", superuser=True), profile="DE")
    vendor = vendor_create(
        user=people["clerk"],
        fields={**VALID_VENDOR, "name": "Müller Bürobedarf GmbH", "status": "active"},
    )
    po = purchase_order_create(
        user=people["requester"], vendor_id=vendor.id, lines=po_lines(("1", "150.00"))
    )
    purchase_order_approve(po_id=po.id, user=people["approver"])
    invoice = invoice_create(
        user=people["clerk"], po_id=po.id, invoice_number="RE-2026-17",
        invoice_date=dt.date.today(), lines=po_lines(("1", "150.00")),
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=people["clerk"])
    invoice = invoice_get(invoice_id=invoice.id)
    line = invoice.items[0].as_dict()
    invoice.update(
        actions=[
            Invoice.items.set(
                [
                    InvoiceLine(**{**line, "total_amount": Decimal("100.00")}),
                    InvoiceLine(
                        **{**line, "line_number": 2, "total_amount": Decimal("50.00")}
                    ),
                ]
            )
        ]
    )
    post(
        invoice,
        on="2026-03-05",
        coding=[("4930", "1000", "V19"), ("4930", "1000", "V7")],
        tax=[
            ("V19", "19", "S", "100.00", "19.00", None),
            ("V7", "7", "S", "50.00", "3.50", None),
        ],
    )

    clerk = desk("clerk")
    clerk.goto("/reports/journal/")
    field(clerk, "From").fill("2026-03-01")
    field(clerk, "To").fill("2026-03-31")
    clerk.get_by_role("button", name="Show").click()
    expect(clerk.get_by_text("debits 172.50 = credits 172.50")).to_be_visible()
    entry = clerk.get_by_role("article", name="Entry RE-2026-17")
    expect(entry.get_by_role("row", name="1576")).to_contain_text("19.00")
    expect(entry.get_by_role("row", name="1600")).to_contain_text("172.50")

    with clerk.expect_download() as download:
        clerk.get_by_role("button", name="Download DATEV (EXTF)").click()
    assert download.value.suggested_filename == (
        "EXTF_Buchungsstapel_20260301_20260331.csv"
    )
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b'"EXTF";700;21;"Buchungsstapel";13;')
    assert "Müller Bürobedarf GmbH".encode("cp1252") in data
    assert b'119,00;"S";"EUR";;;;4930;1600;"9";0503;"RE-2026-17"' in data

    clerk.reload()
    expect(
        clerk.get_by_text("Exported before: 2026-03-01 to 2026-03-31 (DATEV)")
    ).to_be_visible()
