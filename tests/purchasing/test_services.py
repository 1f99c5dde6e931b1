import datetime as dt
from decimal import Decimal

import pytest

from audit.selectors import audit_history
from core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from purchasing.selectors import purchase_order_get, purchase_order_list
from purchasing.services import (
    purchase_order_approve,
    purchase_order_cancel,
    purchase_order_close,
    purchase_order_create,
    purchase_order_delete,
    purchase_order_receive,
    purchase_order_reject,
    purchase_order_send,
    purchase_order_update,
)
from tests.conftest import po_lines
from vendors.selectors import vendor_get
from vendors.services import vendor_delete, vendor_update


def history(po):
    return [
        e.action
        for e in audit_history(entity_type="purchase_order", entity_id=po.id).items
    ]


def test_create_computes_totals_numbers_the_po_and_counts_it_on_the_vendor(
    make_po, active_vendor
):
    po = make_po(("10", "100.00"), ("3", "0.33"))
    stored = purchase_order_get(po_id=po.id)
    assert [line.total_amount for line in stored.items] == [
        Decimal("1000.00"),
        Decimal("0.99"),
    ]
    assert stored.total_amount == Decimal("1000.99")
    assert stored.po_number == f"PO-{dt.date.today().year}-000001"
    assert (stored.status, stored.requester, stored.currency) == (
        "pending",
        "requester",
        "EUR",
    )
    assert stored.approvals_required == 1
    assert vendor_get(vendor_id=active_vendor.id).po_count == 1
    assert history(po) == ["CREATE"]


def test_po_numbers_increase_one_by_one(make_po):
    numbers = [make_po().po_number[-6:] for _ in range(3)]
    assert numbers == ["000001", "000002", "000003"]


def test_a_po_that_could_not_be_written_leaves_its_number_unused(make_po, monkeypatch):
    from core.errors import StaleRecord
    from vendors import services as vendor_services

    assert make_po().po_number.endswith("-000001")
    real_count_change = vendor_services.vendor_po_count_change

    def always_conflicting(**kwargs):
        raise StaleRecord()

    monkeypatch.setattr(vendor_services, "vendor_po_count_change", always_conflicting)
    monkeypatch.setattr("purchasing.services.retry_pause", lambda attempt: None)
    with pytest.raises(StaleRecord, match="Many purchase orders"):
        make_po()
    monkeypatch.setattr(vendor_services, "vendor_po_count_change", real_count_change)
    assert make_po().po_number.endswith("-000003")  # 000002 is a gap


def test_line_amounts_round_half_up_to_cents(make_po):
    po = make_po(("3", "0.35"), ("0.5", "0.01"))
    assert [line.total_amount for line in po.items] == [
        Decimal("1.05"),
        Decimal("0.01"),
    ]


@pytest.mark.parametrize(
    ("pairs", "field", "message"),
    [
        ([("0", "1.00")], "items.0.quantity", "more than 0"),
        ([("-1", "1.00")], "items.0.quantity", "more than 0"),
        ([("abc", "1.00")], "items.0.quantity", "must be a number"),
        ([("1", "-5")], "items.0.unit_price", "cannot be negative"),
        ([("1", "1.005")], "items.0.unit_price", "more than 2 decimal places"),
        ([("1", "x")], "items.0.unit_price", "must be a number"),
    ],
)
def test_bad_quantities_and_prices_are_refused_naming_the_line(
    make_po, active_vendor, pairs, field, message
):
    with pytest.raises(ValidationFailed) as caught:
        make_po(*pairs)
    assert message in caught.value.field_errors[field]
    assert purchase_order_list().items == []
    assert vendor_get(vendor_id=active_vendor.id).po_count == 0


def test_no_lines_and_201_lines_are_refused(requester, active_vendor):
    with pytest.raises(ValidationFailed, match="at least one line"):
        purchase_order_create(user=requester, vendor_id=active_vendor.id, lines=[])
    with pytest.raises(ValidationFailed, match="at most 200 lines; this one has 201"):
        purchase_order_create(
            user=requester,
            vendor_id=active_vendor.id,
            lines=po_lines(*[("1", "1")] * 201),
        )
    assert purchase_order_list().items == []


def test_a_client_total_that_disagrees_with_the_lines_is_refused(make_po):
    with pytest.raises(
        ValidationFailed, match="does not match the lines' total EUR 1,100.00"
    ):
        make_po(total_amount="1000.00")
    assert make_po(total_amount="1100.00").total_amount == Decimal("1100.00")


def test_only_active_vendors_get_purchase_orders(
    requester, clerk, vendor, active_vendor
):
    with pytest.raises(ValidationFailed, match="is pending; only active vendors"):
        purchase_order_create(
            user=requester, vendor_id=vendor.id, lines=po_lines(("1", "1"))
        )
    vendor_update(
        vendor_id=active_vendor.id, user=clerk, changes={"status": "suspended"}
    )
    with pytest.raises(ValidationFailed, match="is suspended"):
        purchase_order_create(
            user=requester, vendor_id=active_vendor.id, lines=po_lines(("1", "1"))
        )
    with pytest.raises(NotFound):
        purchase_order_create(
            user=requester, vendor_id="nope", lines=po_lines(("1", "1"))
        )


def test_only_requesters_raise_purchase_orders(clerk, active_vendor):
    with pytest.raises(PermissionDenied, match="Requester"):
        purchase_order_create(
            user=clerk, vendor_id=active_vendor.id, lines=po_lines(("1", "1"))
        )


def test_vendor_with_a_po_cannot_be_deleted(make_po, clerk, active_vendor):
    make_po()
    with pytest.raises(InvalidTransition, match="1 purchase order"):
        vendor_delete(vendor_id=active_vendor.id, user=clerk)


def test_new_po_does_not_make_an_open_vendor_form_stale(make_po, clerk, active_vendor):
    make_po()
    vendor_update(
        vendor_id=active_vendor.id, user=clerk, changes={"phone": "+1 555"}, version=1
    )
    assert vendor_get(vendor_id=active_vendor.id).phone == "+1 555"


def test_small_po_is_approved_by_one_approver_within_limit(make_po, approver):
    po = make_po()
    approved = purchase_order_approve(po_id=po.id, user=approver, version=po.version)
    assert approved.status == "approved"
    stored = purchase_order_get(po_id=po.id)
    assert stored.approvers == ["approver"]
    assert stored.approvals[0].limit_used == Decimal("10000.00")
    assert history(po) == ["APPROVE", "CREATE"]


def test_po_of_5000_or_more_needs_two_different_approvers(make_po, approver, approver2):
    po = make_po(("60", "100.00"))
    assert po.approvals_required == 2
    purchase_order_approve(po_id=po.id, user=approver)
    assert purchase_order_get(po_id=po.id).status == "pending"
    with pytest.raises(PermissionDenied, match="already approved"):
        purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_approve(po_id=po.id, user=approver2)
    stored = purchase_order_get(po_id=po.id)
    assert (stored.status, stored.approvers) == ("approved", ["approver", "approver2"])
    assert history(po) == ["APPROVE", "APPROVE", "CREATE"]


def test_requester_cannot_approve_their_own_po(make_po, db):
    from tests.conftest import make_user

    both = make_user("both", "Requester", "Approver")
    po = make_po(user=both)
    with pytest.raises(PermissionDenied, match="no self-approval"):
        purchase_order_approve(po_id=po.id, user=both)
    assert history(po) == ["CREATE"]


def test_non_approver_cannot_approve(make_po, requester, clerk):
    po = make_po()
    with pytest.raises(PermissionDenied, match="Only Approver"):
        purchase_order_approve(po_id=po.id, user=clerk)


def test_po_above_the_approvers_limit_needs_a_higher_limit(
    make_po, approver, approver2
):
    po = make_po(("120", "100.00"))
    with pytest.raises(
        PermissionDenied, match="above your approval limit of EUR 10,000.00"
    ):
        purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_approve(po_id=po.id, user=approver2)
    assert purchase_order_get(po_id=po.id).approvers == ["approver2"]


def test_approving_a_rejected_po_is_refused(make_po, approver, approver2):
    po = make_po()
    purchase_order_reject(po_id=po.id, user=approver, reason="Wrong vendor")
    with pytest.raises(InvalidTransition, match="is rejected; only pending"):
        purchase_order_approve(po_id=po.id, user=approver2)
    stored = purchase_order_get(po_id=po.id)
    assert (stored.rejection_reason, stored.decided_by) == ("Wrong vendor", "approver")


def test_rejection_needs_a_reason(make_po, approver):
    po = make_po()
    with pytest.raises(ValidationFailed, match="Give a reason"):
        purchase_order_reject(po_id=po.id, user=approver, reason="  ")
    assert purchase_order_get(po_id=po.id).status == "pending"


def test_life_cycle_approved_sent_received_closed(make_po, approver, requester, clerk):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_send(po_id=po.id, user=requester)
    purchase_order_receive(
        po_id=po.id, user=clerk, quantities={1: "10", 2: "5"}, note="all in"
    )
    purchase_order_close(po_id=po.id, user=clerk)
    stored = purchase_order_get(po_id=po.id)
    assert stored.status == "closed" and stored.is_fully_received
    assert history(po) == ["CLOSE", "RECEIVE", "SEND", "APPROVE", "CREATE"]


@pytest.mark.parametrize("status_path", [[], ["approve"], ["approve", "send"]])
def test_pending_approved_and_sent_pos_can_be_cancelled(
    make_po, approver, requester, status_path
):
    po = make_po()
    if "approve" in status_path:
        purchase_order_approve(po_id=po.id, user=approver)
    if "send" in status_path:
        purchase_order_send(po_id=po.id, user=requester)
    purchase_order_cancel(po_id=po.id, user=requester, reason="Project stopped")
    stored = purchase_order_get(po_id=po.id)
    assert (stored.status, stored.cancellation_reason) == (
        "cancelled",
        "Project stopped",
    )


def test_transitions_outside_the_life_cycle_are_refused(make_po, approver, requester):
    po = make_po()
    with pytest.raises(
        InvalidTransition, match="only approved purchase orders can be sent"
    ):
        purchase_order_send(po_id=po.id, user=requester)
    with pytest.raises(
        InvalidTransition, match="only sent purchase orders can be closed"
    ):
        purchase_order_close(po_id=po.id, user=requester)
    purchase_order_cancel(po_id=po.id, user=requester)
    with pytest.raises(InvalidTransition):
        purchase_order_cancel(po_id=po.id, user=requester)
    assert history(po) == ["CANCEL", "CREATE"]


def test_edit_recomputes_totals_and_resets_earlier_approvals(
    make_po, approver, requester
):
    po = make_po(("60", "100.00"))
    purchase_order_approve(po_id=po.id, user=approver)
    edited = purchase_order_update(
        po_id=po.id,
        user=requester,
        version=2,
        lines=po_lines(("70", "100.00")),
        notes="More chairs",
    )
    assert edited.total_amount == Decimal("7000.00")
    stored = purchase_order_get(po_id=po.id)
    assert stored.approvals == [] and stored.notes == "More chairs"
    entry = audit_history(entity_type="purchase_order", entity_id=po.id).items[0]
    assert entry.action == "UPDATE"
    assert entry.details["approvals_reset"] == ["approver"]
    assert entry.details["before"]["total_amount"] == "6000.00"


def test_only_pending_pos_are_edited_or_deleted_and_only_by_their_requester(
    make_po, approver, db
):
    from tests.conftest import make_user

    other = make_user("other", "Requester")
    po = make_po()
    with pytest.raises(PermissionDenied, match="Only requester, who raised"):
        purchase_order_update(po_id=po.id, user=other, notes="mine now")
    purchase_order_approve(po_id=po.id, user=approver)
    with pytest.raises(
        InvalidTransition, match="only pending purchase orders can be edited"
    ):
        purchase_order_update(po_id=po.id, user=po_requester(po), notes="late")
    with pytest.raises(InvalidTransition, match="can be deleted"):
        purchase_order_delete(po_id=po.id, user=po_requester(po))


def po_requester(po):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=po.requester)


def test_delete_removes_a_pending_po_and_frees_the_vendor(
    make_po, requester, clerk, active_vendor
):
    po = make_po()
    purchase_order_delete(po_id=po.id, user=requester, version=1)
    assert purchase_order_get(po_id=po.id) is None
    assert vendor_get(vendor_id=active_vendor.id).po_count == 0
    assert history(po) == ["DELETE", "CREATE"]
    vendor_delete(vendor_id=active_vendor.id, user=clerk)


def test_stale_edit_is_refused_and_nothing_changes(make_po, requester):
    po = make_po()
    purchase_order_update(po_id=po.id, user=requester, version=1, notes="first")
    with pytest.raises(StaleRecord):
        purchase_order_update(po_id=po.id, user=requester, version=1, notes="second")
    assert purchase_order_get(po_id=po.id).notes == "first"


def test_approval_decided_on_an_edited_po_is_refused(make_po, requester, approver):
    po = make_po()
    purchase_order_update(po_id=po.id, user=requester, lines=po_lines(("99", "100.00")))
    with pytest.raises(StaleRecord, match="edited since you opened it"):
        purchase_order_approve(po_id=po.id, user=approver, version=1)
    assert purchase_order_get(po_id=po.id).approvals == []


def test_second_approval_from_a_page_opened_before_the_first_still_counts(
    make_po, approver, approver2
):
    po = make_po(("60", "100.00"))
    opened_version = po.version
    purchase_order_approve(po_id=po.id, user=approver, version=opened_version)
    purchase_order_approve(po_id=po.id, user=approver2, version=opened_version)
    assert purchase_order_get(po_id=po.id).status == "approved"


def test_partial_receipts_add_up_and_over_receipt_is_refused(make_po, approver, clerk):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "4"})
    purchase_order_receive(po_id=po.id, user=clerk, quantities={"1": "5", "2": "5"})
    with pytest.raises(ValidationFailed) as caught:
        purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "2"})
    assert "exceed the ordered 10" in caught.value.field_errors["lines.1"]
    assert "1 outstanding" in caught.value.field_errors["lines.1"]
    stored = purchase_order_get(po_id=po.id)
    assert [line.received_quantity for line in stored.items] == [
        Decimal("9"),
        Decimal("5"),
    ]
    assert len(stored.receipts) == 2
    assert stored.receipts[0].received_by == "clerk"
    assert history(po).count("RECEIVE") == 2


def test_receipts_are_refused_on_pending_pos_and_for_empty_or_future_entries(
    make_po, approver, clerk
):
    po = make_po()
    with pytest.raises(InvalidTransition, match="only against approved or sent"):
        purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "1"})
    purchase_order_approve(po_id=po.id, user=approver)
    with pytest.raises(ValidationFailed, match="cannot be recorded"):
        purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "", 2: "0"})
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationFailed) as caught:
        purchase_order_receive(
            po_id=po.id, user=clerk, quantities={1: "1"}, received_on=tomorrow
        )
    assert "future" in caught.value.field_errors["received_on"]
    with pytest.raises(ValidationFailed) as caught:
        purchase_order_receive(po_id=po.id, user=clerk, quantities={9: "1", 1: "-1"})
    assert set(caught.value.field_errors) == {"lines.9", "lines.1"}
    assert history(po) == ["APPROVE", "CREATE"]


def test_lists_filter_by_status_vendor_requester_and_date(
    make_po, approver, active_vendor
):
    first, second = make_po(), make_po()
    purchase_order_approve(po_id=first.id, user=approver)
    assert [p.id for p in purchase_order_list().items] == [second.id, first.id]
    assert [p.id for p in purchase_order_list(status="approved").items] == [first.id]
    assert [
        p.id
        for p in purchase_order_list(vendor_id=active_vendor.id, status="pending").items
    ] == [second.id]
    assert len(purchase_order_list(requester="requester").items) == 2
    today = dt.date.today()
    assert len(purchase_order_list(created_from=today, created_to=today).items) == 2
    assert purchase_order_list(created_to=today - dt.timedelta(days=1)).items == []


def _enter_invoice(clerk, po, number="INV-1"):
    from invoicing.services import invoice_create

    return invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=dt.date.today().isoformat(),
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
    )


def test_a_po_with_an_invoice_cannot_be_deleted_and_keeps_its_version(
    make_po, requester, clerk
):
    po = make_po()
    _enter_invoice(clerk, po)

    stored = purchase_order_get(po_id=po.id)
    assert (stored.invoice_count, stored.version) == (1, 1)  # counting is no edit
    with pytest.raises(InvalidTransition) as refused:
        purchase_order_delete(po_id=po.id, user=requester, version=1)
    assert refused.value.message == (
        f"{po.po_number} has invoices entered against it and cannot be deleted; "
        "cancel it instead."
    )
    assert purchase_order_get(po_id=po.id) is not None
    assert [e.action for e in audit_history(
        entity_type="purchase_order", entity_id=po.id, limit=10
    ).items] == ["CREATE"]  # fmt: skip
