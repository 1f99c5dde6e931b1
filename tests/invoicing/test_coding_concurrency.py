"""
A recode racing the match of the same invoice. DynamoDB Local only: moto
does not hold conditional writes under threads.
"""

import datetime as dt

import pytest

from accounts.roles import Role, has_role
from audit.selectors import audit_history
from invoicing.coding import invoice_recode
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.conftest import po_lines, run_together

pytestmark = pytest.mark.dynamodb_local_only


def test_a_recode_racing_the_match_is_applied_before_it_or_refused_never_lost(
    clerk, requester, approver, active_vendor, tax_codes
):
    assert has_role(clerk, Role.AP_CLERK)  # read now: threads share no SQLite
    lines = po_lines(("10", "100.00"))
    lines[0].update(gl_account="4930", cost_centre="4100")
    po = purchase_order_create(user=requester, vendor_id=active_vendor.id, lines=lines)
    po = purchase_order_approve(po_id=po.id, user=approver)
    for round_ in range(6):
        invoice = invoice_create(
            user=clerk,
            po_id=po.id,
            invoice_number=f"RACE-{round_}",
            invoice_date=dt.date.today() - dt.timedelta(days=1),
            lines=po_lines(("1", "100.00")),
        )
        opened = invoice_get(invoice_id=invoice.id)  # the clerk's recode page
        recode, match = run_together(
            [
                lambda opened=opened: invoice_recode(
                    invoice=opened,
                    user=clerk,
                    lines=[{"line_number": 1, "cost_centre": "2000"}],
                    version=opened.version,
                ),
                lambda invoice=invoice: invoice_reconcile(
                    invoice_id=invoice.id, user=clerk
                ),
            ]
        )
        stored = invoice_get(invoice_id=invoice.id)
        assert match == "ok" and stored.status == "matched"
        recoded = [
            entry
            for entry in audit_history(
                entity_type="invoice", entity_id=invoice.id
            ).items
            if entry.action == "UPDATE"
        ]
        if recode == "ok":  # applied before the match, which then re-read it
            assert stored.items[0].cost_centre == "2000"
            assert len(recoded) == 1
        else:  # the match came first: refused, by name, and nothing written
            assert recode.startswith(("StaleRecord", "InvalidTransition")), recode
            assert stored.items[0].cost_centre == "4100"
            assert recoded == []
