"""
Benchmark: `reconcile_invoices` against the original design's baseline.

DynamoDB Local sits behind `latency_proxy.LatencyProxy` (5 ms added to every
request, requests counted by operation; the proxy runs in its own process, so
it does not compete with the job for the GIL). On the same data, in the same
run:

* baseline: what the original design did - scan the whole table filtering on
  status, one GetItem per PO, an UpdateItem and a separate audit PutItem per
  invoice, one invoice at a time;
* the job: `invoicing.jobs.reconcile_waiting_invoices` (sparse queue index,
  POs in batches, ten invoices per transaction, 4 workers);

both also straight to DynamoDB Local, without the proxy (the raw figures;
their requests are counted in this process by a botocore `before-send`
handler, so each HTTP attempt counts once, as the proxy counts them). Then,
through the proxy:

* the floor: the least any job meeting issue 4 must write (invoice, PO and
  one audit entry per invoice, ten invoices per conditional transaction),
  prepared beforehand and sent from 4 threads, so only DynamoDB Local's own
  time is measured: no job on this machine can be faster than this;
* the floor with reads: the same writes (prepared anew), plus the reads any
  such job must do to find its work, sent raw with boto3 (no application
  Python, nothing parsed into models) the way the job sends its own: page by
  page, one Query of 100 waiting invoices on the invoices table's sparse
  `reconcile-queue-index`, one consistent BatchGetItem of their POs, then the
  page's ten transactions spread over 4 threads; the next page once they are
  done (a job overlapping a page's reads with the last page's writes could
  beat it). Only the reads and writes are timed; the gap between it and the
  job is the job's own Python (matching, building the items) and the extra
  items it writes (audit chain heads, the PO's entry);

then the job again after the table has grown to --large invoices, the
waiting ones unchanged, and the floor with reads there too (how much of the
growth is DynamoDB Local's own). Each job row is the median of --repeat
runs. Before any of it, the baseline and the job run once, untimed, on
--warm-up invoices of their own (deleted afterwards), so that every timed
run finds DynamoDB Local's JVM warm.

    .venv/bin/python benchmarks/reconcile_job.py                    # 5,000 of 50,000; 500,000
    .venv/bin/python benchmarks/reconcile_job.py --waiting 500 --total 5000 --large 50000
"""

import argparse
import datetime as dt
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from harness import (  # noqa: E402
    RequestCounter,
    java_cpu_seconds,
    own_cpu_seconds,
    setup_django,
)
from latency_proxy import LatencyProxy  # noqa: E402

D = Decimal
VENDOR = "bench-vendor"


def item_size(item: dict) -> int:
    """An item's size in bytes as DynamoDB bills it (names + values; numbers approximated)."""

    def value(v: dict) -> int:
        ((kind, x),) = v.items()
        if kind in ("S", "B"):
            return len(x.encode() if isinstance(x, str) else x)
        if kind == "N":
            return len(x.lstrip("-").replace(".", "")) // 2 + 2
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "L":
            return 3 + sum(value(e) + 1 for e in x)
        if kind == "M":
            return 3 + sum(len(k.encode()) + value(e) + 1 for k, e in x.items())
        return sum(len(e) for e in x)  # sets

    return sum(len(name.encode()) + value(v) for name, v in item.items())


class WriteCounter:
    """
    Counts, in this process, the items the job writes and their write units:
    every botocore client created after `install()` reports to it each
    TransactWriteItems, BatchWriteItem, PutItem, UpdateItem and DeleteItem.
    The units are computed from the items' sizes (DynamoDB Local does not
    bill transactions as the real service does): a transactional item 2 WCU
    per KB or part of one, a plain write 1; a Put's size is its item's, an
    Update's that of the item after it (read back, untimed, by `units()`); a
    ConditionCheck counts as an item but writes nothing (it costs read units).
    """

    WRITES = {"TransactWriteItems", "BatchWriteItem", "PutItem", "UpdateItem",
              "DeleteItem"}  # fmt: skip

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def install(self) -> None:
        import botocore.session

        create_client = botocore.session.Session.create_client

        def counted_create_client(session, *args, **kwargs):
            client = create_client(session, *args, **kwargs)
            client.meta.events.register("after-call.dynamodb", self._count)
            client.meta.events.register(
                "provide-client-params.dynamodb", self._remember
            )
            return client

        botocore.session.Session.create_client = counted_create_client

    def reset(self) -> tuple[int, list]:
        """The items so far and their (table, key or item, per KB) list, then zero."""
        with self._lock:
            figures = (getattr(self, "items", 0), getattr(self, "writes", []))
            self.items, self.writes = 0, []
        return figures

    def _remember(self, params, model, context, **kwargs) -> None:
        if model.name in self.WRITES:
            context["bench_params"] = params

    def _count(self, http_response, parsed, model, context=None, **kwargs) -> None:
        if model.name not in self.WRITES or http_response.status_code != 200:
            return
        request = (context or {}).get("bench_params") or {}
        writes = []
        if model.name == "TransactWriteItems":
            for item in request.get("TransactItems", []):
                ((kind, body),) = item.items()
                writes.append((kind, body, 2))
        elif model.name == "BatchWriteItem":
            for table, requests in request.get("RequestItems", {}).items():
                for r in requests:
                    ((kind, body),) = r.items()
                    kind = "Put" if kind == "PutRequest" else "Delete"
                    writes.append((kind, {"TableName": table, **body}, 1))
        else:
            kind = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}
            writes.append((kind[model.name], request, 1))
        with self._lock:
            self.items += len(writes)
            self.writes += writes

    @staticmethod
    def units(writes: list, client) -> float:
        """The write units of `writes`, reading back the items the updates left."""
        total, wanted = 0.0, {}
        for kind, body, per_kb in writes:
            if kind == "Put":
                total += per_kb * -(-item_size(body["Item"]) // 1024)
            elif kind in ("Update", "Delete"):
                wanted.setdefault(body["TableName"], []).append((body["Key"], per_kb))
        for table, keys in wanted.items():
            sizes = {}
            unique = list({json.dumps(k, sort_keys=True): k for k, _ in keys}.values())
            for start in range(0, len(unique), 100):
                pending = unique[start : start + 100]
                while pending:
                    got = client.batch_get_item(RequestItems={table: {"Keys": pending}})
                    for item in got["Responses"].get(table, []):
                        key = {name: item[name] for name in pending[0]}
                        sizes[json.dumps(key, sort_keys=True)] = item_size(item)
                    pending = got["UnprocessedKeys"].get(table, {}).get("Keys", [])
            for key, per_kb in keys:
                size = sizes.get(json.dumps(key, sort_keys=True), 1024)  # deleted: 1 KB
                total += per_kb * max(1, -(-size // 1024))
        return total


def point_at(endpoint: str) -> None:
    from django.conf import settings

    from core import dynamo

    settings.DYNAMODB_ENDPOINT_URL = endpoint
    dynamo.configure_models()


def make_pair(index: int, waiting: bool):
    from invoicing.models import AWAITING, Invoice, InvoiceLine
    from purchasing.models import POLine, PurchaseOrder

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=index)
    po_id = f"bench-po-{index}"
    lines = [
        POLine(line_number=1, description="Chairs", quantity=D("10"), unit_price=D("100.00"),
               total_amount=D("1000.00"), received_quantity=D("0"), invoiced_quantity=D("0")),
        POLine(line_number=2, description="Lamps", quantity=D("5"), unit_price=D("20.00"),
               total_amount=D("100.00"), received_quantity=D("0"), invoiced_quantity=D("0")),
    ]  # fmt: skip
    po = PurchaseOrder(
        id=po_id, po_number=f"PO-B-{index:07d}", vendor_id=VENDOR, vendor_name="Bench",
        currency="EUR", items=lines, total_amount=D("1100.00"), invoiced_total=D("0"),
        status="approved", match_type="2-way", requester="bench", approvals_required=1,
        edited_at_version=1, created_at=now, updated_at=now, version=1,
    )  # fmt: skip
    invoice = Invoice(
        id=f"bench-inv-{index}", invoice_number=f"B-{index}", number_key=f"b{index}",
        po_id=po_id, po_number=po.po_number, vendor_id=VENDOR, vendor_name="Bench",
        currency="EUR",
        items=[InvoiceLine(line_number=n, description="x", quantity=q, unit_price=p,
                           total_amount=q * p) for n, q, p in [(1, D("10"), D("100.00")),
                                                               (2, D("5"), D("20.00"))]],
        net_total=D("1100.00"), tax_amount=D("0"), total_amount=D("1100.00"),
        status="received" if waiting else "matched", queue=AWAITING if waiting else None,
        invoice_date="2026-01-01", due_date="2026-01-31", submitted_by="bench",
        submitted_at=now, updated_at=now, version=1,
    )  # fmt: skip
    # As records the services create: each carries the chain head of its
    # creation entry (the entries themselves are not loaded; the job never
    # reads them).
    for record in (po, invoice):
        record.audit_length, record.audit_hash = 1, f"{index:064x}"
    return po, invoice


def load(start: int, stop: int, waiting: int) -> None:
    from invoicing.models import Invoice
    from purchasing.models import PurchaseOrder

    def write(chunk: int) -> None:
        with PurchaseOrder.batch_write() as pos, Invoice.batch_write() as invoices:
            for index in range(chunk, min(chunk + 1000, stop)):
                po, invoice = make_pair(index, index < waiting)
                if index < waiting:
                    pos.save(po)
                invoices.save(invoice)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(start, stop, 1000)))


def baseline(waiting_expected: int) -> int:
    """The original design: scan, get, update, put, one invoice at a time."""
    from audit.entries import audit_entry
    from audit.models import AuditAction
    from invoicing import matching
    from invoicing.models import Invoice
    from invoicing.reconciliation import match_inputs, report_as_dict, tolerances
    from purchasing.models import PurchaseOrder

    done = 0
    for invoice in Invoice.scan(filter_condition=Invoice.status == "received"):
        po = PurchaseOrder.get(invoice.po_id)
        report = matching.reconcile(*match_inputs(invoice, po), tolerances())
        status = "matched" if report.outcome == matching.Outcome.MATCHED else "rejected"
        invoice.update(
            actions=[
                Invoice.status.set(status),
                Invoice.report_json.set(json.dumps(report_as_dict(report))),
                Invoice.queue.remove(),
            ]
        )
        audit_entry(
            action=AuditAction.RECONCILE, entity_type="invoice", entity_id=invoice.id,
            user="baseline",
            details={"outcome": report.outcome.value},
        ).save()  # fmt: skip
        done += 1
    assert done == waiting_expected, done
    return done


WARM_UP_START = 10_000_000


def warm_up(count: int) -> None:
    """
    Run the baseline and the job once, untimed, on `count` invoices of their
    own, then delete them: DynamoDB Local's JVM compiles its hot paths in
    the first thousands of requests, and the timed runs should all find it
    warm, as the real service always is (whichever ran first paid for it).
    """
    from invoicing.jobs import reconcile_waiting_invoices
    from invoicing.models import Invoice
    from purchasing.models import PurchaseOrder

    stop = WARM_UP_START + count
    load(WARM_UP_START, stop, stop)
    baseline(count)
    load(WARM_UP_START, stop, stop)
    stats = reconcile_waiting_invoices(workers=4)
    assert stats.matched == count, stats
    with PurchaseOrder.batch_write() as pos, Invoice.batch_write() as invoices:
        for index in range(WARM_UP_START, stop):
            po, invoice = make_pair(index, False)
            pos.delete(po)
            invoices.delete(invoice)


def floor_requests(waiting: int) -> list[list[dict]]:
    """
    The least any job meeting issue 4 must write per invoice, prepared in
    advance so that no Python work is timed: one conditional transaction of
    ten invoices, each with its invoice update (status, report, off the
    queue), its PO update (invoiced quantities, version) and one audit entry.
    The job writes more: each record's audit chain head, and the PO's own entry.
    """
    from audit.entries import audit_entry
    from audit.models import AuditAction, AuditEntry
    from invoicing.events import invoice_label
    from invoicing.models import Invoice
    from purchasing.models import PurchaseOrder

    report = json.dumps({"outcome": "matched", "findings": []})
    transactions = []
    for start in range(0, waiting, 10):
        items = []
        for index in range(start, min(start + 10, waiting)):
            po, invoice = make_pair(index, True)
            for line in po.items:
                line.invoiced_quantity = line.quantity
            items += [
                {"Update": {
                    "TableName": Invoice.Meta.table_name,
                    "Key": {"id": {"S": invoice.id}},
                    "UpdateExpression": "SET #s = :m, #r = :r REMOVE #q",
                    "ConditionExpression": "#s = :w",
                    "ExpressionAttributeNames": {
                        "#s": Invoice.status.attr_name, "#r": Invoice.report_json.attr_name,
                        "#q": Invoice.queue.attr_name},
                    "ExpressionAttributeValues": {
                        ":m": {"S": "matched"}, ":w": {"S": "received"}, ":r": {"S": report}},
                }},
                {"Update": {
                    "TableName": PurchaseOrder.Meta.table_name,
                    "Key": {"id": {"S": po.id}},
                    "UpdateExpression": "SET #i = :i, #t = :t, #v = :v2",
                    "ConditionExpression": "#v = :v1",
                    "ExpressionAttributeNames": {
                        "#i": PurchaseOrder.items.attr_name, "#v": PurchaseOrder.version.attr_name,
                        "#t": PurchaseOrder.invoiced_total.attr_name},
                    "ExpressionAttributeValues": {
                        ":i": {"L": PurchaseOrder.items.serialize(po.items)},
                        ":t": {"S": "1100.00"}, ":v1": {"N": "1"}, ":v2": {"N": "2"}},
                }},
                {"Put": {
                    "TableName": AuditEntry.Meta.table_name,
                    "Item": audit_entry(
                        action=AuditAction.BATCH_RECONCILE, entity_type="invoice",
                        entity_id=invoice.id,
                        label=invoice_label(invoice), user="reconciliation_job",
                        details={"outcome": "matched", "findings": [],
                                 "before": {"status": "received"}, "after": {"status": "matched"}},
                    ).serialize(),
                    "ConditionExpression": "attribute_not_exists(id)",
                }},
            ]  # fmt: skip
        transactions.append(items)
    return transactions


def raw_client(endpoint: str):
    """A plain boto3 DynamoDB client, no application code around it."""
    import boto3
    from django.conf import settings

    return boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name=settings.AWS_REGION,
        aws_access_key_id="bench", aws_secret_access_key="bench",
    )  # fmt: skip


def floor(endpoint: str, transactions: list[list[dict]]) -> None:
    """Send the prepared transactions from 4 threads, as the job's workers do."""
    client = raw_client(endpoint)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in pool.map(lambda items: client.transact_write_items(TransactItems=items),
                          transactions):  # fmt: skip
            pass


def floor_with_reads(endpoint: str, transactions: list[list[dict]]) -> None:
    """
    The reads any job must do, then the prepared writes, from 4 threads: per
    page, a Query of 100 waiting invoices on the queue index, a consistent
    BatchGetItem of their POs, then the page's transactions over 4 threads.
    """
    from invoicing.models import AWAITING, Invoice
    from purchasing.models import PurchaseOrder

    client = raw_client(endpoint)
    invoices, pos = Invoice.Meta.table_name, PurchaseOrder.Meta.table_name
    # Each invoice's prepared transaction, to send those of the page read.
    transaction_of = {
        item["Update"]["Key"]["id"]["S"]: number
        for number, items in enumerate(transactions)
        for item in items
        if item.get("Update", {}).get("TableName") == invoices
    }
    query = {
        "TableName": invoices,
        "IndexName": Invoice.queue_index.Meta.index_name,
        "KeyConditionExpression": "#q = :q",
        "ExpressionAttributeNames": {"#q": Invoice.queue.attr_name},
        "ExpressionAttributeValues": {":q": {"S": AWAITING}},
        "Limit": 100,
    }
    sent = []
    with ThreadPoolExecutor(max_workers=4) as pool:
        while True:
            page = client.query(**query)
            found = page["Items"]
            keys = [{"id": {"S": po_id}} for po_id in {i["po_id"]["S"] for i in found}]
            while keys:
                got = client.batch_get_item(
                    RequestItems={pos: {"Keys": keys, "ConsistentRead": True}}
                )
                assert (
                    len(got["Responses"].get(pos, [])) == len(keys)
                    or got["UnprocessedKeys"]
                )
                keys = got["UnprocessedKeys"].get(pos, {}).get("Keys", [])
            numbers = sorted({transaction_of[i["id"]["S"]] for i in found})
            for _ in pool.map(
                lambda number: client.transact_write_items(
                    TransactItems=transactions[number]
                ),
                numbers,
            ):
                pass
            sent += numbers
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert sorted(sent) == list(range(len(transactions))), "not every invoice was read"


# What `timed` measures besides the time: the writes (WriteCounter) and
# DynamoDB Local's JVM (its pid), set by main().
MEASURED: dict = {}
# The model of the real service: each round trip 5 ms, the job's 4 workers
# sending in parallel.
ROUND_TRIP_S, CONCURRENCY = 0.005, 4


def timed(counter, label, run, waiting, *, repeat=1, before=None):
    """
    Time `run` (after `before`, untimed, each time) `repeat` times; print one
    row with the median and every time, and return the median. The row also
    gives, per invoice, the items written and their write units, this
    process's CPU (resource.getrusage, user + system, `before` excluded) and
    DynamoDB Local's (its JVM's /proc times), each the median's run.
    """
    writes, pid = MEASURED.get("writes"), MEASURED.get("pid")
    runs = []
    for _ in range(repeat):
        if before:
            before()
        counter.reset()
        if writes:
            writes.reset()
        java = java_cpu_seconds(pid) if pid else 0.0
        cpu = own_cpu_seconds()
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
        cpu = own_cpu_seconds() - cpu
        java = (java_cpu_seconds(pid) - java) if pid else 0.0
        counts = counter.reset()
        items, written = writes.reset() if writes else (0, [])
        units = WriteCounter.units(written, MEASURED["client"]) if writes else 0.0
        runs.append((seconds, cpu, java, counts, (items, units)))
    times = [r[0] for r in runs]
    seconds = statistics.median(times)
    _, cpu, java, counts, (items, units) = min(runs, key=lambda r: abs(r[0] - seconds))
    requests = sum(counts.values())
    # The model: the requests' round trips spread over the job's workers,
    # plus the job's own CPU (one interpreter: its threads share a core).
    model = requests * ROUND_TRIP_S / CONCURRENCY + cpu
    each = f" (median of {', '.join(f'{t:.1f}' for t in times)})" if repeat > 1 else ""
    print(
        f"| {label} | {seconds:.1f}{each} | {requests:,} | {requests / waiting:.2f} | "
        + ", ".join(f"{op} {n:,}" for op, n in counts.most_common())
        + f" | {items / waiting:.2f} | {units / waiting:.2f} "
        f"| {cpu * 1000 / waiting:.2f} | {java * 1000 / waiting:.2f} | {model:.1f} |",
        flush=True,
    )
    MEASURED.setdefault("rows", {})[label] = {
        "seconds": seconds, "requests": requests, "items": items, "units": units,
        "cpu_ms": cpu * 1000 / waiting, "java_ms": java * 1000 / waiting, "model": model,
    }  # fmt: skip
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--waiting", type=int, default=5_000)
    parser.add_argument("--total", type=int, default=50_000)
    parser.add_argument("--large", type=int, default=500_000)
    parser.add_argument("--delay-ms", type=float, default=5.0)
    parser.add_argument("--warm-up", type=int, default=1_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each job row (median)"
    )
    parser.add_argument(
        "--job-only", action="store_true",
        help="only the job's rows (+5 ms and no proxy): no baseline, floors or large table",
    )  # fmt: skip
    parser.add_argument(
        "--profile", metavar="FILE",
        help="write a cProfile of one job run (no proxy) to FILE",
    )  # fmt: skip
    options = parser.parse_args()

    from localdev import dynamodb_local

    port = dynamodb_local.free_port()
    process = dynamodb_local.start(port=port)
    direct = f"http://127.0.0.1:{port}"
    in_process = RequestCounter()
    in_process.install()  # before any client is made
    MEASURED["writes"] = WriteCounter()
    MEASURED["writes"].install()
    MEASURED["pid"] = process.pid
    MEASURED["client"] = None  # set once Django is configured
    proxy = None
    try:
        setup_django(direct)
        MEASURED["client"] = raw_client(direct)
        import logging

        logging.getLogger("invoicing").setLevel(logging.WARNING)
        from invoicing.jobs import reconcile_waiting_invoices
        from invoicing.signals import reconciliation_finished

        # The rows time the job against the original design, which recomputed
        # no dashboard: the refresh a run announces is left out of them.
        reconciliation_finished.disconnect(
            dispatch_uid="dashboard_refresh_after_reconciliation"
        )

        proxy = LatencyProxy(upstream_port=port, delay_ms=options.delay_ms)
        proxy.start()
        slow = f"http://127.0.0.1:{proxy.port}"

        started = time.perf_counter()
        warm_up(options.warm_up)
        print(f"warmed up DynamoDB Local and the job on {options.warm_up:,} invoices in "
              f"{time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip

        started = time.perf_counter()
        load(0, options.total, options.waiting)
        print(f"loaded {options.total:,} invoices ({options.waiting:,} waiting) in "
              f"{time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip

        def reset():
            point_at(direct)
            load(0, options.waiting, options.waiting)

        def job():
            stats = reconcile_waiting_invoices(workers=4)
            assert stats.matched == options.waiting, stats

        if options.profile:
            import cProfile
            import pstats
            from concurrent.futures import thread

            # Every thread's work: the job's workers and reader too.
            profiles, run_item = [], thread._WorkItem.run
            local = threading.local()

            def profiled_run(item):
                if not hasattr(local, "profile"):
                    local.profile = cProfile.Profile(time.thread_time)
                    profiles.append(local.profile)
                local.profile.enable()
                try:
                    return run_item(item)
                finally:
                    local.profile.disable()

            reset()
            thread._WorkItem.run = profiled_run
            main_profile = cProfile.Profile(time.thread_time)
            try:
                main_profile.runcall(job)
            finally:
                thread._WorkItem.run = run_item
            pstats.Stats(main_profile, *profiles).dump_stats(options.profile)
            print(f"profile of one job run written to {options.profile}")

        print(f"\n| run ({options.waiting:,} waiting) | seconds | DynamoDB requests "
              "| per invoice | by operation | items written per invoice "
              "| write units per invoice | job CPU ms per invoice "
              "| DynamoDB Local CPU ms per invoice | model: real service, s |"
              "\n|---|---|---|---|---|---|---|---|---|---|")  # fmt: skip
        results = {}
        for label, endpoint, counter in [
            ("+5 ms", slow, proxy),
            ("no proxy", direct, in_process),
        ]:
            reset()
            point_at(endpoint)
            if not options.job_only:
                results[f"baseline {label}"] = timed(
                    counter, f"baseline, {options.total:,} invoices, {label}",
                    lambda: baseline(options.waiting), options.waiting,
                )  # fmt: skip
            results[f"job {label}"] = timed(
                counter, f"reconcile_invoices, {options.total:,} invoices, {label}",
                job, options.waiting, repeat=options.repeat,
                before=lambda endpoint=endpoint: (reset(), point_at(endpoint)),
            )  # fmt: skip

        print(
            f"\nmodel of the real service: the requests' round trips at "
            f"{ROUND_TRIP_S * 1000:.0f} ms spread over {CONCURRENCY} workers, plus "
            "the job's own CPU (a model from the measured figures, not a measurement)"
        )
        if options.job_only:
            return 0

        # The floors: what DynamoDB Local needs for the least a job must write,
        # alone and with the reads that find the work (each prepared anew:
        # the audit entries' ids are new every time).
        def floor_row(label: str, send) -> float:
            requests = floor_requests(options.waiting)
            reset()
            return timed(proxy, label, lambda: send(slow, requests), options.waiting)

        results["floor +5 ms"] = floor_row(
            f"floor: only the required writes, prepared, {options.total:,} invoices, +5 ms",
            floor,
        )
        results["floor with reads +5 ms"] = floor_row(
            f"floor with reads: queue query, PO batch get, the required writes, "
            f"{options.total:,} invoices, +5 ms",
            floor_with_reads,
        )

        point_at(direct)
        started = time.perf_counter()
        load(options.total, options.large, options.waiting)
        print(f"\nloaded {options.large - options.total:,} more non-waiting invoices in "
              f"{time.perf_counter() - started:.0f}s\n", flush=True)  # fmt: skip
        results["job large"] = timed(
            proxy, f"reconcile_invoices, {options.large:,} invoices, +5 ms",
            job, options.waiting, repeat=options.repeat,
            before=lambda: (reset(), point_at(slow)),
        )  # fmt: skip
        # DynamoDB Local's own share of the growth: the same least reads and
        # writes on the large table.
        results["floor with reads large"] = floor_row(
            f"floor with reads, {options.large:,} invoices, +5 ms", floor_with_reads
        )
        print(
            f"\nspeed-up with +5 ms: {results['baseline +5 ms'] / results['job +5 ms']:.1f}x "
            f"(target >= 10x); {options.large:,} vs {options.total:,} invoices: "
            f"{results['job large'] / results['job +5 ms']:.2f}x (target <= 1.2x); "
            f"the floor's speed-up: {results['baseline +5 ms'] / results['floor +5 ms']:.1f}x, "
            f"with reads: {results['baseline +5 ms'] / results['floor with reads +5 ms']:.1f}x; "
            f"the floor with reads, {options.large:,} vs {options.total:,} invoices: "
            f"{results['floor with reads large'] / results['floor with reads +5 ms']:.2f}x"
        )
        return 0
    finally:
        if proxy is not None:
            proxy.stop()
        dynamodb_local.stop(process)


if __name__ == "__main__":
    sys.exit(main())
