"""
Every service's audited update is written by core.field_updates, not by
PynamoDB's actions: a vendor's edit, its bank details changed and confirmed,
a PO edited (its lines replaced, its approvals reset), approved, sent,
received, closed, and another cancelled each send exactly the Update (and
the entries' Put) PynamoDB would have built from the same record and fields
(`compared`, tests/field_update_checks.py), and the stored records say
what the person did.
"""

from decimal import Decimal

from purchasing.selectors import purchase_order_get
from purchasing.services import (
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_receive,
    purchase_order_send,
    purchase_order_update,
)
from tests.audit.digest_helpers import verify
from tests.conftest import po_lines
from vendors.selectors import vendor_get
from vendors.services import vendor_bank_details_confirm, vendor_update


def test_vendor_edits_and_bank_details_are_written_as_pynamodb_would(
    active_vendor, clerk, clerk2, compared
):
    vendor_update(
        vendor_id=active_vendor.id, user=clerk, changes={"phone": "+49 30 1234"}
    )
    changed = vendor_update(
        vendor_id=active_vendor.id,
        user=clerk,
        changes={"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"},
    )
    vendor_bank_details_confirm(
        vendor_id=active_vendor.id, user=clerk2, version=changed.version
    )

    stored = vendor_get(vendor_id=active_vendor.id)
    assert stored.phone == "+49 30 1234"
    assert stored.iban == "DE89370400440532013000"
    assert not stored.bank_details_awaiting_confirmation
    assert compared["Vendor"] >= 3 and compared["put AuditEntry"] >= 3
    code, printed = verify()
    assert code == 0, printed


def test_a_pos_life_is_written_as_pynamodb_would(
    make_po, approver, requester, clerk, compared
):
    po = make_po(("60", "100.00"))  # two approvals: still pending after one
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_update(
        po_id=po.id,
        user=requester,
        lines=po_lines(("7", "100.00"), ("2", "15.50")),
        notes="More chairs",
        expected_delivery=None,
    )
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_send(po_id=po.id, user=requester)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "7", 2: "2"})
    purchase_order_close(po_id=po.id, user=clerk)
    other = make_po()
    purchase_order_cancel(po_id=other.id, user=requester, reason="Not needed")

    stored = purchase_order_get(po_id=po.id)
    assert stored.status == "closed" and stored.notes == "More chairs"
    assert stored.total_amount == Decimal("731.00")
    assert [line.received_quantity for line in stored.items] == [
        Decimal("7"),
        Decimal("2"),
    ]
    assert purchase_order_get(po_id=other.id).status == "cancelled"
    # Edit, two approvals, send, receipt, close, cancel.
    assert compared["PurchaseOrder"] >= 7
    code, printed = verify()
    assert code == 0, printed
