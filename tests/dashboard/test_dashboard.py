"""The home page: each role sees what waits for them, and the figures with their tables."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import escape

from invoicing.services import invoice_create
from payments.services import payment_run_create
from purchasing.services import purchase_order_approve
from tests.conftest import TODAY, make_user, po_lines


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def work(make_po, approver, clerk, matched_invoice, three_vendors, requester):
    waiting_po = make_po(("1", "100.00"))  # pending: awaits the approver
    approved = make_po(("10", "100.00"))
    purchase_order_approve(po_id=approved.id, user=approver)
    received = invoice_create(
        user=clerk, po_id=approved.id, invoice_number="WAIT-1",
        invoice_date=TODAY, lines=po_lines(("10", "100.00")),
    )  # fmt: skip
    priced_wrong = make_po(("1", "100.00"))
    purchase_order_approve(po_id=priced_wrong.id, user=approver)
    rejected = invoice_create(
        user=clerk, po_id=priced_wrong.id, invoice_number="BAD-1",
        invoice_date=TODAY, lines=po_lines(("1", "150.00")),
    )  # fmt: skip
    from invoicing.reconciliation import invoice_reconcile

    invoice_reconcile(invoice_id=rejected.id, user=clerk)
    due = matched_invoice(three_vendors[0], "700.00")
    return waiting_po, received, rejected, due


def test_each_role_sees_what_waits_for_them(work, approver, clerk, treasurer, auditor):
    waiting_po, received, rejected, due = work
    approver_page = logged_in(approver).get("/").content.decode()
    assert waiting_po.po_number in approver_page
    clerk_page = logged_in(clerk).get("/").content.decode()
    assert "WAIT-1" in clerk_page and "BAD-1" in clerk_page
    # The exception shows its top finding, as the clerk reads it.
    assert (
        escape(
            "Line 1: unit price 150.00 differs from the PO's 100.00 by more than 1%."
        )
        in clerk_page
    )
    assert waiting_po.po_number not in clerk_page
    treasurer_page = logged_in(treasurer).get("/").content.decode()
    assert due.invoice_number in treasurer_page
    payment_run_create(user=treasurer, payment_date=TODAY)
    assert (
        "Payment runs awaiting approval"
        in logged_in(approver).get("/").content.decode()
    )
    auditor_page = logged_in(auditor).get("/").content.decode()
    assert "Nothing waits for you here" in auditor_page


def test_figures_are_computed_by_the_job_and_shown_as_charts_and_tables(
    work, clerk, auditor
):
    before = logged_in(auditor).get("/").content.decode()
    assert "appear after the next scheduled reconciliation run" in before
    assert "not computed yet: the next reconciliation run computes them" in before
    call_command("reconcile_invoices", stdout=StringIO())  # reconciles WAIT-1
    page = logged_in(auditor).get("/")
    html = page.content.decode()
    assert 'id="dashboard-figures"' in html and "chart.umd.js" in html
    figures = page.context["board"].figures
    vendors = {row["vendor"] for row in figures["spend_quarter"]["EUR"]}
    assert "Acme Supplies GmbH" in vendors
    this_week = figures["match_rate"][-1]
    assert this_week["matched"] >= 2 and this_week["rejected"] == 1
    unpaid = figures["ageing"]["EUR"]
    # WAIT-1 and the due one matched, BAD-1 rejected: all three unpaid.
    assert sum(b["count"] for b in unpaid.values()) == 3
    assert "<caption>EUR</caption>" in html  # the charts' figures as tables


def test_recompute_now_is_for_the_administrator(auditor, work):
    assert logged_in(auditor).post("/dashboard/refresh").status_code == 403
    admin = make_user("admin", superuser=True)
    response = logged_in(admin).post("/dashboard/refresh", follow=True)
    assert "Figures recomputed" in response.content.decode()
    board = response.context["board"]
    assert board.computed_at is not None
    # The page says when: "as of <date time>" (in the reader's time zone).
    assert "as of 20" in response.content.decode()


def test_refresh_dashboard_command(work, auditor):
    out = StringIO()
    call_command("refresh_dashboard", stdout=out)
    assert "Dashboard figures recomputed" in out.getvalue()
    assert logged_in(auditor).get("/").context["board"].figures is not None
