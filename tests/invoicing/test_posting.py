"""
Documents post into the AP sub-ledger as their status changes (issue 16):
what each move sets on a document, and the ledger's own entries (a run's
payment, a void's reversal). Run on both backends: the fields ride in the
status changes' conditional transactions.
"""

import datetime as dt
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from invoicing import without_po
from invoicing.models import (
    OPEN_LISTING,
    POSTED_LISTING,
    Invoice,
    InvoiceStatus,
    LedgerEntry,
)
from invoicing.posting import posting_updates, postings_backfill
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create, invoice_void
from payments import services as payments
from tests.conftest import TODAY, po_lines
from tests.ledger import confirmed_run


def stored(record) -> Invoice:
    return invoice_get(invoice_id=record.id)


def ledger_entry(key: str) -> LedgerEntry | None:
    try:
        return LedgerEntry.get(key)
    except LedgerEntry.DoesNotExist:
        return None


def test_a_matched_invoice_is_posted_on_its_invoice_date_and_open(
    acme, matched_invoice
):
    day = TODAY - dt.timedelta(days=12)
    invoice = stored(matched_invoice(acme, "1000.00", invoice_date=day))
    assert invoice.posting_date == day.isoformat()
    assert invoice.posting_key == f"{day.isoformat()}#{invoice.id}"
    assert invoice.ledger_vendor == acme.id
    assert (invoice.posted_listing, invoice.open_listing) == (
        POSTED_LISTING,
        OPEN_LISTING,
    )
    assert invoice.posted_at is not None
    assert invoice.paid_on is None and invoice.voided_on is None
    [found] = Invoice.ledger_index.query(acme.id)
    assert found.id == invoice.id
    assert [i.id for i in Invoice.open_items_index.query(OPEN_LISTING)] == [invoice.id]


def test_a_received_or_rejected_invoice_is_not_posted(acme, clerk, requester, approver):
    from purchasing.services import purchase_order_approve, purchase_order_create

    po = purchase_order_create(
        user=requester, vendor_id=acme.id, lines=po_lines(("1", "100.00"))
    )
    purchase_order_approve(po_id=po.id, user=approver)
    invoice = invoice_create(
        user=clerk, po_id=po.id, invoice_number="OVER-1",
        invoice_date=TODAY, lines=po_lines(("1", "150.00")),
    )  # fmt: skip
    from invoicing.reconciliation import invoice_reconcile

    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    rejected = stored(invoice)
    assert rejected.status == "rejected"
    assert rejected.posting_key is None and rejected.open_listing is None
    assert list(Invoice.posted_index.query(POSTED_LISTING)) == []


def test_an_approved_invoice_without_po_is_posted(clerk, approver, acme):
    invoice = without_po.invoice_without_po_create(
        user=clerk, vendor_id=acme.id, invoice_number="RENT-1",
        invoice_date=TODAY - dt.timedelta(days=3),
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "2400.00"}],
    )  # fmt: skip
    assert stored(invoice).posting_key is None  # awaiting approval: not yet
    without_po.invoice_approve(invoice_id=invoice.id, user=approver, version=1)
    approved = stored(invoice)
    assert approved.status == "approved"
    assert approved.posting_date == approved.invoice_date
    assert approved.open_listing == OPEN_LISTING


def test_a_confirmed_run_pays_with_amount_and_discount_and_posts_one_payment(
    treasurer, approver, bureau, matched_invoice
):
    # 2/10 Net 30, dated yesterday: the run today takes 2%.
    invoice = matched_invoice(
        bureau, "1000.00", invoice_date=TODAY - dt.timedelta(days=1)
    )
    run = confirmed_run(treasurer, approver)
    paid = stored(invoice)
    assert paid.status == "paid"
    assert paid.paid_on == TODAY.isoformat()
    assert (paid.paid_amount, paid.discount_taken) == (
        Decimal("980.00"),
        Decimal("20.00"),
    )
    assert paid.open_listing is None
    assert paid.posted_listing == POSTED_LISTING  # still in the journal's index
    payment = ledger_entry(LedgerEntry.payment_key(run.id, bureau.id, "EUR"))
    assert (payment.amount, payment.discount, payment.reference) == (
        Decimal("980.00"),
        Decimal("20.00"),
        run.number,
    )
    assert payment.posting_date == TODAY.isoformat()
    assert list(Invoice.open_items_index.query(OPEN_LISTING)) == []


def test_a_cancelled_run_leaves_its_invoices_posted_and_open(
    treasurer, acme, matched_invoice
):
    invoice = stored(matched_invoice(acme, "500.00"))
    run = payments.payment_run_create(user=treasurer, payment_date=TODAY).run
    assert stored(invoice).open_listing == OPEN_LISTING  # scheduled: still open
    payments.payment_run_cancel(run_id=run.id, user=treasurer, reason="Wrong date")
    back = stored(invoice)
    assert back.status == "matched"
    assert (back.posting_key, back.posted_at) == (
        invoice.posting_key,
        invoice.posted_at,
    )
    assert back.open_listing == OPEN_LISTING
    assert ledger_entry(LedgerEntry.payment_key(run.id, acme.id, "EUR")) is None


def test_voiding_a_posted_invoice_reverses_it_and_closes_it(
    clerk, acme, matched_invoice
):
    invoice = matched_invoice(acme, "300.00")
    invoice_void(invoice_id=invoice.id, user=clerk, reason="Sent twice")
    void = stored(invoice)
    assert void.voided_on == TODAY.isoformat()
    assert void.open_listing is None
    assert void.posted_listing == POSTED_LISTING
    reversal = ledger_entry(LedgerEntry.reversal_key(invoice.id))
    assert (reversal.amount, reversal.reference, reversal.posting_date) == (
        Decimal("300.00"),
        invoice.invoice_number,
        TODAY.isoformat(),
    )


def test_voiding_an_unposted_invoice_leaves_no_trace_in_the_ledger(clerk, approved_po):
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="NEVER-1",
        invoice_date=TODAY, lines=po_lines(("1", "100.00")),
    )  # fmt: skip
    invoice_void(invoice_id=invoice.id, user=clerk, reason="Wrong vendor")
    void = stored(invoice)
    assert void.voided_on is None and void.posting_key is None
    assert ledger_entry(LedgerEntry.reversal_key(invoice.id)) is None


def test_a_credit_note_netted_whole_is_applied_and_leaves_the_open_items(
    treasurer, approver, acme, matched_invoice, credit_note
):
    invoice = matched_invoice(acme, "1000.00")
    credit = credit_note(acme, "200.00", credits=invoice)
    assert postings_backfill() == 1  # stored matched, unposted: the backfill posts it
    run = confirmed_run(treasurer, approver)
    applied = stored(credit)
    assert applied.status == "applied"
    assert applied.open_listing is None
    payment = ledger_entry(LedgerEntry.payment_key(run.id, acme.id, "EUR"))
    assert payment.amount == Decimal("800.00")  # what the bank transferred


def test_a_credit_note_netted_in_part_stays_open_for_the_rest(
    treasurer, approver, acme, matched_invoice, credit_note
):
    matched_invoice(acme, "100.00")
    credit = credit_note(acme, "250.00")
    postings_backfill()
    confirmed_run(treasurer, approver)
    left = stored(credit)
    assert left.status == "matched"
    assert left.credit_open_amount == Decimal("150.00")
    assert left.open_listing == OPEN_LISTING


def test_backfill_posts_documents_stored_before_posting_through_the_status_index(
    acme, credit_note
):
    credit = credit_note(acme, "80.00", days_ago=5)
    out = StringIO()
    call_command("backfill_postings", "--dry-run", stdout=out)
    assert "1 document(s) would be posted" in out.getvalue()
    assert stored(credit).posting_key is None
    call_command("backfill_postings", stdout=out)
    posted = stored(credit)
    assert posted.posting_date == posted.invoice_date
    assert posted.open_listing == OPEN_LISTING
    assert posted.version == credit.version  # derived keys: the version untouched
    out = StringIO()
    call_command("backfill_postings", stdout=out)
    assert "0 document(s) were posted" in out.getvalue()


def test_posting_updates_follow_the_rules_of_each_move():
    invoice = Invoice(
        "doc-1", vendor_id="v1", invoice_date="2026-03-01", total_amount=Decimal("10")
    )
    first = posting_updates(invoice, InvoiceStatus.MATCHED, on_date=dt.date(2026, 3, 5))
    assert first["posting_key"] == "2026-03-01#doc-1"
    assert (first["open_listing"], first["open_vendor"]) == (OPEN_LISTING, "v1")
    assert posting_updates(invoice, InvoiceStatus.VOID) == {}  # never posted
    assert posting_updates(invoice, InvoiceStatus.REJECTED) == {}
    invoice.posting_key = first["posting_key"]
    assert posting_updates(invoice, InvoiceStatus.SCHEDULED) == {}
    assert posting_updates(invoice, InvoiceStatus.MATCHED) == {}  # run cancelled
    paid = posting_updates(
        invoice, InvoiceStatus.PAID, on_date=dt.date(2026, 3, 9),
        paid_amount=Decimal("9.80"), discount_taken=Decimal("0.20"),
    )  # fmt: skip
    assert paid == {
        "paid_on": "2026-03-09",
        "paid_amount": Decimal("9.80"),
        "discount_taken": Decimal("0.20"),
        "open_listing": None,
        "open_vendor": None,
    }
    assert posting_updates(invoice, InvoiceStatus.APPLIED) == {
        "open_listing": None,
        "open_vendor": None,
    }
    assert posting_updates(
        invoice, InvoiceStatus.VOID, on_date=dt.date(2026, 3, 7)
    ) == {"voided_on": "2026-03-07", "open_listing": None, "open_vendor": None}
