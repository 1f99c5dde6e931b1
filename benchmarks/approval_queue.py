"""
Benchmark: "Awaiting my approval" at 20,000 pending POs (issue 21, item 3).

Starts DynamoDB Local in memory (or uses --endpoint), loads pending POs with
their approval-queue keys straight into PurchaseOrdersTable with batch
writes (1% worth at most 1,000.00, the rest 12,000.00 to 500,000.00), then
pages through the queue of a low-limit approver (1,000.00) and of a
high-limit one (1,000,000.00), reporting per page the items DynamoDB read,
the read capacity it consumed and the time:

    .venv/bin/python benchmarks/approval_queue.py
    .venv/bin/python benchmarks/approval_queue.py --pending 20000 --pages 5

For comparison it runs the query the queue made before the index (the
pending partition of status-created-index, oldest first, filtered), which
read up to 2,000 items a request and still came back empty for the
low-limit approver.
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness import batch_load, dynamodb_endpoint, setup_django  # noqa: E402

# What each DynamoDB Query answered, gathered through botocore's events.
READS: list[dict] = []


def count_reads() -> None:
    """Ask every Query for its consumed capacity and note what it read."""
    from purchasing.models import PurchaseOrder

    client = PurchaseOrder._get_connection().connection.client

    def ask(params, **_):
        params["ReturnConsumedCapacity"] = "TOTAL"

    def note(parsed, **_):
        READS.append(
            {
                "scanned": parsed.get("ScannedCount", 0),
                "returned": parsed.get("Count", 0),
                "capacity": parsed.get("ConsumedCapacity", {}).get("CapacityUnits", 0),
            }
        )

    client.meta.events.register("provide-client-params.dynamodb.Query", ask)
    client.meta.events.register("after-call.dynamodb.Query", note)


def make_po(index: int):
    from purchasing.models import APPROVAL_QUEUE, POLine, PurchaseOrder

    created = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=index)
    if index % 100 == 0:
        price = Decimal(random.randint(100, 1000))
    else:
        price = Decimal(random.randint(12000, 500000))
    line = POLine(
        line_number=1,
        description="Bench item",
        quantity=Decimal("1"),
        unit_price=price,
        total_amount=price,
        received_quantity=Decimal("0"),
    )
    return PurchaseOrder(
        id=str(uuid.uuid4()),
        po_number=f"PO-BENCH-{index:07d}",
        vendor_id="bench-vendor",
        vendor_name="Bench Vendor",
        currency="EUR",
        items=[line],
        total_amount=price,
        status="pending",
        match_type="2-way",
        requester="bench-requester",
        approvals_required=1,
        approval_queue=APPROVAL_QUEUE,
        approval_value=price,
        created_at=created,
        updated_at=created,
        edited_at_version=1,
        version=1,
    )


def load(count: int) -> None:
    from purchasing.models import PurchaseOrder

    batch_load(PurchaseOrder, make_po, 0, count)


def before_the_index(*, user, cursor=None, limit=50):
    """The queue's query before issue 21: the pending partition, filtered."""
    from accounts.selectors import approval_limit_get
    from core import dynamo
    from purchasing.models import PurchaseOrder

    limit_amount = approval_limit_get(user=user)
    return dynamo.query_page(
        PurchaseOrder.status_index,
        "pending",
        filter_condition=(PurchaseOrder.requester != user.get_username())
        & (PurchaseOrder.total_amount <= limit_amount),
        cursor=cursor,
        limit=limit,
        newest_first=False,
        scope="before",
    )


def page_through(queue, user, pages: int) -> list[dict]:
    """Read `pages` pages (or all there are); what each read and took."""
    measured, cursor = [], None
    for _ in range(pages):
        READS.clear()
        started = time.perf_counter()
        page = queue(user=user, cursor=cursor, limit=50)
        elapsed = (time.perf_counter() - started) * 1000
        measured.append(
            {
                "shown": len(page.items),
                "queries": len(READS),
                "scanned": sum(read["scanned"] for read in READS),
                "capacity": sum(read["capacity"] for read in READS),
                "ms": elapsed,
            }
        )
        cursor = page.next_cursor
        if cursor is None:
            break
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--pending", type=int, default=20000, help="POs to load.")
    parser.add_argument("--pages", type=int, default=5, help="Pages read per queue.")
    parser.add_argument("--endpoint", help="Use a running DynamoDB Local instead.")
    options = parser.parse_args()

    with dynamodb_endpoint(options.endpoint) as endpoint:
        setup_django(endpoint)
        from django.contrib.auth.models import Group, User

        from accounts.models import Profile
        from purchasing.selectors import purchase_orders_awaiting_approval

        approvers = {}
        for name, limit in [("low", "1000.00"), ("high", "1000000.00")]:
            user = User.objects.create_user(f"bench-{name}", password="x")
            user.groups.add(Group.objects.get(name="Approver"))
            Profile.objects.create(user=user, approval_limit=limit)
            approvers[name] = (user, limit)
        random.seed(21)
        started = time.perf_counter()
        load(options.pending)
        print(
            f"loaded {options.pending:,} pending POs in "
            f"{time.perf_counter() - started:.0f}s",
            flush=True,
        )
        count_reads()
        for queue in (purchase_orders_awaiting_approval, before_the_index):
            for user, _ in approvers.values():  # warm up the JVM and caches
                page_through(queue, user, 2)
        print(
            "\n| queue | approver (limit) | pages | POs a page | items read a page "
            "| read capacity a page | ms a page (median) |"
        )
        print("|---|---|---|---|---|---|---|")
        for label, queue in [
            ("approval-queue-index", purchase_orders_awaiting_approval),
            ("before: pending partition, filtered", before_the_index),
        ]:
            for name, (user, limit) in approvers.items():
                pages = page_through(queue, user, options.pages)
                shown = statistics.mean(page["shown"] for page in pages)
                scanned = statistics.mean(page["scanned"] for page in pages)
                capacity = statistics.mean(page["capacity"] for page in pages)
                ms = statistics.median(page["ms"] for page in pages)
                print(
                    f"| {label} | {name} ({Decimal(limit):,}) | {len(pages)} | "
                    f"{shown:.0f} | {scanned:.0f} | {capacity:.1f} | {ms:.1f} |"
                )
        return 0


if __name__ == "__main__":
    sys.exit(main())
