"""
"Awaiting my approval" from an index keyed on the PO's worth (issue 21,
item 3): a low-limit approver's page is one query of the POs their limit
covers, however many larger POs await others.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command

from core import dynamo
from purchasing.models import PurchaseOrder, PurchaseOrderApprovalKeys
from purchasing.selectors import purchase_order_get, purchase_orders_awaiting_approval
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_reject,
)
from tests.conftest import po_lines


def numbers(page):
    return [po.po_number for po in page.items]


def test_a_low_limit_approver_gets_a_full_page_past_many_larger_pos(
    make_po, approver, monkeypatch
):
    # Before the index, a page read at most FILTERED_READ_LIMIT pending POs
    # and came back empty when that many larger ones were older.
    monkeypatch.setattr(dynamo, "FILTERED_READ_LIMIT", 10)
    for _ in range(15):
        make_po(("1", "20000.00"))  # above approver's 10,000.00
    small = [make_po(("1", f"{100 + n}.00")) for n in range(3)]

    page = purchase_orders_awaiting_approval(user=approver, limit=2)

    assert numbers(page) == [small[0].po_number, small[1].po_number]
    rest = purchase_orders_awaiting_approval(
        user=approver, cursor=page.next_cursor, limit=2
    )
    assert numbers(rest) == [small[2].po_number] and rest.next_cursor is None


def test_the_queue_is_in_order_of_worth_and_each_approver_sees_their_limit(
    make_po, approver, approver2
):
    large = make_po(("1", "30000.00"))
    medium = make_po(("1", "900.00"))
    low = make_po(("1", "50.00"))
    assert numbers(purchase_orders_awaiting_approval(user=approver)) == [
        low.po_number,
        medium.po_number,
    ]
    assert numbers(purchase_orders_awaiting_approval(user=approver2)) == [
        low.po_number,
        medium.po_number,
        large.po_number,
    ]


def test_own_pos_and_ones_already_approved_are_left_out(
    make_po, approver, approver2, requester
):
    from accounts.models import Profile
    from tests.conftest import make_user

    both = make_user("both", "Approver", "Requester")
    Profile.objects.create(user=both, approval_limit="10000.00")
    own = make_po(("1", "100.00"), user=both)
    two = make_po(("1", "6000.00"))  # needs two approvals
    purchase_order_approve(po_id=two.id, user=approver2)

    assert numbers(purchase_orders_awaiting_approval(user=both)) == [two.po_number]
    assert numbers(purchase_orders_awaiting_approval(user=approver2)) == [own.po_number]
    assert numbers(purchase_orders_awaiting_approval(user=approver)) == [
        own.po_number,
        two.po_number,
    ]


def test_a_decided_po_leaves_the_queue_in_its_own_write(make_po, approver):
    approved, rejected = make_po(("1", "10.00")), make_po(("1", "20.00"))
    purchase_order_approve(po_id=approved.id, user=approver)
    purchase_order_reject(po_id=rejected.id, user=approver, reason="No budget")
    for po in (approved, rejected):
        stored = purchase_order_get(po_id=po.id)
        assert (stored.approval_queue, stored.approval_value) == (None, None)
    assert purchase_orders_awaiting_approval(user=approver).items == []


def test_backfill_keys_old_pos_and_rekeys_after_a_rate_change(
    requester, approver, make_vendor, make_po, make_rate
):
    usd = make_vendor("Globex Corp", currency="USD")
    no_rate_yet = purchase_order_create(
        user=requester, vendor_id=usd.id, lines=po_lines(("1", "100.00"))
    )
    old = make_po(("1", "30.00"))
    # A PO raised before the index: no keys.
    PurchaseOrderApprovalKeys(old.id).update(
        actions=[
            PurchaseOrderApprovalKeys.approval_queue.remove(),
            PurchaseOrderApprovalKeys.approval_value.remove(),
        ]
    )
    assert purchase_orders_awaiting_approval(user=approver).items == []

    make_rate("USD", "0.90")
    call_command("index_pending_purchase_orders")

    page = purchase_orders_awaiting_approval(user=approver)
    assert numbers(page) == [old.po_number, no_rate_yet.po_number]
    keyed = PurchaseOrder.get(no_rate_yet.id)
    assert keyed.approval_value == Decimal("90.00")
    assert keyed.version == no_rate_yet.version  # derived keys: not an edit


@pytest.mark.dynamodb_local_only
def test_the_key_condition_reads_only_covered_pos_on_dynamodb_local(make_po, approver):
    for _ in range(5):
        make_po(("1", "20000.00"))
    make_po(("1", "100.00"))
    results = PurchaseOrder.approval_queue_index.query(
        "pending", PurchaseOrder.approval_value <= Decimal("10000.00")
    )
    assert len(list(results)) == 1
    assert results.total_count == 1
