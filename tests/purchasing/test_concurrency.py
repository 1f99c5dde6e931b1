"""
Concurrent decisions on one PO. DynamoDB Local only: moto does not hold
conditional writes under threads.
"""

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest

from accounts.roles import Role, has_role
from audit.selectors import audit_history
from core.errors import ApplicationError
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve, purchase_order_receive
from tests.conftest import make_user, run_together

pytestmark = pytest.mark.dynamodb_local_only


def prime(user):
    """Read roles and limit now: threads must not share the test's SQLite connection."""
    from accounts.selectors import approval_limit_get

    assert has_role(user, Role.APPROVER)
    approval_limit_get(user=user)


def entries(po, action):
    page = audit_history(entity_type="purchase_order", entity_id=po.id, limit=200)
    return [e for e in page.items if e.action == action]


def test_fifty_clicks_by_two_approvers_record_exactly_two_approvals(
    make_po, approver, approver2
):
    po = make_po(("60", "100.00"))  # 6,000.00: two approvals needed
    for user in (approver, approver2):
        prime(user)
    calls = [
        (lambda user=user: purchase_order_approve(po_id=po.id, user=user, version=1))
        for user in [approver, approver2] * 25
    ]
    outcomes = run_together(calls)

    assert outcomes.count("ok") == 2, Counter(outcomes)
    refusals = [o for o in outcomes if o != "ok"]
    assert all(
        "already approved" in o or "is approved; only pending" in o for o in refusals
    ), Counter(refusals)
    stored = purchase_order_get(po_id=po.id)
    assert stored.status == "approved"
    assert sorted(stored.approvers) == ["approver", "approver2"]
    assert len(entries(po, "APPROVE")) == 2


def test_fifty_distinct_approvers_give_one_first_and_one_second_approval(make_po, db):
    from accounts.models import Profile

    approvers = []
    for number in range(50):
        user = make_user(f"approver{number:02d}", "Approver")
        Profile.objects.create(user=user, approval_limit="20000.00")
        prime(user)
        approvers.append(user)
    po = make_po(("60", "100.00"))
    outcomes = run_together(
        [
            lambda user=user: purchase_order_approve(po_id=po.id, user=user)
            for user in approvers
        ]
    )

    assert outcomes.count("ok") == 2, Counter(outcomes)
    stored = purchase_order_get(po_id=po.id)
    assert stored.status == "approved"
    assert len(set(stored.approvers)) == 2
    approve_entries = entries(po, "APPROVE")
    assert [e.details["approval"] for e in reversed(approve_entries)] == [
        "1 of 2",
        "2 of 2",
    ]


def test_concurrent_receipts_never_lose_one_nor_exceed_the_order(make_po, approver, db):
    clerks = [make_user(f"clerk{n}", "AP Clerk") for n in range(15)]
    for clerk in clerks:
        assert has_role(clerk, Role.AP_CLERK)
    po = make_po(("10", "100.00"))
    purchase_order_approve(po_id=po.id, user=approver)
    outcomes = run_together(
        [
            lambda clerk=clerk: purchase_order_receive(
                po_id=po.id, user=clerk, quantities={1: "1"}
            )
            for clerk in clerks
        ]
    )

    assert outcomes.count("ok") == 10, Counter(outcomes)
    refusals = [o for o in outcomes if o != "ok"]
    # A click that lost the race finds the line outstanding by less than it
    # asks (ValidationFailed), or nothing outstanding at all.
    assert all(
        o.startswith("ValidationFailed")
        or o
        == f"InvalidTransition: Everything ordered on {po.po_number} has been received."
        for o in refusals
    ), Counter(refusals)
    stored = purchase_order_get(po_id=po.id)
    assert stored.items[0].received_quantity == Decimal("10")
    assert len(stored.receipts) == 10
    assert len(entries(po, "RECEIVE")) == 10


def test_an_invoice_entered_between_the_deletes_read_and_write_keeps_its_po(
    make_po, requester, clerk, monkeypatch
):
    """
    The invoice commits after the delete read the PO (and found no invoice)
    and before the delete writes: the delete's condition on the invoice
    count refuses it, so the invoice is never left without its PO.
    """
    from invoicing.selectors import invoice_list_for_po
    from invoicing.services import invoice_create
    from purchasing import events, services
    from tests.conftest import po_lines

    po = make_po()
    real_event = events.purchase_order_deleted_event

    def invoice_arrives_then_event(**kwargs):
        # Built after the read and the checks, just before the write.
        invoice_create(
            user=clerk,
            po_id=po.id,
            invoice_number="INV-RACE",
            invoice_date=dt.date.today().isoformat(),
            lines=po_lines(("10", "100.00"), ("5", "20.00")),
        )
        return real_event(**kwargs)

    monkeypatch.setattr(
        services.events, "purchase_order_deleted_event", invoice_arrives_then_event
    )
    with pytest.raises(ApplicationError, match="has invoices entered against it"):
        services.purchase_order_delete(po_id=po.id, user=requester)

    stored = purchase_order_get(po_id=po.id)
    assert (stored.status, stored.invoice_count) == ("pending", 1)
    invoices = invoice_list_for_po(po_id=po.id).items
    assert [invoice.invoice_number for invoice in invoices] == ["INV-RACE"]
    assert entries(po, "DELETE") == []


@pytest.mark.parametrize("writers", [8, 32])
def test_parallel_requesters_raise_every_po_with_a_unique_number(
    make_po, requester, writers, monkeypatch
):
    per_writer = 4
    prime_requester = has_role(requester, Role.REQUESTER)
    assert prime_requester
    # Approvers' e-mails read the users database, which threads do not share
    # with the test; numbering is what is under test here.
    monkeypatch.setattr(
        "purchasing.notifications.notify_po_awaiting_approval", lambda po, **_: None
    )
    numbers: list[str] = []

    def raise_several():
        for _ in range(per_writer):
            numbers.append(make_po(("1", "10.00")).po_number)

    outcomes = run_together([raise_several] * writers)

    assert outcomes == ["ok"] * writers, Counter(outcomes)
    assert len(numbers) == writers * per_writer
    assert len(set(numbers)) == len(numbers)
    year = dt.date.today().year
    assert all(re.fullmatch(rf"PO-{year}-\d{{6}}", n) for n in numbers), numbers[:3]
