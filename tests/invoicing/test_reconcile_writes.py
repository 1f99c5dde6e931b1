"""
The job's writes built without PynamoDB's update actions (core.field_updates)
are the ones PynamoDB would send: for a matched invoice, a rejected one, one
still awaiting its receipt and a matched credit note, every Update of the
transaction is compared, operation for operation, with PynamoDB's own
`get_update_kwargs_from_instance`, and the audit trail still verifies.
"""

import datetime as dt
from decimal import Decimal

from audit.selectors import audit_history
from core import field_updates
from invoicing.credit_notes import credit_note_create
from invoicing.jobs import reconcile_waiting_invoices
from invoicing.models import Invoice
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.models import PurchaseOrder
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve
from tests.audit.digest_helpers import verify
from tests.field_update_checks import pynamodb_update

TODAY = dt.date.today().isoformat()
NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


def enter(clerk, po, number, *triples):
    return invoice_create(
        user=clerk, po_id=po.id, invoice_number=number, invoice_date=TODAY,
        lines=[
            {"description": f"Item {n}", "quantity": q, "unit_price": p,
             "po_line_number": ln}
            for n, (q, p, ln) in enumerate(triples, start=1)
        ],
    )  # fmt: skip


def test_the_jobs_updates_are_pynamodbs_for_every_outcome(
    clerk, make_po, approver, compared
):
    two_way = make_po()
    purchase_order_approve(po_id=two_way.id, user=approver)
    three_way = make_po(match_type="3-way")
    purchase_order_approve(po_id=three_way.id, user=approver)
    matched = enter(clerk, two_way, "INV-1", ("10", "100.00", 1), ("5", "20.00", 2))
    rejected = enter(clerk, two_way, "INV-2", ("1", "150.00", 1))
    waiting = enter(clerk, three_way, "INV-3", ("10", "100.00", 1))
    stats = reconcile_waiting_invoices(workers=1)
    assert (stats.matched, stats.rejected, stats.awaiting_receipt) == (1, 1, 1)
    note = credit_note_create(
        user=clerk, credited_invoice_id=matched.id, invoice_number="CN-1",
        invoice_date=TODAY,
        lines=[{"description": "Back", "quantity": "2", "unit_price": "100.00",
                "po_line_number": 1}],
    )  # fmt: skip
    assert reconcile_waiting_invoices(workers=1).matched == 1

    statuses = {
        number: invoice_get(invoice_id=i.id).status
        for number, i in [("INV-1", matched), ("INV-2", rejected), ("INV-3", waiting),
                          ("CN-1", note)]
    }  # fmt: skip
    assert statuses == {
        "INV-1": "matched", "INV-2": "rejected", "INV-3": "received", "CN-1": "matched",
    }  # fmt: skip
    po = purchase_order_get(po_id=two_way.id)
    assert po.invoiced_total == Decimal("900.00")  # 1,100.00 billed, 200.00 credited
    assert [line.invoiced_quantity for line in po.items][0] == Decimal("8")
    # The invoice updates of both runs and the PO's (invoice, credit note).
    assert compared["Invoice"] >= 4 and compared["PurchaseOrder"] >= 2
    assert compared["put AuditEntry"] >= 6  # each invoice's entry, the POs'
    entry = audit_history(entity_type="invoice", entity_id=waiting.id).items[0]
    assert entry.action == "BATCH_RECONCILE"
    code, printed = verify()
    assert code == 0, printed


def test_an_update_operation_removes_none_and_moves_a_missing_version(compared):
    invoice = Invoice(id="inv-1")  # never written: no version yet
    fields = {"status": "matched", "queue": None, "reconciled_at": NOW}
    operation = field_updates.update_operation(
        invoice, fields, condition=Invoice.status == "received"
    )
    assert operation == pynamodb_update(
        invoice, fields, condition=Invoice.status == "received"
    )
    assert operation["UpdateExpression"].startswith("SET ")
    assert " REMOVE " in operation["UpdateExpression"]
    po = PurchaseOrder(id="po-1", version=3)
    head = {"audit_length": 4, "audit_hash": "f" * 64}
    assert field_updates.update_operation(
        po, head, add_version_condition=False
    ) == pynamodb_update(po, head, add_version_condition=False)
