"""Invoices through the services: domain.md's worked examples on stored records."""

import datetime as dt
import threading
from decimal import Decimal

import pytest

from accounts.roles import user_roles
from audit.selectors import audit_history
from core.errors import (
    Duplicate,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from invoicing.events import JOB_USER
from invoicing.models import InvoiceStatus
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoices_awaiting_reconciliation
from invoicing.services import invoice_create
from purchasing.selectors import purchase_order_get
from purchasing.services import (
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_receive,
)

TODAY = dt.date.today().isoformat()


def lines(*pairs):
    return [
        {"description": f"Item {n}", "quantity": q, "unit_price": p}
        for n, (q, p) in enumerate(pairs, start=1)
    ]


def enter(clerk, po, number="INV-1", pairs=(("10", "100.00"), ("5", "20.00")), **extra):
    return invoice_create(
        user=clerk, po_id=po.id, invoice_number=number, invoice_date=TODAY,
        lines=lines(*pairs), **extra,
    )  # fmt: skip


def reconcile(clerk, invoice):
    stored, report = invoice_reconcile(invoice_id=invoice.id, user=clerk)
    return invoice_get(invoice_id=invoice.id), report


def test_entered_invoice_waits_for_reconciliation_with_due_date_from_terms(
    clerk, approved_po
):
    invoice = enter(clerk, approved_po, tax_amount="209.00", total_amount="1309.00")
    stored = invoice_get(invoice_id=invoice.id)
    assert (stored.status, stored.net_total, stored.total_amount) == (
        "received", Decimal("1100.00"), Decimal("1309.00"),
    )  # fmt: skip
    assert stored.due_date == (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert [i.id for i in invoices_awaiting_reconciliation().items] == [invoice.id]
    entries = audit_history(entity_type="invoice", entity_id=invoice.id).items
    assert [(e.type, e.action, e.user_id) for e in entries] == [
        ("INVOICE_ACTION", "CREATE", "clerk")
    ]


def test_worked_example_exact_invoice_matches_and_counts_on_the_po(clerk, approved_po):
    stored, report = reconcile(clerk, enter(clerk, approved_po))
    assert stored.status == "matched" and report.findings == ()
    assert invoices_awaiting_reconciliation().items == []
    po = purchase_order_get(po_id=approved_po.id)
    assert po.invoiced_total == Decimal("1100.00")
    assert [line.invoiced_quantity for line in po.items] == [
        Decimal("10"),
        Decimal("5"),
    ]
    (entry, _) = audit_history(entity_type="invoice", entity_id=stored.id).items
    assert (entry.action, entry.details["outcome"]) == ("RECONCILE", "matched")


def test_worked_example_small_variance_matches(clerk, approved_po):
    stored, _ = reconcile(
        clerk, enter(clerk, approved_po, pairs=(("10", "100.50"), ("5", "20.00")))
    )
    assert stored.status == "matched"


def test_worked_example_price_variance_is_rejected_with_its_findings(
    clerk, approved_po
):
    stored, report = reconcile(
        clerk, enter(clerk, approved_po, pairs=(("10", "103.00"), ("5", "20.00")))
    )
    assert stored.status == "rejected"
    assert [(f["code"], f["line"]) for f in stored.report["findings"]] == [
        ("PRICE_VARIANCE", 1), ("TOTAL_VARIANCE", None),
    ]  # fmt: skip
    assert purchase_order_get(po_id=approved_po.id).invoiced_total == Decimal("0.00")


def test_worked_example_extra_line_is_unmatched(clerk, approved_po):
    invoice = enter(
        clerk, approved_po, pairs=(("10", "100.00"), ("5", "20.00"), ("1", "50.00"))
    )
    stored, report = reconcile(clerk, invoice)
    assert (stored.status, report.codes) == ("rejected", ["UNMATCHED_LINE"])
    assert report.findings[0].line == 3


def test_worked_example_billing_twice_is_over_ordered_and_over_billed(
    clerk, approved_po
):
    reconcile(clerk, enter(clerk, approved_po, number="INV-1"))
    stored, report = reconcile(clerk, enter(clerk, approved_po, number="INV-2"))
    assert stored.status == "rejected"
    assert report.codes == ["QTY_OVER_ORDERED", "QTY_OVER_ORDERED", "OVER_BILLED"]


def test_worked_example_pending_po_is_not_approved(clerk, make_po):
    po = make_po()
    stored, report = reconcile(clerk, enter(clerk, po))
    assert (stored.status, report.codes) == ("rejected", ["PO_NOT_APPROVED"])


def test_three_way_invoice_waits_for_goods_then_matches_after_the_receipt(
    clerk, make_po, approver
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    invoice = enter(clerk, po)
    stored, report = reconcile(clerk, invoice)
    assert (stored.status, report.outcome.value) == ("received", "awaiting_receipt")
    assert [i.id for i in invoices_awaiting_reconciliation().items] == [invoice.id]
    entries_before = len(
        audit_history(entity_type="invoice", entity_id=invoice.id).items
    )
    invoice_reconcile(  # nothing new: no write
        invoice_id=invoice.id, user=JOB_USER, batch=True
    )
    assert (
        len(audit_history(entity_type="invoice", entity_id=invoice.id).items)
        == entries_before
    )
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "10", 2: "5"})
    stored, report = reconcile(clerk, invoice)
    assert stored.status == "matched"


@pytest.mark.parametrize("spelling", ["inv 42", "INV/42", "Inv.0042"])
def test_the_same_number_in_another_spelling_is_refused_with_a_link(
    clerk, approved_po, spelling
):
    first = enter(clerk, approved_po, number="INV-0042")
    with pytest.raises(Duplicate, match="already entered as INV-0042") as caught:
        enter(clerk, approved_po, number=spelling)
    assert caught.value.extra == {"existing_invoice_id": first.id}


def test_bad_invoices_are_refused_and_nothing_is_written(
    clerk, approved_po, make_po, requester
):
    with pytest.raises(ValidationFailed, match="is not the lines"):
        enter(clerk, approved_po, tax_amount="10.00", total_amount="1100.00")
    with pytest.raises(ValidationFailed) as caught:
        enter(clerk, approved_po, pairs=(("-1", "100.00"),), tax_amount="-5")
    assert {"items.0.quantity", "tax_amount"} <= set(caught.value.field_errors)
    with pytest.raises(NotFound):
        invoice_create(
            user=clerk,
            po_id="nope",
            invoice_number="X",
            invoice_date=TODAY,
            lines=lines(("1", "1")),
        )
    cancelled = make_po()
    purchase_order_cancel(po_id=cancelled.id, user=requester)
    with pytest.raises(ValidationFailed, match="is cancelled"):
        enter(clerk, cancelled)
    with pytest.raises(PermissionDenied):
        enter(requester, approved_po)
    assert invoices_awaiting_reconciliation().items == []


def test_only_received_invoices_are_reconciled(clerk, approved_po):
    invoice = enter(clerk, approved_po)
    reconcile(clerk, invoice)
    with pytest.raises(InvalidTransition, match="is matched; only received"):
        invoice_reconcile(invoice_id=invoice.id, user=clerk)


@pytest.mark.dynamodb_local_only
def test_two_clerks_entering_one_number_at_once_get_one_invoice(
    clerk, clerk2, approved_po
):
    # Read the clerks' roles now: SQLite refuses two threads reading them at once.
    for user in (clerk, clerk2):
        user_roles(user)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(user, spelling):
        barrier.wait()
        try:
            enter(user, approved_po, number=spelling)
            outcomes.append("ok")
        except Duplicate as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=submit, args=pair)
               for pair in [(clerk, "INV-0042"), (clerk2, "inv 42")]]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert "already entered" in [o for o in outcomes if o != "ok"][0]
    (stored,) = invoices_awaiting_reconciliation().items
    (entry,) = audit_history(entity_type="invoice", entity_id=stored.id).items
    assert entry.action == "CREATE" and entry.user_id == stored.submitted_by


@pytest.mark.dynamodb_local_only
def test_two_invoices_of_one_po_reconciled_at_once_cannot_both_bill_it(
    clerk, approved_po
):
    first, second = (
        enter(clerk, approved_po, number="A-1"),
        enter(clerk, approved_po, number="B-1"),
    )
    user_roles(clerk)  # read now: SQLite refuses two threads reading them at once
    barrier = threading.Barrier(2)

    def run(invoice):
        barrier.wait()
        invoice_reconcile(invoice_id=invoice.id, user=clerk)

    threads = [threading.Thread(target=run, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(invoice_get(invoice_id=i.id).status for i in (first, second))
    assert statuses == [InvoiceStatus.MATCHED, InvoiceStatus.REJECTED]
    assert purchase_order_get(po_id=approved_po.id).invoiced_total == Decimal("1100.00")
    for invoice in (first, second):
        actions = [
            (e.action, e.user_id)
            for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        ]
        assert actions.count(("RECONCILE", "clerk")) == 1, actions


def rejected_then_corrected(clerk, po, number: str = "INV-1"):
    """INV-1 billed 3% over the PO's price (rejected), corrected as `number`."""
    from invoicing.services import invoice_resubmit

    invoice = enter(clerk, po, pairs=(("10", "103.00"), ("5", "20.00")))
    stored, _ = reconcile(clerk, invoice)
    assert stored.status == "rejected"
    invoice_resubmit(
        invoice_id=invoice.id,
        user=clerk,
        version=stored.version,
        invoice_number=number,
        invoice_date=TODAY,
        lines=lines(("10", "100.00"), ("5", "20.00")),
    )
    return invoice


def test_rejected_invoice_corrected_and_resubmitted_matches(clerk, approved_po):
    invoice = rejected_then_corrected(clerk, approved_po)
    resubmitted = invoice_get(invoice_id=invoice.id)
    assert (resubmitted.status, resubmitted.report) == ("received", None)
    assert [i.id for i in invoices_awaiting_reconciliation().items] == [invoice.id]
    stored, _ = reconcile(clerk, resubmitted)
    assert stored.status == "matched"
    actions = [
        e.action
        for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
    ]
    assert actions == ["RECONCILE", "UPDATE", "RECONCILE", "CREATE"]


def test_every_entry_names_the_invoice_by_number_and_vendor(clerk, approved_po):
    invoice = rejected_then_corrected(clerk, approved_po, number="INV-1A")
    entries = audit_history(entity_type="invoice", entity_id=invoice.id).items
    assert [(e.action, e.record_label) for e in entries] == [
        ("UPDATE", "INV-1A · Acme Supplies GmbH"),  # named as corrected
        ("RECONCILE", "INV-1 · Acme Supplies GmbH"),
        ("CREATE", "INV-1 · Acme Supplies GmbH"),
    ]


def test_correcting_the_number_to_anothers_is_refused(clerk, approved_po):
    from invoicing.services import invoice_resubmit

    enter(clerk, approved_po, number="INV-7")
    second = enter(clerk, approved_po, number="INV-8")
    with pytest.raises(Duplicate, match="already entered as INV-7"):
        invoice_resubmit(
            invoice_id=second.id, user=clerk, version=1, invoice_number="inv 7",
            invoice_date=TODAY, lines=lines(("1", "100.00")),
        )  # fmt: skip
    assert invoice_get(invoice_id=second.id).invoice_number == "INV-8"


def test_void_frees_the_number_and_takes_a_matched_invoice_off_its_po(
    clerk, approved_po
):
    from invoicing.services import invoice_void

    invoice = enter(clerk, approved_po, number="INV-0042")
    reconcile(clerk, invoice)
    assert purchase_order_get(po_id=approved_po.id).invoiced_total == Decimal("1100.00")
    with pytest.raises(ValidationFailed, match="Say why"):
        invoice_void(invoice_id=invoice.id, user=clerk, reason=" ")
    invoice_void(invoice_id=invoice.id, user=clerk, reason="Sent to us by mistake")
    assert invoice_get(invoice_id=invoice.id).status == "void"
    po = purchase_order_get(po_id=approved_po.id)
    assert po.invoiced_total == Decimal("0.00")
    assert [line.invoiced_quantity for line in po.items] == [Decimal("0"), Decimal("0")]
    again = enter(clerk, approved_po, number="inv 42")  # the number is free again
    stored, _ = reconcile(clerk, again)
    assert stored.status == "matched"
    with pytest.raises(InvalidTransition, match="is void"):
        invoice_void(invoice_id=invoice.id, user=clerk, reason="twice")


def test_a_zero_priced_line_cannot_be_billed_twice(clerk, make_po, approver):
    po = make_po(("10", "100.00"), ("5", "0.00"))
    purchase_order_approve(po_id=po.id, user=approver)
    one_line = [
        {
            "description": "free",
            "quantity": "5",
            "unit_price": "0.00",
            "po_line_number": 2,
        }
    ]
    first = invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number="Z-1",
        invoice_date=TODAY,
        lines=one_line,
    )
    second = invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number="Z-2",
        invoice_date=TODAY,
        lines=one_line,
    )
    assert reconcile(clerk, first)[0].status == "matched"
    stored, report = reconcile(clerk, second)
    assert (stored.status, report.codes) == ("rejected", ["QTY_OVER_ORDERED"])


def test_a_po_with_invoices_cannot_be_deleted(clerk, make_po, requester):
    from purchasing.services import purchase_order_delete

    po = make_po()
    enter(clerk, po)
    with pytest.raises(InvalidTransition, match="has invoices entered against it"):
        purchase_order_delete(po_id=po.id, user=requester)
    assert purchase_order_get(po_id=po.id) is not None


def test_three_way_invoice_for_an_unreceived_line_waits_even_if_another_line_arrived(
    clerk, make_po, approver
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={2: "5"})
    line_one = [
        {
            "description": "x",
            "quantity": "10",
            "unit_price": "100.00",
            "po_line_number": 1,
        }
    ]
    invoice = invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number="W-1",
        invoice_date=TODAY,
        lines=line_one,
    )
    stored, report = reconcile(clerk, invoice)
    assert (stored.status, report.outcome.value) == ("received", "awaiting_receipt")


def test_absurdly_large_amounts_are_refused_not_crashed(clerk, approved_po):
    with pytest.raises(ValidationFailed) as caught:
        enter(clerk, approved_po, pairs=(("1e30", "100.00"),), tax_amount="1e30")
    assert "too large" in caught.value.field_errors["items.0.quantity"]
    assert "too large" in caught.value.field_errors["tax_amount"]


def test_the_po_history_shows_what_each_invoice_billed_and_what_a_void_took_back(
    clerk, approved_po
):
    from invoicing.services import invoice_void

    invoice, _ = reconcile(clerk, enter(clerk, approved_po))
    assert invoice.status == "matched"
    invoice_void(invoice_id=invoice.id, user=clerk, reason="Sent twice by mistake")
    page = audit_history(entity_type="purchase_order", entity_id=approved_po.id)
    billed, taken_back = page.items[1], page.items[0]  # newest first
    assert (billed.action, taken_back.action) == ("RECONCILE", "VOID")
    assert billed.details["invoice"] == "INV-1"
    assert billed.details["before"]["invoiced_total"] == "0"
    assert billed.details["after"]["invoiced_total"] == "1100.00"
    assert billed.details["after"]["invoiced_quantities"] == {"1": "10", "2": "5"}
    assert taken_back.details["after"]["invoiced_total"] == "0.00"
