"""
Issue 19: the reconciliation queue split into shards (`reconcile_invoices
--shard K --shards N`, the Lambda's {"shard": K, "shards": N}): disjoint,
PO-affine shares, each invoice reconciled once by runs side by side.
"""

import datetime as dt
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry
from audit.selectors import audit_history
from invoicing.credit_notes import credit_note_create
from invoicing.jobs import ShardRefused, reconcile_waiting_invoices
from invoicing.lambda_handler import lambda_handler
from invoicing.models import AWAITING, QUEUE_BUCKETS, Invoice, queue_bucket
from invoicing.selectors import invoice_get, invoices_awaiting_reconciliation
from invoicing.services import invoice_create, invoice_resubmit
from purchasing.services import purchase_order_approve
from tests.conftest import BACKEND

TODAY = dt.date.today().isoformat()
# moto's backend is not thread-safe; threads are exercised on DynamoDB Local.
WORKERS = 1 if BACKEND == "moto" else 2


def enter(clerk, po, number, quantity="10"):
    return invoice_create(
        user=clerk, po_id=po.id, invoice_number=number, invoice_date=TODAY,
        lines=[{"description": "Item 1", "quantity": quantity, "unit_price": "100.00"},
               {"description": "Item 2", "quantity": "5", "unit_price": "20.00"}],
    )  # fmt: skip


def shard_of(invoice, shards=2) -> int:
    """The shard that reads `invoice`, from its stored queue key."""
    queue = invoice_get(invoice_id=invoice.id).queue
    return 0 if queue == AWAITING else int(queue.removeprefix("awaiting#")) % shards


def pos_in_both_shards(make_po, approver, each=2):
    """Approved POs, at least `each` of them in either shard of two."""
    by_shard = {0: [], 1: []}
    while min(len(pos) for pos in by_shard.values()) < each:
        po = purchase_order_approve(po_id=make_po().id, user=approver)
        by_shard[queue_bucket(po_id=po.id, vendor_id=po.vendor_id) % 2].append(po)
    return by_shard[0][:each] + by_shard[1][:each]


def run(*args):
    out = StringIO()
    call_command("reconcile_invoices", *args, "--workers", str(WORKERS), stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("reconcile_invoices", *args, stdout=StringIO())
    assert caught.value.returncode == 2
    return caught.value


def reconciliations(invoice) -> list[str]:
    return [
        e.action
        for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        if e.action in ("RECONCILE", "BATCH_RECONCILE")
    ]


def test_waiting_invoices_carry_their_pos_bucket_and_leave_the_queue_when_reconciled(
    clerk, make_po, approver, active_vendor
):
    po = purchase_order_approve(po_id=make_po().id, user=approver)
    bucket = f"awaiting#{queue_bucket(po_id=po.id, vendor_id=po.vendor_id):02d}"
    first, second = enter(clerk, po, "INV-1"), enter(clerk, po, "INV-2")
    note = credit_note_create(
        user=clerk, vendor_id=active_vendor.id, invoice_number="REBATE-1",
        invoice_date=TODAY, lines=[{"description": "Rebate", "quantity": "1",
                                    "unit_price": "15.00"}],
    )  # fmt: skip
    assert [invoice_get(invoice_id=i.id).queue for i in (first, second)] == [bucket] * 2
    without_po = queue_bucket(po_id=None, vendor_id=active_vendor.id)
    assert invoice_get(invoice_id=note.id).queue == f"awaiting#{without_po:02d}"
    assert 0 <= without_po < QUEUE_BUCKETS

    stats = run()
    assert (stats["matched"], stats["rejected"]) == (2, 1)  # INV-2 over-bills
    assert (stats["shard"], stats["shards"]) == (None, None)  # the whole queue
    assert invoice_get(invoice_id=first.id).queue is None
    # Corrected, the rejected invoice waits in its PO's bucket again.
    rejected = invoice_get(invoice_id=second.id)
    invoice_resubmit(
        invoice_id=rejected.id, user=clerk, version=rejected.version,
        invoice_number="INV-2", invoice_date=TODAY,
        lines=[{"description": "Item 1", "quantity": "1", "unit_price": "100.00"}],
    )  # fmt: skip
    assert invoice_get(invoice_id=second.id).queue == bucket
    assert [i.id for i in invoices_awaiting_reconciliation().items] == [second.id]


def test_each_shard_takes_its_own_pos_and_says_which_shard_it_was(
    clerk, make_po, approver
):
    pos = pos_in_both_shards(make_po, approver)
    invoices = [
        enter(clerk, po, f"INV-{n}-{k}") for n, po in enumerate(pos) for k in (1, 2)
    ]
    mine = {k: {i.id for i in invoices if shard_of(i) == k} for k in (0, 1)}
    assert len(mine[0]) == len(mine[1]) == 4  # two POs of two invoices each

    stats = run("--shard", "1", "--shards", "2")
    assert (stats["processed"], stats["matched"], stats["rejected"]) == (4, 2, 2)
    assert (stats["shard"], stats["shards"]) == (1, 2)
    waiting = {i.id for i in invoices_awaiting_reconciliation().items}
    assert waiting == mine[0]  # shard 0's invoices are untouched
    assert run("--shard", "1", "--shards", "2")["processed"] == 0
    assert run("--shard", "0", "--shards", "2")["processed"] == 4
    for invoice in invoices:
        assert reconciliations(invoice) == ["BATCH_RECONCILE"]
        # A PO's two invoices in one shard: the first matched, the second saw it.
        status = invoice_get(invoice_id=invoice.id).status
        assert status == (
            "matched" if invoice.invoice_number.endswith("-1") else "rejected"
        )
    completions = [
        (e.details["shard"], e.details["shards"], e.details["processed"])
        for e in AuditEntry.user_index.query("reconciliation_job")
        if e.action == "JOB_COMPLETE"
    ]
    assert sorted(completions) == [(0, 2, 4), (1, 2, 0), (1, 2, 4)]


def test_invoices_waiting_under_the_old_single_key_are_read_by_shard_0(
    clerk, make_po, approver
):
    pos = pos_in_both_shards(make_po, approver, each=1)
    old = [enter(clerk, po, f"OLD-{n}") for n, po in enumerate(pos)]
    for invoice in old:  # as a deployment before the buckets stored them
        Invoice.get(invoice.id).update(actions=[Invoice.queue.set(AWAITING)])
    assert run("--shard", "1", "--shards", "2")["processed"] == 0
    assert run("--shard", "0", "--shards", "2")["matched"] == 2
    assert invoices_awaiting_reconciliation().items == []


def test_a_run_without_shards_still_reads_the_old_key_and_every_bucket(
    clerk, make_po, approver
):
    pos = pos_in_both_shards(make_po, approver, each=1)
    old, new = enter(clerk, pos[0], "OLD-1"), enter(clerk, pos[1], "NEW-1")
    Invoice.get(old.id).update(actions=[Invoice.queue.set(AWAITING)])
    assert reconcile_waiting_invoices(workers=WORKERS).matched == 2
    assert [invoice_get(invoice_id=i.id).status for i in (old, new)] == ["matched"] * 2


def test_the_lambda_event_takes_a_shard(clerk, make_po, approver):
    pos = pos_in_both_shards(make_po, approver, each=1)
    for n, po in enumerate(pos):
        enter(clerk, po, f"INV-{n}")
    stats = lambda_handler({"shard": 0, "shards": 2, "workers": WORKERS}, None)
    assert (stats["processed"], stats["shard"], stats["shards"]) == (1, 0, 2)
    stats = lambda_handler({"workers": WORKERS}, None)  # the old event: the rest
    assert (stats["processed"], stats["shard"]) == (1, None)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "2", "--shards", "2"], "--shard must be between 0 and 1 with --shards 2; got 2."),
        (["--shard", "-1", "--shards", "2"], "--shard must be between 0 and 1 with --shards 2; got -1."),
        (["--shard", "0", "--shards", "17"], "--shards must be between 1 and 16 (the queue has 16 buckets); got 17."),
        (["--shard", "0", "--shards", "0"], "--shards must be between 1 and 16 (the queue has 16 buckets); got 0."),
        (["--shard", "1"], "--shard and --shards go together: give both, or neither to reconcile the whole queue."),
        (["--shards", "4"], "--shard and --shards go together: give both, or neither to reconcile the whole queue."),
    ],
)  # fmt: skip
def test_a_share_that_is_not_one_is_refused_by_name(clerk, approved_po, args, message):
    invoice = enter(clerk, approved_po, "INV-1")
    assert str(refused(*args)) == message
    assert invoice_get(invoice_id=invoice.id).status == "received"  # nothing ran


def test_the_lambda_refuses_a_share_that_is_not_one(clerk, approved_po):
    invoice = enter(clerk, approved_po, "INV-1")
    with pytest.raises(
        ShardRefused, match='"shard" must be between 0 and 2 with "shards" 3; got 3.'
    ):
        lambda_handler({"shard": 3, "shards": 3}, None)
    with pytest.raises(ShardRefused, match='"shard" and "shards" go together'):
        lambda_handler({"shards": 3}, None)
    assert invoice_get(invoice_id=invoice.id).status == "received"


def test_one_shard_takes_the_whole_queue(clerk, make_po, approver):
    pos = pos_in_both_shards(make_po, approver, each=1)
    for n, po in enumerate(pos):
        enter(clerk, po, f"INV-{n}")
    stats = run("--shard", "0", "--shards", "1")
    assert (stats["processed"], stats["shard"], stats["shards"]) == (2, 0, 1)


def test_shares_are_disjoint_po_affine_and_cover_the_queue(clerk, make_po, approver):
    pos = [purchase_order_approve(po_id=make_po().id, user=approver) for _ in range(6)]
    invoices = [
        enter(clerk, po, f"INV-{n}-{k}") for n, po in enumerate(pos) for k in (1, 2)
    ]
    everything = {i.id for i in invoices}
    for shards in (1, 2, 3, 16):
        shares = [
            {i.id: i.po_id for i in invoices_awaiting_reconciliation(shard=k, shards=shards, limit=100).items}
            for k in range(shards)
        ]  # fmt: skip
        assert sum(len(share) for share in shares) == len(everything)
        assert set().union(*shares) == everything
        for share in shares:  # a PO's invoices are all in one share
            assert all(
                sum(po in s.values() for s in shares) == 1 for po in share.values()
            )
    assert {i.id for i in invoices_awaiting_reconciliation().items} == everything


@pytest.mark.dynamodb_local_only
def test_two_shards_side_by_side_and_an_overlapping_run_reconcile_each_invoice_once(
    clerk, make_po, approver
):
    pos = pos_in_both_shards(make_po, approver, each=3)
    invoices = [
        enter(clerk, po, f"INV-{n}-{k}") for n, po in enumerate(pos) for k in (1, 2)
    ]
    # One waits under the old single key (shard 0 reads it).
    Invoice.get(invoices[0].id).update(actions=[Invoice.queue.set(AWAITING)])
    shares = {
        k: {i.id for i in invoices_awaiting_reconciliation(shard=k, shards=2).items}
        for k in (0, 1)
    }
    assert not shares[0] & shares[1]
    assert shares[0] | shares[1] == {i.id for i in invoices}
    results = {}
    barrier = threading.Barrier(3)

    def job(name, shard):
        barrier.wait()
        results[name] = reconcile_waiting_invoices(workers=2, shard=shard, shards=2)

    threads = [
        threading.Thread(target=job, args=args)
        for args in (("shard 0", 0), ("shard 1", 1), ("shard 0 again", 0))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {"shard 0", "shard 1", "shard 0 again"}
    assert sum(r.errors for r in results.values()) == 0
    done = sum(r.matched + r.rejected for r in results.values())
    assert done == len(invoices)  # once each, between the runs
    # Shard 1 took only its own share, the two runs of shard 0 only theirs.
    assert results["shard 1"].matched + results["shard 1"].rejected == len(shares[1])
    assert results["shard 1"].processed == len(shares[1])
    zero = [results["shard 0"], results["shard 0 again"]]
    assert sum(r.matched + r.rejected for r in zero) == len(shares[0])
    for invoice in invoices:
        assert reconciliations(invoice) == ["BATCH_RECONCILE"], invoice.invoice_number
        # A PO's first invoice matched; its second saw what the first billed.
        status = invoice_get(invoice_id=invoice.id).status
        assert status == (
            "matched" if invoice.invoice_number.endswith("-1") else "rejected"
        )
    assert invoices_awaiting_reconciliation().items == []
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "TAMPERED" not in out.getvalue()
