"""Credit notes through the services (invoicing.credit_notes): entry, reconciliation, void."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.roles import user_roles
from audit.selectors import audit_history
from core.errors import Duplicate, InvalidTransition, PermissionDenied, ValidationFailed
from invoicing.credit_notes import credit_note_create, credited_total
from invoicing.jobs import reconcile_waiting_invoices
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoice_list
from invoicing.services import invoice_create, invoice_resubmit, invoice_void
from payments.selectors import payment_run_proposal
from purchasing.selectors import purchase_order_get
from tests.conftest import run_together

TODAY = dt.date.today().isoformat()


def lines(*triples):
    return [
        {
            "description": f"Item {n}",
            "quantity": q,
            "unit_price": p,
            "po_line_number": ln,
        }
        for n, (q, p, ln) in enumerate(triples, start=1)
    ]


@pytest.fixture
def billed(clerk, approved_po):
    """INV-1 billing all of the approved PO (10 x 100.00, 5 x 20.00), matched."""
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=lines(("10", "100.00", 1), ("5", "20.00", 2)),
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    return invoice_get(invoice_id=invoice.id)


def credit(clerk, invoice, number="CN-1", triples=(("2", "100.00", 1),), **extra):
    return credit_note_create(
        user=clerk, credited_invoice_id=invoice.id, invoice_number=number,
        invoice_date=TODAY, lines=lines(*triples), **extra,
    )  # fmt: skip


def invoiced(po):
    po = purchase_order_get(po_id=po.id)
    return po.invoiced_total, [line.invoiced_quantity for line in po.items]


def test_credit_note_for_returned_units_matches_and_reduces_the_po(
    clerk, approved_po, billed
):
    note = credit(clerk, billed)
    stored = invoice_get(invoice_id=note.id)
    assert (stored.is_credit_note, stored.status, stored.po_id) == (
        True, "received", approved_po.id,
    )  # fmt: skip
    assert (stored.credited_invoice_id, stored.credited_invoice_number) == (
        billed.id, "INV-1",
    )  # fmt: skip
    assert stored.total_amount == Decimal("200.00")  # positive: a credit of 200
    [entry] = audit_history(entity_type="invoice", entity_id=note.id).items
    assert entry.action == "CREATE"
    assert entry.details["after"]["document_type"] == "credit_note"

    _, report = invoice_reconcile(invoice_id=note.id, user=clerk)
    assert (report.outcome.value, report.findings) == ("matched", ())
    assert invoice_get(invoice_id=note.id).status == "matched"
    assert invoiced(approved_po) == (Decimal("900.00"), [Decimal("8"), Decimal("5")])
    po_entries = audit_history(entity_type="purchase_order", entity_id=approved_po.id)
    assert po_entries.items[0].details["invoice"] == "CN-1"
    assert po_entries.items[0].action == "RECONCILE"


def test_the_po_can_be_billed_again_for_what_was_credited(clerk, approved_po, billed):
    invoice_reconcile(invoice_id=credit(clerk, billed).id, user=clerk)
    again = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-2", invoice_date=TODAY,
        lines=lines(("2", "100.00", 1)),
    )  # fmt: skip
    _, report = invoice_reconcile(invoice_id=again.id, user=clerk)
    assert report.outcome.value == "matched"


def test_voiding_a_matched_credit_note_puts_the_quantities_back(
    clerk, approved_po, billed
):
    note = credit(clerk, billed)
    invoice_reconcile(invoice_id=note.id, user=clerk)
    invoice_void(invoice_id=note.id, user=clerk, reason="Vendor withdrew it")
    assert invoiced(approved_po) == (Decimal("1100.00"), [Decimal("10"), Decimal("5")])
    assert credited_total(invoice_id=billed.id) == Decimal("0.00")


def test_a_credit_above_what_the_invoice_leaves_is_refused_at_entry(clerk, billed):
    credit(clerk, billed, "CN-1", (("10", "100.00", 1),))  # 1,000.00 of 1,100.00
    with pytest.raises(ValidationFailed) as refused:
        credit(clerk, billed, "CN-2", (("2", "100.00", 1),))
    assert "leaves to credit: EUR 100.00" in refused.value.message
    assert "total_amount" in refused.value.field_errors
    assert invoice_list(document_type="credit_note").items[0].invoice_number == "CN-1"
    assert len(invoice_list(document_type="credit_note").items) == 1


def test_a_void_credit_note_frees_its_credit(clerk, billed):
    first = credit(clerk, billed, "CN-1", (("10", "100.00", 1),))
    invoice_void(invoice_id=first.id, user=clerk, reason="Typed twice")
    credit(clerk, billed, "CN-2", (("10", "100.00", 1),))
    assert credited_total(invoice_id=billed.id) == Decimal("1000.00")


def test_more_units_than_were_invoiced_on_a_line_are_rejected_by_reconciliation(
    clerk, approved_po, make_po, approver
):
    partial = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=lines(("3", "100.00", 1)),
    )  # fmt: skip
    invoice_reconcile(invoice_id=partial.id, user=clerk)
    # 3 units billed (300.00): a standalone credit of 4 returned units.
    note = credit_note_create(
        user=clerk, po_id=approved_po.id, invoice_number="CN-9", invoice_date=TODAY,
        lines=lines(("4", "50.00", 1)),
    )  # fmt: skip
    _, report = invoice_reconcile(invoice_id=note.id, user=clerk)
    assert report.outcome.value == "rejected"
    finding = report.findings[0]
    assert (finding.code.value, finding.line, finding.expected, finding.actual) == (
        "CREDIT_EXCEEDS_INVOICED", 1, "3", "4",
    )  # fmt: skip
    assert invoiced(approved_po)[0] == Decimal("300.00")  # unchanged


def test_the_credited_invoice_must_be_creditable(clerk, approved_po):
    received = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=lines(("1", "100.00", 1)),
    )  # fmt: skip
    with pytest.raises(InvalidTransition, match="is received; only matched"):
        credit(clerk, received)
    invoice_void(invoice_id=received.id, user=clerk, reason="Wrong PO")
    with pytest.raises(InvalidTransition, match="is void"):
        credit(clerk, received)


def test_another_vendors_invoice_cannot_be_credited(clerk, billed, other_po):
    with pytest.raises(ValidationFailed, match="another vendor's"):
        credit_note_create(
            user=clerk, po_id=other_po.id, credited_invoice_id=billed.id,
            invoice_number="CN-1", invoice_date=TODAY, lines=lines(("1", "100.00", 1)),
        )  # fmt: skip


def test_a_credit_note_numbered_like_an_invoice_of_the_vendor_is_refused(clerk, billed):
    with pytest.raises(Duplicate, match="already entered as invoice INV-1"):
        credit(clerk, billed, number="inv 1")
    note = credit(clerk, billed, number="CN-1")
    with pytest.raises(Duplicate):  # and an invoice numbered like the credit note
        invoice_create(
            user=clerk, po_id=billed.po_id, invoice_number="CN 1", invoice_date=TODAY,
            lines=lines(("1", "100.00", 1)),
        )  # fmt: skip
    assert note.id


def test_negative_quantities_are_refused(clerk, billed):
    with pytest.raises(ValidationFailed) as refused:
        credit(clerk, billed, triples=(("-2", "100.00", 1),))
    assert refused.value.field_errors == {
        "items.0.quantity": "Quantity must be more than 0."
    }


def test_only_an_ap_clerk_enters_credit_notes(requester, billed):
    with pytest.raises(PermissionDenied):
        credit(requester, billed)


def test_an_invoice_with_credit_notes_cannot_be_voided(clerk, billed):
    credit(clerk, billed)
    with pytest.raises(InvalidTransition, match="void them first"):
        invoice_void(invoice_id=billed.id, user=clerk, reason="Wrong")


def test_a_credit_note_is_not_corrected(clerk, billed):
    note = credit(clerk, billed)
    with pytest.raises(InvalidTransition, match="void it and enter it again"):
        invoice_resubmit(
            invoice_id=note.id, user=clerk, version=note.version,
            invoice_number="CN-1", invoice_date=TODAY, lines=lines(("1", "100.00", 1)),
        )  # fmt: skip


def test_a_standalone_credit_without_po_matches_in_the_job(clerk, active_vendor):
    note = credit_note_create(
        user=clerk, vendor_id=active_vendor.id, invoice_number="REBATE-2026",
        invoice_date=TODAY, lines=[{"description": "Volume rebate", "quantity": "1",
                                    "unit_price": "150.00"}],
    )  # fmt: skip
    assert (note.po_id, note.currency) == (None, active_vendor.currency)
    stats = reconcile_waiting_invoices(workers=1)
    assert (stats.matched, stats.errors) == (1, 0)
    assert invoice_get(invoice_id=note.id).status == "matched"


def test_the_job_reconciles_a_credit_note_against_its_po(clerk, approved_po, billed):
    note = credit(clerk, billed)
    stats = reconcile_waiting_invoices()
    assert (stats.processed, stats.matched) == (1, 1)
    assert invoice_get(invoice_id=note.id).status == "matched"
    assert invoiced(approved_po)[1] == [Decimal("8"), Decimal("5")]
    [entry, *_] = audit_history(entity_type="invoice", entity_id=note.id).items
    assert (entry.action, entry.user_id) == ("BATCH_RECONCILE", "reconciliation_job")


def test_a_matched_credit_note_is_netted_in_a_run_never_paid_out(
    clerk, treasurer, billed
):
    note = credit(clerk, billed)
    invoice_reconcile(invoice_id=note.id, user=clerk)
    proposal = payment_run_proposal(
        user=treasurer, payment_date=dt.date.today() + dt.timedelta(days=365)
    )
    [payment] = proposal.payments
    assert [i.invoice.id for i in payment.invoices] == [billed.id]
    assert [credit.id for credit, _ in payment.credits_applied] == [note.id]
    assert payment.amount == billed.total_amount - note.total_amount


@pytest.mark.dynamodb_local_only
def test_two_clerks_crediting_one_invoice_at_once_cannot_credit_more_than_it_billed(
    clerk, clerk2, billed
):
    user_roles(clerk), user_roles(clerk2)  # read before the threads share SQLite
    outcomes = run_together(
        [
            lambda: credit(clerk, billed, "CN-A", (("8", "100.00", 1),)),
            lambda: credit(clerk2, billed, "CN-B", (("8", "100.00", 1),)),
        ]
    )
    assert sorted(o.split(":")[0] for o in outcomes) == ["ValidationFailed", "ok"]
    assert credited_total(invoice_id=billed.id) == Decimal("800.00")
    assert len(invoice_list(document_type="credit_note").items) == 1


def test_a_matched_credit_note_lowers_the_dashboard_spend_and_unpaid_amounts(
    clerk, billed
):
    from dashboard.services import dashboard_refresh

    before = dashboard_refresh().figures
    note = credit(clerk, billed)
    invoice_reconcile(invoice_id=note.id, user=clerk)
    after = dashboard_refresh().figures
    [spend_before], [spend_after] = (
        before["spend_quarter"]["EUR"],
        after["spend_quarter"]["EUR"],
    )
    assert (spend_before["amount"], spend_after["amount"]) == ("1100.00", "900.00")
    unpaid = sum(
        Decimal(bucket["amount"]) for bucket in after["ageing"]["EUR"].values()
    )
    assert unpaid == Decimal("900.00")
