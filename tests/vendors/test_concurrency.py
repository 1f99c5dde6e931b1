"""
Concurrent writers on one vendor. DynamoDB Local only: moto does not hold
conditional writes under threads, so a pass there would prove nothing.
"""

import threading
from collections import Counter

import pytest

from accounts.roles import Role, has_role
from audit.selectors import audit_history
from core.errors import StaleRecord
from vendors.selectors import vendor_get
from vendors.services import vendor_update

pytestmark = pytest.mark.dynamodb_local_only


def test_twenty_threads_with_the_same_version_produce_exactly_one_write(clerk, vendor):
    assert has_role(clerk, Role.AP_CLERK)  # cache roles before threads share the user
    start = threading.Barrier(20)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def edit(number: int) -> None:
        start.wait()
        try:
            vendor_update(
                vendor_id=vendor.id,
                user=clerk,
                changes={"phone": f"+1 555 {number:04d}"},
                version=1,
            )
            result = "won"
        except StaleRecord:
            result = "refused"
        with lock:
            outcomes.append((number, result))

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [number for number, result in outcomes if result == "won"]
    assert len(outcomes) == 20
    assert len(winners) == 1
    stored = vendor_get(vendor_id=vendor.id)
    assert stored.version == 2
    assert stored.phone == f"+1 555 {winners[0]:04d}"
    updates = [e for e in audit_history(entity_type="vendor", entity_id=vendor.id).items
               if e.action == "UPDATE"]  # fmt: skip
    assert len(updates) == 1
    assert updates[0].details["after"]["phone"] == stored.phone


def test_threads_racing_over_many_versions_win_once_per_version(clerk, vendor):
    assert has_role(clerk, Role.AP_CLERK)
    start = threading.Barrier(20)
    wins: list[tuple[int, str]] = []
    lock = threading.Lock()

    def edit_repeatedly(number: int) -> None:
        start.wait()
        for attempt in range(4):
            read = vendor_get(vendor_id=vendor.id)
            phone = f"+1 {number:02d} {attempt}"
            try:
                vendor_update(
                    vendor_id=vendor.id,
                    user=clerk,
                    changes={"phone": phone},
                    version=read.version,
                )
            except StaleRecord:
                continue
            with lock:
                wins.append((read.version, phone))

    threads = [threading.Thread(target=edit_repeatedly, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    per_version = Counter(version for version, _ in wins)
    assert wins, "at least one write must succeed"
    assert max(per_version.values()) == 1, per_version
    stored = vendor_get(vendor_id=vendor.id)
    assert stored.version == len(wins) + 1
    assert sorted(per_version) == list(range(1, len(wins) + 1))
    updates = [
        e
        for e in audit_history(
            entity_type="vendor", entity_id=vendor.id, limit=200
        ).items
        if e.action == "UPDATE"
    ]
    assert len(updates) == len(wins)
    assert sorted(e.details["after"]["phone"] for e in updates) == sorted(
        phone for _, phone in wins
    )
