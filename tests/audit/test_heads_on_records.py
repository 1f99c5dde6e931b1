"""
Invoices and POs keep their audit chain head on themselves, moved inside
their own write: a reconciliation writes at most 4 items, and `verify_audit`
still catches every edited, removed or inserted entry, a deleted record's
removed last entries included (its final head is left as a tombstone).
"""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from pynamodb.connection.base import Connection

from audit.entries import entity_key
from audit.models import AuditChainHead, AuditEntry
from core.errors import StaleRecord
from invoicing.jobs import reconcile_waiting_invoices
from invoicing.models import Invoice
from invoicing.reconciliation import invoice_reconcile, invoice_reconcile_error_record
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.models import PurchaseOrder
from purchasing.selectors import purchase_order_get
from purchasing.services import (
    purchase_order_approve,
    purchase_order_delete,
    purchase_order_update,
)
from tests.conftest import po_lines, run_together

TODAY = dt.date.today()


def verify() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def history(entity_type, entity_id):
    key = entity_key(entity_type, entity_id)
    return list(AuditEntry.entity_index.query(key, scan_index_forward=True))


@pytest.fixture
def sent_transactions(monkeypatch):
    """The number of items of each TransactWriteItems sent, in order."""
    sizes = []
    send = Connection.transact_write_items

    def counted(self, *args, **kwargs):
        sizes.append(
            sum(
                len(kwargs.get(name) or [])
                for name in (
                    "condition_check_items",
                    "delete_items",
                    "put_items",
                    "update_items",
                )
            )
        )
        return send(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "transact_write_items", counted)
    return sizes


@pytest.fixture
def approved_po(make_po, approver):
    po = make_po()
    return purchase_order_approve(po_id=po.id, user=approver)


def enter(clerk, po, number, price="100.00"):
    return invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=TODAY - dt.timedelta(days=3),
        lines=po_lines(("10", price), ("5", "20.00")),
    )


@pytest.mark.parametrize(
    ("price", "status"), [("100.00", "matched"), ("300.00", "rejected")]
)
def test_a_reconciliation_writes_at_most_4_items(
    approved_po, clerk, sent_transactions, price, status
):
    invoice = enter(clerk, approved_po, "INV-1", price)
    sent_transactions.clear()
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    assert invoice_get(invoice_id=invoice.id).status == status
    assert len(sent_transactions) == 1
    assert sent_transactions[0] <= 4
    assert verify()[0] == 0


@pytest.mark.parametrize(
    ("price", "status"), [("100.00", "matched"), ("300.00", "rejected")]
)
def test_the_job_writes_at_most_4_items_a_reconciled_invoice(
    make_po, approver, clerk, sent_transactions, price, status
):
    invoices = []
    for n in range(3):
        po = purchase_order_approve(po_id=make_po().id, user=approver)
        invoices.append(enter(clerk, po, f"INV-{n}", price))
    sent_transactions.clear()
    stats = reconcile_waiting_invoices(workers=1)
    assert getattr(stats, status) == 3
    # The run's own completion entry is one transaction of its own.
    reconciling = [size for size in sent_transactions if size > 2]
    assert sum(reconciling) <= 4 * 3
    for invoice in invoices:
        assert invoice_get(invoice_id=invoice.id).status == status
    assert verify()[0] == 0


def test_the_head_is_on_the_record(approved_po, clerk):
    invoice = enter(clerk, approved_po, "INV-1")
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    for entity_type, model_cls, record_id in [
        ("invoice", Invoice, invoice.id),
        ("purchase_order", PurchaseOrder, approved_po.id),
    ]:
        entries = history(entity_type, record_id)
        record = model_cls.get(record_id)
        assert record.audit_length == len(entries) == entries[-1].seq
        assert record.audit_hash == entries[-1].entry_hash
        with pytest.raises(AuditChainHead.DoesNotExist):
            AuditChainHead.get(AuditChainHead.key(entity_key(entity_type, record_id)))


@pytest.fixture
def reconciled(approved_po, clerk):
    invoice = enter(clerk, approved_po, "INV-1")
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    # A third entry on the invoice, which changes nothing on it.
    invoice_reconcile_error_record(invoice=invoice, error="a later failure")
    return invoice, approved_po


@pytest.mark.parametrize("entity_type", ["invoice", "purchase_order"])
def test_an_edited_entry_is_caught(reconciled, entity_type):
    record = reconciled[0] if entity_type == "invoice" else reconciled[1]
    entry = history(entity_type, record.id)[0]
    entry.update(actions=[AuditEntry.user_id.set("someone-else")])
    code, output = verify()
    assert code == 1
    assert f"{entity_type} {record.id}: entry {entry.id} (#1" in output
    assert "altered" in output


@pytest.mark.parametrize("entity_type", ["invoice", "purchase_order"])
def test_removed_entries_are_caught_in_the_middle_and_at_the_end(
    reconciled, entity_type
):
    record = reconciled[0] if entity_type == "invoice" else reconciled[1]
    entries = history(entity_type, record.id)
    assert len(entries) >= 3
    entries[-1].delete()
    code, output = verify()
    assert code == 1
    assert f"entries #{len(entries)} at the end: removed" in output
    entries[0].delete()
    code, output = verify()
    assert code == 1 and "entries #1 before entry" in output


@pytest.mark.parametrize("entity_type", ["invoice", "purchase_order"])
def test_an_inserted_entry_is_caught(reconciled, entity_type):
    record = reconciled[0] if entity_type == "invoice" else reconciled[1]
    original = history(entity_type, record.id)[0]
    forged = AuditEntry.from_raw_data(original.serialize())
    forged.id = "forged-entry"
    forged.save()
    code, output = verify()
    assert code == 1 and "entry forged-entry" in output and "inserted" in output


@pytest.mark.parametrize("entity_type", ["invoice", "purchase_order"])
def test_every_entry_of_a_record_removed_is_caught(reconciled, entity_type):
    record = reconciled[0] if entity_type == "invoice" else reconciled[1]
    entries = history(entity_type, record.id)
    for entry in entries:
        entry.delete()
    code, output = verify()
    assert code == 1
    numbers = ", ".join(f"#{n}" for n in range(1, len(entries) + 1))
    assert f"{entity_type} {record.id}: entries {numbers} at the end: removed" in output


def test_a_deleted_po_leaves_its_head_and_its_removed_last_entries_are_caught(
    make_po, requester
):
    po = make_po()
    purchase_order_delete(po_id=po.id, user=requester, version=po.version)
    assert purchase_order_get(po_id=po.id) is None
    entries = history("purchase_order", po.id)
    tombstone = AuditChainHead.get(
        AuditChainHead.key(entity_key("purchase_order", po.id))
    )
    assert (tombstone.length, tombstone.last_hash) == (
        len(entries),
        entries[-1].entry_hash,
    )
    assert verify()[0] == 0
    entries[-1].delete()  # the deletion's own entry
    code, output = verify()
    assert code == 1
    assert (
        f"purchase_order {po.id}: entries #{len(entries)} at the end: removed" in output
    )


def test_a_record_whose_head_is_still_an_item_continues_its_chain(make_po, requester):
    """A PO written before heads moved onto records: its next write moves it."""
    po = make_po(("2", "10.00"))
    key = entity_key("purchase_order", po.id)
    entries = history("purchase_order", po.id)
    # As the earlier code left it: the head in its own item, none on the PO.
    AuditChainHead(
        AuditChainHead.key(key), last_hash=entries[-1].entry_hash, length=len(entries)
    ).save()
    stored = PurchaseOrder.get(po.id)
    stored.update(
        actions=[PurchaseOrder.audit_length.remove(), PurchaseOrder.audit_hash.remove()]
    )
    assert verify()[0] == 0
    purchase_order_update(
        po_id=po.id, user=requester, version=stored.version,
        lines=po_lines(("3", "10.00")),
    )  # fmt: skip
    after = history("purchase_order", po.id)
    assert [e.seq for e in after] == list(range(1, len(entries) + 2))
    assert after[len(entries)].prev_hash == entries[-1].entry_hash
    moved = PurchaseOrder.get(po.id)
    assert (moved.audit_length, moved.audit_hash) == (len(after), after[-1].entry_hash)
    assert AuditChainHead.get(AuditChainHead.key(key)).moved
    assert verify()[0] == 0
    # The retired item is never a head again: a PO stripped of its head fails.
    moved.update(
        actions=[PurchaseOrder.audit_length.remove(), PurchaseOrder.audit_hash.remove()]
    )
    code, output = verify()
    assert code == 1 and "the chain's head is missing" in output


def test_an_entry_that_changes_no_record_moves_the_records_head(reconciled):
    invoice = reconciled[0]
    invoice_reconcile_error_record(invoice=invoice, error="PO unreadable")
    entries = history("invoice", invoice.id)
    stored = Invoice.get(invoice.id)
    assert entries[-1].details_json and "PO unreadable" in entries[-1].details_json
    assert (stored.audit_length, stored.audit_hash) == (
        len(entries),
        entries[-1].entry_hash,
    )
    assert verify()[0] == 0


def test_an_entry_that_changes_no_record_leaves_its_version(approved_po, clerk):
    # Moving only the head once set the record's version back to 1, so an
    # edit made on a page rendered at version 1 would have been accepted.
    invoice = enter(clerk, approved_po, "INV-V")
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    stored = invoice_get(invoice_id=invoice.id)
    assert (stored.status, stored.version) == ("matched", 2)
    invoice_reconcile_error_record(invoice=stored, error="PO unreadable")
    invoice_reconcile_error_record(invoice=stored, error="PO unreadable again")
    again = Invoice.get(invoice.id)
    assert again.version == 2
    assert again.audit_length == len(history("invoice", invoice.id)) == 4
    assert verify()[0] == 0


@pytest.mark.dynamodb_local_only
def test_two_writers_racing_on_one_chain_never_fork_it(approved_po, clerk):
    invoice = enter(clerk, approved_po, "INV-1")
    stale = invoice_get(invoice_id=invoice.id)
    for round_ in range(4):
        outcomes = []

        def error(n, round_=round_, outcomes=outcomes):
            try:
                invoice_reconcile_error_record(
                    invoice=stale, error=f"round {round_} writer {n}"
                )
                outcomes.append("ok")
            except StaleRecord:
                outcomes.append("stale")

        run_together([lambda: error(1), lambda: error(2), lambda: error(3)])
        assert "ok" in outcomes
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    # In their chain's order, as verify_audit reads them: a writer stamps its
    # entry before it reads the head, so racing writers' times may cross.
    entries = sorted(history("invoice", invoice.id), key=lambda e: e.seq)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.entry_hash
    assert Invoice.get(invoice.id).audit_length == len(entries)
    details = [json.loads(e.details_json) for e in entries]
    assert sum("round" in str(d) for d in details) >= 4
    assert verify()[0] == 0
