"""
Benchmark: the dashboard (home page) with 100,000 invoices in DynamoDB Local.

Loads invoices straight into InvoicesTable (mostly paid, a few thousand still
open, spread over the last 180 days, 40 vendors), eight weeks of reconcile
entries into AuditLogTable, and some pending POs and payment runs; runs
`dashboard_refresh` once (as `reconcile_invoices` does after each run), then
times `GET /` for each role:

    .venv/bin/python benchmarks/dashboard.py                 # 100,000 invoices
    .venv/bin/python benchmarks/dashboard.py --invoices 20000

Target (issue 6): the dashboard loads in under 300 ms at 100,000 invoices.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import setup_django  # noqa: E402

D = Decimal
TODAY = dt.date.today()
NOW = dt.datetime.now(dt.UTC)
# Of every 100 invoices: paid, then the unpaid ones the dashboard lists.
STATUS_MIX = (
    ["paid"] * 92
    + ["matched"] * 3
    + ["received"] * 2
    + ["rejected", "scheduled", "void"]
)


def make_invoice(index: int):
    from invoicing.models import AWAITING, Invoice, InvoiceLine

    rng = random.Random(index)
    status = STATUS_MIX[index % 100]
    entered = NOW - dt.timedelta(minutes=rng.randrange(180 * 24 * 60))
    invoice_date = entered.date()
    amount = D(rng.randrange(10_000, 500_000)) / 100
    vendor = index % 40
    return Invoice(
        id=f"bench-inv-{index}", invoice_number=f"B-{index}", number_key=f"b{index}",
        po_id=f"bench-po-{index}", po_number=f"PO-B-{index:07d}",
        vendor_id=f"bench-vendor-{vendor}", vendor_name=f"Vendor {vendor:02d}",
        currency="EUR" if vendor % 4 else "USD",
        items=[InvoiceLine(line_number=1, description="Goods", quantity=D("1"),
                           unit_price=amount, total_amount=amount)],
        net_total=amount, tax_amount=D("0"), total_amount=amount, status=status,
        queue=AWAITING if status == "received" else None,
        invoice_date=invoice_date.isoformat(),
        due_date=(invoice_date + dt.timedelta(days=30)).isoformat(),
        submitted_by="bench", submitted_at=entered, updated_at=entered, version=1,
    )  # fmt: skip


def make_reconcile_entry(index: int):
    from audit.entries import audit_entry
    from audit.models import AuditAction

    rng = random.Random(-index)
    entry = audit_entry(
        action=AuditAction.BATCH_RECONCILE,
        entity_type="invoice",
        entity_id=f"bench-inv-{index}",
        label=f"BENCH-{index}",
        user="reconciliation_job",
        details={"outcome": "matched" if rng.random() < 0.85 else "rejected"},
    )
    entry.timestamp = NOW - dt.timedelta(minutes=rng.randrange(56 * 24 * 60))
    return entry


def load(invoices: int, reconciles: int) -> None:
    from audit.models import AuditEntry
    from invoicing.models import Invoice

    def write(chunk: int) -> None:
        with Invoice.batch_write() as batch:
            for index in range(chunk, min(chunk + 1000, invoices)):
                batch.save(make_invoice(index))
        with AuditEntry.batch_write() as batch:
            for index in range(chunk, min(chunk + 1000, reconciles)):
                batch.save(make_reconcile_entry(index))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(0, max(invoices, reconciles), 1000)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--reconciles", type=int, default=20_000,
                        help="Reconcile audit entries over the last eight weeks.")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=100)
    options = parser.parse_args()

    from localdev import dynamodb_local

    port = dynamodb_local.free_port()
    process = dynamodb_local.start(port=port)
    try:
        setup_django(f"http://127.0.0.1:{port}")
        from django.contrib.auth.models import Group, User
        from django.test import Client

        from accounts.models import Profile
        from dashboard.services import dashboard_refresh

        started = time.perf_counter()
        load(options.invoices, options.reconciles)
        print(f"loaded {options.invoices:,} invoices and {options.reconciles:,} "
              f"reconcile entries in {time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip
        statistics_item = dashboard_refresh()
        figures = statistics_item.figures
        unpaid = sum(b["count"] for c in figures["ageing"].values() for b in c.values())
        print(f"dashboard_refresh: {statistics_item.computed_in_ms:,} ms "
              f"({unpaid:,} unpaid invoices, {len(json.dumps(figures)):,} bytes kept)\n")  # fmt: skip

        print("| role | median ms | p95 ms |\n|---|---|---|")
        worst = 0.0
        for role in ["AP Clerk", "Treasurer", "Approver", "Auditor"]:
            user = User.objects.create_user(role.replace(" ", "").lower(), password="x")
            user.groups.add(Group.objects.get(name=role))
            if role == "Approver":
                Profile.objects.create(user=user, approval_limit="10000.00")
            client = Client()
            client.force_login(user)
            for _ in range(10):  # warm up: DynamoDB Local's JVM, Django's caches
                assert client.get("/").status_code == 200
            timings = []
            for _ in range(options.repeats):
                began = time.perf_counter()
                response = client.get("/")
                timings.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200
            timings.sort()
            median = statistics.median(timings)
            worst = max(worst, median)
            print(
                f"| {role} | {median:.0f} | {timings[int(len(timings) * 0.95) - 1]:.0f} |"
            )
        print(f"\nslowest median {worst:.0f} ms (target < 300 ms) at "
              f"{options.invoices:,} invoices")  # fmt: skip
        return 0
    finally:
        dynamodb_local.stop(process)


if __name__ == "__main__":
    sys.exit(main())
