"""
Benchmark: PO list page and API list latency at 1,000 and 100,000 POs.

Starts DynamoDB Local in memory (or uses --endpoint), loads POs straight into
PurchaseOrdersTable, then times the pages a user opens most:

    .venv/bin/python benchmarks/po_list.py            # 1,000 then 100,000
    .venv/bin/python benchmarks/po_list.py --sizes 1000 10000

The target (issue 3): each timing at 100,000 within 1.3x of the one at 1,000,
because every list is one index query whose cost follows the page, not the table.
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

SCENARIOS = [
    ("page  /purchase-orders/", "/purchase-orders/"),
    ("page  /purchase-orders/?status=pending", "/purchase-orders/?status=pending"),
    ("page  /purchase-orders/ (vendor filter)", "/purchase-orders/?vendor={vendor}"),
    ("api   /api/v1/purchase-orders?limit=50", "/api/v1/purchase-orders?limit=50"),
    (
        "api   ?status=approved&limit=50",
        "/api/v1/purchase-orders?status=approved&limit=50",
    ),
    ("api   page 2 (cursor)", "{page2}"),
]


def make_po(vendor_ids, index: int):
    from purchasing.models import POLine, PurchaseOrder

    created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=5 * index)
    lines = [
        POLine(
            line_number=n,
            description=f"Item {n}",
            quantity=Decimal(q),
            unit_price=Decimal(p),
            total_amount=Decimal(q) * Decimal(p),
            received_quantity=Decimal("0"),
        )
        for n, (q, p) in enumerate(
            [("10", "12.50"), ("2", "99.90"), ("1", "450.00")], 1
        )
    ]
    return PurchaseOrder(
        id=str(uuid.uuid4()),
        po_number=f"PO-BENCH-{index:07d}",
        # Every tenth PO goes to the first vendor, so its filtered list has full
        # pages at every size and the two sizes are compared like for like.
        vendor_id=vendor_ids[0] if index % 10 == 0 else random.choice(vendor_ids),
        vendor_name="Bench Vendor",
        currency="EUR",
        items=lines,
        total_amount=sum((line.total_amount for line in lines), Decimal("0")),
        status=random.choice(["pending", "approved", "sent", "closed", "cancelled"]),
        match_type="2-way",
        requester="bench",
        approvals_required=1,
        created_at=created,
        updated_at=created,
        edited_at_version=1,
        version=1,
    )


def save_vendors(vendor_ids) -> None:
    """The vendors the POs name: the vendor filter refuses an id no vendor has."""
    from vendors.models import Vendor

    now = dt.datetime.now(dt.UTC)
    with Vendor.batch_write() as batch:
        for index, vendor_id in enumerate(vendor_ids):
            name = f"Bench Vendor {index}"
            batch.save(
                Vendor(
                    id=vendor_id, name=name, name_key=name.casefold(),
                    email="bench@example.com", payment_terms="Net 30",
                    status="active", currency="EUR", created_at=now,
                    updated_at=now, created_by="bench", updated_by="bench",
                )
            )  # fmt: skip


def load(start: int, stop: int, vendor_ids) -> None:
    from purchasing.models import PurchaseOrder

    batch_load(PurchaseOrder, lambda index: make_po(vendor_ids, index), start, stop)


def measure(client, vendor_id: str, repeats: int) -> dict[str, tuple[float, float]]:
    from django.test import Client  # noqa: F401 - the client is passed in

    first = client.get("/api/v1/purchase-orders?limit=50").json()
    page2 = f"/api/v1/purchase-orders?limit=50&cursor={first['next_cursor']}"
    results = {}
    for name, template in SCENARIOS:
        url = template.format(vendor=vendor_id, page2=page2)
        for _ in range(20):  # warm up: DynamoDB Local's JVM and Django's caches
            client.get(url)
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        results[name] = (
            statistics.median(timings),
            timings[int(len(timings) * 0.95) - 1],
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--endpoint", help="Use a running DynamoDB Local instead.")
    options = parser.parse_args()

    with dynamodb_endpoint(options.endpoint) as endpoint:
        setup_django(endpoint)
        from django.contrib.auth.models import Group, User
        from django.test import Client

        user = User.objects.create_user("bench", password="x")
        user.groups.add(*Group.objects.filter(name__in=["Requester", "Auditor"]))
        client = Client()
        client.force_login(user)
        vendor_ids = [str(uuid.uuid4()) for _ in range(50)]
        save_vendors(vendor_ids)
        loaded = 0
        table = {}
        for size in sorted(options.sizes):
            started = time.perf_counter()
            load(loaded, size, vendor_ids)
            print(
                f"loaded {size - loaded:,} POs in {time.perf_counter() - started:.0f}s",
                flush=True,
            )
            loaded = size
            table[size] = measure(client, vendor_ids[0], options.repeats)
        small, large = min(table), max(table)
        print(
            f"\n| request | {small:,} POs median / p95 (ms) | {large:,} POs median / p95 (ms) | ratio of medians |"
        )
        print("|---|---|---|---|")
        worst = 0.0
        for name, _ in SCENARIOS:
            (m1, p1), (m2, p2) = table[small][name], table[large][name]
            ratio = m2 / m1
            worst = max(worst, ratio)
            print(
                f"| {name.strip()} | {m1:.1f} / {p1:.1f} | {m2:.1f} / {p2:.1f} | {ratio:.2f} |"
            )
        print(f"\nworst ratio {worst:.2f} (target <= 1.30)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
