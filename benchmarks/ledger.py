"""
Benchmark: a vendor's ledger at 20,000 posted documents and the AP ageing at
100,000 open items (issue 16, "Scale").

Starts DynamoDB Local in memory (or uses --endpoint) and loads straight into
InvoicesTable with batch writes: one vendor (a real Vendor record) with
20,000 posted documents carrying the posting fields invoicing/posting.py sets
(5% still open, the rest paid, one credit note in 20) and the ledger payments
a confirmed run writes (`run_ledger_payments`: one per 50 paid documents),
then times, as a finance user (AP Clerk):

- the vendor ledger page `GET /vendors/<id>/ledger/` (target < 300 ms),
- the API `GET /api/v1/vendors/<id>/ledger`,
- `reports.services.ageing_refresh` over --open-items open items spread over
  about 200 vendors, and the `/reports/ageing/` page it feeds:

    .venv/bin/python benchmarks/ledger.py
    .venv/bin/python benchmarks/ledger.py --documents 2000 --open-items 10000

Per request it also reports the DynamoDB queries made and the items they read.
"""

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import (  # noqa: E402
    STARTED,
    batch_load,
    dynamodb_endpoint,
    java_cpu_seconds,
    own_cpu_seconds,
    setup_django,
)

D = Decimal
TODAY = dt.date.today()
NOW = dt.datetime.now(dt.UTC)
LEDGER_VENDOR = "bench-ledger-vendor"
PAYMENT_EVERY = 50  # paid documents per ledger payment
READS: list[dict] = []


def count_reads() -> None:
    """Note what every DynamoDB Query and GetItem read (botocore's events)."""
    from invoicing.models import AgeingSummary, Invoice, LedgerEntry
    from vendors.models import Vendor

    clients = {id(m._get_connection().connection.client): m._get_connection().connection.client
               for m in (Invoice, LedgerEntry, Vendor, AgeingSummary)}  # fmt: skip

    started: dict[str, float] = {}

    def begin(params, model, **_):
        started["at"] = time.perf_counter()
        started["what"] = params.get("IndexName") or params.get("TableName", "")
        started["filtered"] = "FilterExpression" in params

    def note(parsed, model, **_):
        READS.append(
            {
                "op": model.name,
                "what": started.get("what", ""),
                "filtered": started.get("filtered", False),
                "scanned": parsed.get("ScannedCount", 1 if "Item" in parsed else 0),
                "returned": parsed.get("Count", 1 if "Item" in parsed else 0),
                "ms": (time.perf_counter() - started.get("at", 0)) * 1000,
            }
        )

    for client in clients.values():
        for op in ("Query", "GetItem", "BatchGetItem", "Scan"):
            client.meta.events.register(f"provide-client-params.dynamodb.{op}", begin)
            client.meta.events.register(f"after-call.dynamodb.{op}", note)


def breakdown(label: str) -> None:
    """What the last request read, call by call, grouped by index."""
    groups: dict[tuple, list] = {}
    for read in READS:
        key = (read["op"], read["what"], read["filtered"])
        groups.setdefault(key, []).append(read)
    print(f"  {label}, DynamoDB calls of one request:")
    for (op, what, filtered), reads in groups.items():
        print(
            f"    {op} {what}{' (filtered)' if filtered else ''}: {len(reads)} calls, "
            f"{sum(r['scanned'] for r in reads):,} read, "
            f"{sum(r['returned'] for r in reads):,} returned, "
            f"{sum(r['ms'] for r in reads):.0f} ms"
        )


def make_document(index: int, *, vendor_id: str, vendor_name: str, open_share: float,
                  days: int, prefix: str):  # fmt: skip
    from invoicing.models import Invoice, InvoiceLine, posting_key
    from invoicing.posting import posting_fields

    rng = random.Random(f"{prefix}{index}")
    credit = index % 20 == 19
    is_open = rng.random() < open_share
    invoice_date = TODAY - dt.timedelta(days=rng.randrange(days))
    due = invoice_date + dt.timedelta(days=30)
    amount = D(rng.randrange(10_000, 500_000)) / 100
    invoice_id = f"{prefix}-{index}"
    invoice = Invoice(
        id=invoice_id, invoice_number=f"{prefix.upper()}-{index:06d}",
        number_key=f"{prefix}{index}", document_type="credit_note" if credit else "invoice",
        vendor_id=vendor_id, vendor_name=vendor_name, currency="EUR",
        items=[InvoiceLine(line_number=1, description="Goods", quantity=D("1"),
                           unit_price=amount, total_amount=amount)],
        net_total=amount, tax_amount=D("0"), total_amount=amount,
        invoice_date=invoice_date.isoformat(), due_date=due.isoformat(),
        submitted_by="bench", submitted_at=NOW, updated_at=NOW, version=1,
    )  # fmt: skip
    for name, value in posting_fields(invoice, now=NOW).items():
        setattr(invoice, name, value)
    assert invoice.posting_key == posting_key(invoice.invoice_date, invoice_id)
    if is_open:
        invoice.status = "approved" if not credit else "matched"
    else:
        invoice.open_listing = invoice.open_vendor = None
        if credit:
            invoice.status = "applied"
            invoice.credit_open_amount = D(0)
        else:
            invoice.status = "paid"
            paid_on = min(due, TODAY)
            invoice.paid_on = paid_on.isoformat()
            invoice.paid_amount = amount
            invoice.discount_taken = D(0)
    return invoice


def make_payment(index: int, *, documents: int):
    """One run's payment to the ledger vendor, as `run_ledger_payments` writes it."""
    from invoicing.posting import ledger_payment

    rng = random.Random(f"pay{index}")
    span = max(1, 720 * PAYMENT_EVERY * index // max(documents, 1))
    return ledger_payment(
        run_id=f"bench-run-{index}", run_number=f"RUN-{index:05d}",
        vendor_id=LEDGER_VENDOR, currency="EUR",
        amount=D(rng.randrange(1_000_000, 9_000_000)) / 100, discount=D(0),
        on_date=TODAY - dt.timedelta(days=max(0, 720 - span % 720)),
    )  # fmt: skip


def make_vendor(vendor_id: str, name: str):
    from vendors.models import Vendor, name_key

    return Vendor(
        id=vendor_id, name=name, name_key=name_key(name), email="ap@bench.example",
        payment_terms="NET30", status="active", currency="EUR",
        created_at=NOW, updated_at=NOW, created_by="bench", updated_by="bench",
    )  # fmt: skip


def timed(client, url: str, repeats: int, *, headers=None) -> dict:
    """Median and p95 of `repeats` requests after a warm-up; answers not 200 counted."""
    headers = headers or {}
    for _ in range(3):  # warm up: DynamoDB Local's JVM, Django's caches
        client.get(url, headers=headers)
    timings, reads, failed = [], [], {}
    for _ in range(repeats):
        READS.clear()
        began = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            failed[response.status_code] = failed.get(response.status_code, 0) + 1
        reads.append((len(READS), sum(r["scanned"] for r in READS)))
    breakdown(url)
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[max(0, int(len(timings) * 0.95) - 1)],
        "calls": reads[-1][0],
        "items": reads[-1][1],
        "failed": failed,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--documents", type=int, default=20_000,
                        help="Posted documents of the one vendor.")  # fmt: skip
    parser.add_argument("--open-items", type=int, default=100_000,
                        help="Open items for the ageing, over --vendors vendors.")  # fmt: skip
    parser.add_argument("--vendors", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--refreshes", type=int, default=3,
                        help="Runs of ageing_refresh (median).")  # fmt: skip
    parser.add_argument("--endpoint", help="Use a running DynamoDB Local instead.")
    parser.add_argument(
        "--on-disk", action="store_true",
        help="DynamoDB Local keeps its data on disk, not in its 1 GB heap "
        "(needed at 100,000 open items: in memory, its garbage collector "
        "stalls a query page past the job's 10 s timeout).",
    )  # fmt: skip
    options = parser.parse_args()

    with dynamodb_endpoint(options.endpoint, on_disk=options.on_disk) as endpoint:
        setup_django(endpoint)
        from django.contrib.auth.models import Group, User
        from django.test import Client

        from accounts.services import api_token_create
        from core.dynamo import job_timeouts
        from invoicing.models import Invoice, LedgerEntry
        from reports.services import ageing_refresh
        from vendors.models import Vendor

        started = time.perf_counter()
        make_vendor(LEDGER_VENDOR, "Ledger Bench GmbH").save()
        batch_load(Invoice, lambda i: make_document(
            i, vendor_id=LEDGER_VENDOR, vendor_name="Ledger Bench GmbH",
            open_share=0.05, days=720, prefix="bench-ledger",
        ), 0, options.documents)  # fmt: skip
        payments = options.documents // PAYMENT_EVERY
        batch_load(LedgerEntry, lambda i: make_payment(i, documents=options.documents),
                   0, payments)  # fmt: skip
        print(f"loaded {options.documents:,} posted documents and {payments:,} "
              f"ledger payments of one vendor in {time.perf_counter() - started:.0f}s",
              flush=True)  # fmt: skip

        user = User.objects.create_user("bench-clerk", password="x")
        user.groups.add(Group.objects.get(name="AP Clerk"))
        _, token = api_token_create(user=user, name="bench")
        client = Client()
        client.force_login(user)
        count_reads()
        rows = []
        for label, url, headers in [
            ("ledger page (newest first)", f"/vendors/{LEDGER_VENDOR}/ledger/", None),
            ("ledger page (oldest first)",
             f"/vendors/{LEDGER_VENDOR}/ledger/?order=oldest", None),
            ("API ledger (limit 500)", f"/api/v1/vendors/{LEDGER_VENDOR}/ledger",
             {"Authorization": f"Bearer {token}"}),
        ]:  # fmt: skip
            result = timed(client, url, options.repeats, headers=headers)
            rows.append((label, f"{options.documents:,} documents", result))
            print(f"  {label}: {result['median']:.0f} ms", flush=True)

        started = time.perf_counter()
        vendors = options.vendors
        with Vendor.batch_write() as batch:
            for v in range(vendors):
                batch.save(make_vendor(f"bench-ageing-{v}", f"Ageing Vendor {v:03d}"))
        batch_load(Invoice, lambda i: make_document(
            i, vendor_id=f"bench-ageing-{i % vendors}",
            vendor_name=f"Ageing Vendor {i % vendors:03d}",
            open_share=1.0, days=240, prefix="bench-open",
        ), 0, options.open_items)  # fmt: skip
        print(f"loaded {options.open_items:,} open items of {vendors} vendors in "
              f"{time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip
        refreshes, cpu = [], []
        pid = STARTED.get("pid")
        for _ in range(options.refreshes):
            READS.clear()
            began, own = time.perf_counter(), own_cpu_seconds()
            java = java_cpu_seconds(pid) if pid else 0.0
            with job_timeouts():  # as `refresh_ageing` and the job run it
                summary = ageing_refresh()
            refreshes.append((time.perf_counter() - began) * 1000)
            cpu.append((own_cpu_seconds() - own,
                        (java_cpu_seconds(pid) - java) if pid else None))  # fmt: skip
        figures = summary.figures
        total_open = sum(
            vendor["items"] for currency in figures["currencies"].values()
            for vendor in currency
        )  # fmt: skip
        refresh = {
            "median": statistics.median(refreshes), "p95": max(refreshes),
            "calls": len(READS), "items": sum(r["scanned"] for r in READS),
        }  # fmt: skip
        own, java = cpu[refreshes.index(max(refreshes))]
        print(f"  ageing_refresh: {refresh['median']:.0f} ms, each run "
              f"{', '.join(f'{r:.0f}' for r in refreshes)} ms; slowest run's CPU: "
              f"this process {own:.1f} s, DynamoDB Local "
              f"{'-' if java is None else f'{java:.1f} s'}; kept "
              f"{len(json.dumps(figures)):,} characters in "
              f"{summary.parts or 1} item(s)", flush=True)  # fmt: skip
        rows.append(
            (
                f"ageing_refresh ({options.refreshes} runs)",
                f"{total_open:,} open items",
                refresh,
            )
        )
        result = timed(client, "/reports/ageing/", options.repeats)
        rows.append(("/reports/ageing/ page", f"{vendors + 1} vendors", result))

        print(
            "\n| what | size | median ms | p95 ms | DynamoDB calls | items read | not 200 |"
        )
        print("|---|---|---|---|---|---|---|")
        for label, size, r in rows:
            print(f"| {label} | {size} | {r['median']:.0f} | {r['p95']:.0f} | "
                  f"{r['calls']} | {r['items']:,} | "
                  f"{', '.join(f'{n}x {c}' for c, n in r.get('failed', {}).items()) or '-'} |")  # fmt: skip
        return 0


if __name__ == "__main__":
    sys.exit(main())
