"""`manage.py reconcile_invoices`: the scheduled batch job."""

import datetime as dt
import json
import logging
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

import dashboard.services
import invoicing.jobs
from audit.selectors import audit_history
from core import dynamo
from core.errors import ServiceUnavailable
from invoicing.jobs import reconcile_waiting_invoices
from invoicing.lambda_handler import lambda_handler
from invoicing.selectors import (
    invoice_get,
    invoice_statistics_get,
    invoices_awaiting_reconciliation,
)
from invoicing.services import invoice_create, invoice_void
from purchasing.models import PurchaseOrder
from purchasing.services import purchase_order_approve, purchase_order_receive
from tests.conftest import BACKEND

TODAY = dt.date.today().isoformat()


def enter(clerk, po, number, *pairs):
    return invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=TODAY,
        lines=[
            {"description": f"Item {n}", "quantity": q, "unit_price": p}
            for n, (q, p) in enumerate(pairs or [("10", "100.00"), ("5", "20.00")], 1)
        ],
    )


# moto's backend is not thread-safe; threads are exercised on DynamoDB Local.
WORKERS = ["--workers", "1"] if BACKEND == "moto" else []
LAMBDA_EVENT = {"workers": 1} if BACKEND == "moto" else {}


def matched_this_week() -> int:
    """What the dashboard's match-rate chart shows for this week."""
    return invoice_statistics_get().figures["match_rate"][-1]["matched"]


def run(*args):
    out = StringIO()
    call_command("reconcile_invoices", *args, *WORKERS, stdout=out)
    lines = out.getvalue().strip().splitlines()
    return json.loads(lines[-1]), lines


def test_job_reconciles_every_waiting_invoice_and_reports_statistics(
    clerk, approved_po, make_po
):
    good = enter(clerk, approved_po, "INV-1")
    bad = enter(clerk, approved_po, "INV-2", ("10", "103.00"), ("5", "20.00"))
    pending_po = make_po()
    on_pending = enter(clerk, pending_po, "INV-3")
    stats, lines = run()
    assert {k: stats[k] for k in ("processed", "matched", "rejected", "errors", "skipped")} == {
        "processed": 3, "matched": 1, "rejected": 2, "errors": 0, "skipped": 0,
    }  # fmt: skip
    assert "duration_s" in stats and "awaiting_receipt" in stats
    assert invoice_get(invoice_id=good.id).status == "matched"
    assert (
        invoice_get(invoice_id=bad.id).report["findings"][0]["code"] == "PRICE_VARIANCE"
    )
    entry = audit_history(entity_type="invoice", entity_id=on_pending.id).items[0]
    assert (entry.action, entry.user_id) == ("BATCH_RECONCILE", "reconciliation_job")
    assert invoices_awaiting_reconciliation().items == []
    assert "reconciled 3 invoices so far" in lines  # plain lines when not a terminal


def test_an_invoice_that_fails_is_recorded_by_its_number_and_the_job_goes_on(
    clerk, approved_po, make_po, approver
):
    good = enter(clerk, approved_po, "INV-1")
    gone_po = purchase_order_approve(po_id=make_po().id, user=approver)
    broken = enter(clerk, gone_po, "INV-9")
    # Its PO vanished (deleted in the table): it cannot be reconciled.
    PurchaseOrder.get(gone_po.id).delete()

    stats = reconcile_waiting_invoices(workers=1)

    assert (stats.matched, stats.errors) == (1, 1)
    assert invoice_get(invoice_id=good.id).status == "matched"
    assert invoice_get(invoice_id=broken.id).status == "received"  # tried again later
    entry = audit_history(entity_type="invoice", entity_id=broken.id).items[0]
    assert entry.action == "RECONCILE_ERROR"
    assert entry.record_label == f"INV-9 · {broken.vendor_name}"
    assert entry.details["error"] == "The PO of invoice INV-9 no longer exists."


def test_dry_run_writes_nothing(clerk, approved_po):
    invoice = enter(clerk, approved_po, "INV-1")
    stats, lines = run("--dry-run")
    assert stats["processed"] == 1 and stats["matched"] == 1
    assert "Dry run: nothing was written." in lines
    assert invoice_get(invoice_id=invoice.id).status == "received"
    assert len(audit_history(entity_type="invoice", entity_id=invoice.id).items) == 1
    assert invoice_statistics_get() is None  # no figures recomputed either


def test_limit_stops_after_that_many(clerk, approved_po):
    for number in range(3):
        enter(clerk, approved_po, f"INV-{number}", ("1", "100.00"))
    stats, _ = run("--limit", "2")
    assert stats["processed"] == 2
    assert len(invoices_awaiting_reconciliation().items) == 1


def test_three_way_invoice_matches_when_the_job_runs_after_the_receipt(
    clerk, make_po, approver
):
    po = make_po(match_type="3-way")
    purchase_order_approve(po_id=po.id, user=approver)
    invoice = enter(clerk, po, "INV-1")
    stats, _ = run()
    assert stats["awaiting_receipt"] == 1
    assert invoice_get(invoice_id=invoice.id).status == "received"
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "10", 2: "5"})
    stats, _ = run()
    assert stats["matched"] == 1
    assert invoice_get(invoice_id=invoice.id).status == "matched"


def test_unreachable_dynamodb_exits_2_with_one_line(settings, db):
    settings.DYNAMODB_ENDPOINT_URL = "http://127.0.0.1:9"
    settings.DYNAMODB_CONNECT_TIMEOUT_SECONDS = 1
    dynamo.configure_models()
    with pytest.raises(CommandError, match="Could not reach DynamoDB") as caught:
        call_command("reconcile_invoices", stdout=StringIO())
    assert caught.value.returncode == 2


def test_job_completion_is_on_the_audit_trail_and_the_lambda_returns_stats(
    clerk, approved_po
):
    enter(clerk, approved_po, "INV-1")
    stats = lambda_handler(LAMBDA_EVENT, None)
    assert stats["processed"] == 1 and stats["matched"] == 1
    from audit.models import AuditEntry

    completions = [
        e
        for e in AuditEntry.user_index.query("reconciliation_job")
        if e.action == "JOB_COMPLETE"
    ]
    assert len(completions) == 1 and completions[0].details["matched"] == 1


@pytest.mark.dynamodb_local_only
def test_two_overlapping_runs_reconcile_each_invoice_once(clerk, make_po, approver):
    pos = []
    for _ in range(4):
        po = make_po()
        purchase_order_approve(po_id=po.id, user=approver)
        pos.append(po)
    invoices = [enter(clerk, po, f"INV-{n}") for n, po in enumerate(pos)]
    results = []
    barrier = threading.Barrier(2)

    def job():
        barrier.wait()
        results.append(reconcile_waiting_invoices(workers=2))

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.matched for r in results) == 4
    assert sum(r.errors for r in results) == 0
    for invoice in invoices:
        actions = [
            e.action
            for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        ]
        assert actions.count("BATCH_RECONCILE") == 1, actions
        assert invoice_get(invoice_id=invoice.id).status == "matched"


def test_a_second_invoice_of_the_same_po_in_one_run_sees_the_first(clerk, approved_po):
    first = enter(clerk, approved_po, "INV-1")
    second = enter(clerk, approved_po, "INV-2")
    stats, _ = run()
    assert (stats["matched"], stats["rejected"]) == (1, 1)
    assert invoice_get(invoice_id=first.id).status == "matched"
    report = invoice_get(invoice_id=second.id).report
    assert [f["code"] for f in report["findings"]] == [
        "QTY_OVER_ORDERED",
        "QTY_OVER_ORDERED",
        "OVER_BILLED",
    ]


def test_the_limit_holds_across_pages(clerk, make_po, approver, monkeypatch):
    monkeypatch.setattr(invoicing.jobs, "PAGE", 2)
    invoices = []
    for number in range(5):
        po = purchase_order_approve(po_id=make_po().id, user=approver)
        invoices.append(enter(clerk, po, f"INV-{number}"))
    stats, _ = run("--limit", "3")
    assert (stats["processed"], stats["matched"]) == (3, 3)
    # The queue is read bucket after bucket (PO by PO), not oldest first overall.
    statuses = [invoice_get(invoice_id=i.id).status for i in invoices]
    assert sorted(statuses) == ["matched"] * 3 + ["received"] * 2
    waiting = invoices_awaiting_reconciliation().items
    assert {i.id for i in waiting} == {
        i.id
        for i, status in zip(invoices, statuses, strict=True)
        if status == "received"
    }


@pytest.mark.dynamodb_local_only
def test_a_po_read_ahead_before_its_earlier_invoice_was_written_is_not_stale(
    clerk, approved_po, monkeypatch
):
    """
    The second page is read while the first is written: its copy of a PO the
    first page moves is older than the job's own, which the job uses, so the
    batch is not refused and the second invoice sees what the first billed.
    """
    monkeypatch.setattr(invoicing.jobs, "PAGE", 1)
    first = enter(clerk, approved_po, "INV-1")
    second = enter(clerk, approved_po, "INV-2")
    second_page_read = threading.Event()
    read_page = invoicing.jobs._read_page

    def read_then_signal(cursor, remaining, **share):
        page = read_page(cursor, remaining, **share)
        if cursor is not None:
            second_page_read.set()
        return page

    batch = invoicing.jobs.invoices_reconcile_batch
    waited = []

    def batch_after_the_read_ahead(pairs, **kwargs):
        # The second page holds the PO as it was before this write.
        waited.append(second_page_read.wait(10))
        return batch(pairs, **kwargs)

    monkeypatch.setattr(invoicing.jobs, "_read_page", read_then_signal)
    monkeypatch.setattr(
        invoicing.jobs, "invoices_reconcile_batch", batch_after_the_read_ahead
    )
    stats, _ = run()
    assert waited and all(waited)  # the race happened as described
    assert (stats["matched"], stats["rejected"], stats["errors"]) == (1, 1, 0)
    assert invoice_get(invoice_id=first.id).status == "matched"
    report = invoice_get(invoice_id=second.id).report
    assert {f["code"] for f in report["findings"]} == {
        "QTY_OVER_ORDERED",
        "OVER_BILLED",
    }
    for invoice in (first, second):
        actions = [
            e.action
            for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        ]
        assert actions.count("BATCH_RECONCILE") == 1, actions
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "TAMPERED" not in out.getvalue()  # and it did not exit 1


def test_the_lambda_recomputes_the_dashboard_figures(clerk, approved_po):
    enter(clerk, approved_po, "INV-1")
    assert invoice_statistics_get() is None  # never computed
    lambda_handler(LAMBDA_EVENT, None)
    statistics = invoice_statistics_get()
    assert statistics.computed_at is not None
    assert matched_this_week() == 1


def test_the_command_recomputes_the_dashboard_figures(clerk, approved_po):
    first = enter(clerk, approved_po, "INV-1")
    run()
    assert matched_this_week() == 1
    invoice_void(invoice_id=first.id, user=clerk, reason="Entered twice.")
    enter(clerk, approved_po, "INV-2")
    run()
    assert matched_this_week() == 2


def test_a_run_with_nothing_waiting_leaves_the_figures_alone(clerk, approved_po):
    enter(clerk, approved_po, "INV-1")
    run()
    computed_at = invoice_statistics_get().computed_at
    stats, _ = run()
    assert stats["processed"] == 0
    assert invoice_statistics_get().computed_at == computed_at


def test_figures_that_fail_to_recompute_fail_no_invoice(
    clerk, approved_po, monkeypatch, caplog
):
    def out_of_reach():
        raise ServiceUnavailable("The database could not be reached.")

    monkeypatch.setattr(dashboard.services, "dashboard_refresh", out_of_reach)
    invoice = enter(clerk, approved_po, "INV-1")
    with caplog.at_level(logging.WARNING, logger="invoicing"):
        stats, _ = run()  # exits 0
    assert stats["matched"] == 1
    assert invoice_get(invoice_id=invoice.id).status == "matched"
    assert invoice_statistics_get() is None
    assert "dashboard_refresh_after_reconciliation failed" in caplog.text
