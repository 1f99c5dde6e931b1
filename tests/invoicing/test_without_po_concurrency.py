"""
Concurrent decisions on one invoice without PO. DynamoDB Local only: moto
does not hold conditional writes under threads.
"""

import datetime as dt
from collections import Counter

import pytest

from accounts.models import Profile
from accounts.roles import Role, has_role
from accounts.selectors import approval_limit_get
from audit.selectors import audit_history
from invoicing.selectors import invoice_get
from invoicing.without_po import (
    invoice_approve,
    invoice_reject,
    invoice_without_po_create,
)
from tests.conftest import TODAY, make_user, run_together

pytestmark = pytest.mark.dynamodb_local_only


def prime(user):
    """Read roles and limit now: threads must not share the test's SQLite connection."""
    assert has_role(user, Role.APPROVER)
    approval_limit_get(user=user)


@pytest.fixture
def rent(clerk, active_vendor, monkeypatch):
    # The e-mails read the users database, which threads do not share with
    # the test; the decision is what is under test here.
    for name in ("notify_invoice_awaiting_approval", "notify_invoice_decided"):
        monkeypatch.setattr(f"invoicing.notifications.{name}", lambda invoice: None)
    return invoice_without_po_create(
        user=clerk,
        vendor_id=active_vendor.id,
        invoice_number="RENT-RACE",
        invoice_date=TODAY - dt.timedelta(days=1),
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "2400.00"}],
    )


def decisions(invoice):
    page = audit_history(entity_type="invoice", entity_id=invoice.id, limit=100)
    return [e for e in page.items if e.action in ("APPROVE", "REJECT")]


def test_thirty_concurrent_clicks_give_exactly_one_decision(rent, db):
    approvers = []
    for number in range(15):
        user = make_user(f"approver{number:02d}", "Approver")
        Profile.objects.create(user=user, approval_limit="20000.00")
        prime(user)
        approvers.append(user)
    calls = []
    for user in approvers:  # each approver clicks Approve, and Reject
        calls.append(lambda user=user: invoice_approve(invoice_id=rent.id, user=user))
        calls.append(
            lambda user=user: invoice_reject(
                invoice_id=rent.id, user=user, reason="Not ours"
            )
        )
    outcomes = run_together(calls)

    assert outcomes.count("ok") == 1, Counter(outcomes)
    stored = invoice_get(invoice_id=rent.id)
    assert stored.status in ("approved", "rejected")
    refusals = [o for o in outcomes if o != "ok"]
    assert all(
        f"is {stored.status}; only awaiting_approval invoices" in o for o in refusals
    ), Counter(refusals)
    assert len(decisions(rent)) == 1
    assert len(stored.approvals or []) == (1 if stored.status == "approved" else 0)


def test_thirty_clicks_by_one_approver_record_one_approval(rent, approver):
    prime(approver)
    outcomes = run_together(
        [lambda: invoice_approve(invoice_id=rent.id, user=approver, version=1)] * 30
    )
    assert outcomes.count("ok") == 1, Counter(outcomes)
    stored = invoice_get(invoice_id=rent.id)
    assert stored.status == "approved" and stored.approvers == ["approver"]
    assert len(decisions(rent)) == 1


def test_five_jobs_at_once_raise_each_month_once(clerk, active_vendor, monkeypatch):
    from invoicing import recurring
    from invoicing.selectors import invoice_list

    monkeypatch.setattr(
        "invoicing.notifications.notify_invoice_awaiting_approval", lambda invoice: None
    )
    year = TODAY.year - 1
    recurring.recurring_invoice_create(
        user=clerk, vendor_id=active_vendor.id, day_of_month=31,
        start_date=dt.date(year, 1, 1), end_date=dt.date(year, 3, 31),
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "1500.00"}],
    )  # fmt: skip
    outcomes = run_together(
        [lambda: recurring.recurring_invoices_raise(today=dt.date(year, 6, 1))] * 5
    )
    assert outcomes == ["ok"] * 5
    raised = [i.invoice_number for i in invoice_list(vendor_id=active_vendor.id).items]
    assert sorted(n[-7:] for n in raised) == [f"{year}-0{m}" for m in (1, 2, 3)]
