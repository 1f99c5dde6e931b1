"""
Every write to a purchase order. Each is one conditional TransactWrite holding
the change and its PO_ACTION audit entry: both are written or neither.

Decisions (approve, reject, send, cancel, close, receive) re-read and retry
when another decision landed first, so two approvers clicking together give
two approvals, never a lost one; an edit of the PO's content since the user
opened it is refused instead.

PO numbers (`PO-2026-000042`) are unique and rise with time, but may have
gaps: a number is taken from the year's counter before the PO is written
(so requesters raising POs at the same moment never wait on each other),
and a PO that is then refused (its vendor suspended at that instant, or too
many conflicts) leaves its number unused for good.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from accounting.coding import (
    check_line_codes,
    coded,
    fallbacks,
)
from accounts.roles import Role, has_role, require_role, require_second_factor
from accounts.selectors import approval_limit_get
from audit.entries import actor_id, audit_entry_add, changed_fields
from audit.models import AuditAction, AuditEntry
from core import dynamo
from core.days import latest_today
from core.errors import NotFound, StaleRecord, ValidationFailed
from core.item_loading import map_with
from core.mail_outbox import outbox_add, outbox_committed, outbox_save
from core.text import clean_reason
from core.versions import check_version
from core.writes import (
    MAX_ATTEMPTS,
    audited_update,
    audited_update_add,
    derived_keys_backfill,
    retry_pause,
    search_index_change,
    with_updates,
)
from purchasing import events, notifications, rules
from purchasing.approval_queue import approval_queue_keys, keys_out_of_date
from purchasing.events import purchase_order_snapshot
from purchasing.invoices_waiting import invoices_waiting_count
from purchasing.models import (
    Approval,
    GoodsReceipt,
    POLine,
    PONumberSequence,
    POStatus,
    PurchaseOrder,
    PurchaseOrderApprovalKeys,
    PurchaseOrderInvoiceCounter,
    PurchaseOrderRejectedKeys,
    ReceiptLine,
)
from purchasing.selectors import (
    amount_value,
    approval_day,
    purchase_order_get,
    purchase_order_get_or_404,
    purchase_order_value,
)
from vendors import selectors as vendor_selectors
from vendors import services as vendor_services
from vendors.models import VendorStatus


def _active_vendor(vendor_id: str):
    vendor = vendor_selectors.vendor_get(vendor_id=vendor_id)
    if vendor is None:
        raise NotFound(f"There is no vendor with id '{vendor_id}'.")
    if vendor.status != VendorStatus.ACTIVE:
        message = f"{vendor.name} is {vendor.status}; only active vendors get new purchase orders."
        raise ValidationFailed(message, {"vendor_id": message})
    return vendor


def _coded_lines(
    cleaned: Sequence[Mapping[str, Any]], *, vendor, previous: Sequence[POLine] = ()
) -> list[dict]:
    """
    The lines with the codes they do not name taken from the same line
    before this edit (`previous`), then the vendor's defaults, then the
    settings' tax code; refused when a code does not exist or is inactive
    on a new or changed line.
    """
    before = {line.line_number: line for line in previous}
    defaults = fallbacks(vendor)
    lines = [
        coded(line, before.get(line["line_number"]), *defaults) for line in cleaned
    ]
    check_line_codes(lines, previous=previous)
    return lines


def _po_lines(cleaned: Sequence[Mapping[str, Any]]) -> list[POLine]:
    return [
        POLine(**line, received_quantity=Decimal("0"), invoiced_quantity=Decimal("0"))
        for line in cleaned
    ]


def _lines_added(
    po: PurchaseOrder,
    *,
    received: Mapping[int, Decimal] | None = None,
    invoiced: Mapping[int, Decimal] | None = None,
) -> list[POLine]:
    """The PO's lines with quantities received or invoiced added, by line number."""
    zero = Decimal("0")
    received, invoiced = received or {}, invoiced or {}
    return [
        map_with(
            line,
            received_quantity=(line.received_quantity or zero)
            + received.get(line.line_number, zero),
            invoiced_quantity=(line.invoiced_quantity or zero)
            + invoiced.get(line.line_number, zero),
        )
        for line in po.items
    ]


def purchase_order_create(
    *,
    user,
    vendor_id: str,
    lines: Sequence[Mapping[str, Any]],
    currency: str | None = None,
    match_type: str | None = None,
    expected_delivery: Any = None,
    notes: str | None = None,
    total_amount: Any = None,
    copied_from: str | None = None,
) -> PurchaseOrder:
    """
    Raise a PO for an active vendor (Requester); its number is the next of the year.

    `copied_from` names the rejected PO whose vendor, currency and lines the
    requester started from (the form offers it), recorded as its source.
    """
    require_role(user, Role.REQUESTER, action="raise purchase orders")
    source = None
    if copied_from:
        source = purchase_order_get_or_404(po_id=copied_from)
        rules.check_can_copy(source)
    vendor = _active_vendor(vendor_id)
    header = rules.clean_header(
        currency=currency or vendor.currency,
        match_type=match_type,
        expected_delivery=expected_delivery,
        notes=notes,
    )
    rules.check_vendor_currency(currency=header.currency, vendor=vendor)
    cleaned = rules.clean_lines(lines, header.currency)
    total = rules.lines_total(cleaned, header.currency)
    rules.check_claimed_total(total_amount, total, header.currency)
    cleaned = _coded_lines(cleaned, vendor=vendor)
    value = amount_value(amount=total, currency=header.currency)  # a forecast

    now = dynamo.utcnow()
    po = PurchaseOrder(
        id=str(uuid.uuid4()),
        po_number=_po_number_take(year=now.year),
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        currency=header.currency,
        items=_po_lines(cleaned),
        total_amount=total,
        status=POStatus.PENDING.value,
        match_type=header.match_type,
        requester=actor_id(user),
        approvals_required=rules.required_approvals(value),
        approvals=[],
        receipts=[],
        expected_delivery=header.expected_delivery,
        notes=header.notes,
        copied_from=source.id if source else None,
        copied_from_number=source.po_number if source else None,
        **approval_queue_keys(status=POStatus.PENDING, value=value),
        edited_at_version=1,
        created_at=now,
        updated_at=now,
    )
    entry = events.purchase_order_created_event(po=po, user=user, copied_from=source)
    mails = notifications.notify_po_awaiting_approval(po, value=value) or []
    for attempt in range(MAX_ATTEMPTS):
        try:
            with dynamo.write_transaction() as transaction:
                transaction.save(po, condition=PurchaseOrder.id.does_not_exist())
                vendor_services.vendor_po_count_change(
                    transaction=transaction, vendor_id=vendor.id, delta=1
                )
                audit_entry_add(transaction, entry)
                search_index_change(transaction, after=po)
                queued, later = _mails_add(transaction, mails)
        except StaleRecord:
            _active_vendor(vendor.id)  # suspended or deleted meanwhile: say so
            retry_pause(attempt)
            continue  # another PO of this vendor was written at the same instant
        _mails_committed(queued, later)
        return po
    # The number taken stays unused: a gap in the year's numbers.
    raise StaleRecord(
        "Many purchase orders are being raised right now; please try again."
    )


def _po_number_take(*, year: int) -> str:
    """
    Take the next PO number of `year` ("PO-2026-000042") from its counter.

    One atomic ADD (UpdateItem returning the new value): never a conflict,
    however many requesters raise POs at once, and never the same number
    twice. A number whose PO is then not written is skipped for good, so
    the year's numbers can have gaps (domain: numbers are unique and rise
    with time; an auditor reads a gap as a PO that was never raised).
    """
    sequence = PONumberSequence(f"sequence#PO-{year}")
    sequence.update(actions=[PONumberSequence.last_number.add(1)])
    return f"PO-{year}-{sequence.last_number:06d}"


def purchase_order_update(
    *,
    po_id: str,
    user,
    version: int | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    currency: str | None = None,
    match_type: str | None = None,
    expected_delivery: Any = ...,
    notes: Any = ...,
    total_amount: Any = None,
) -> PurchaseOrder:
    """Edit a pending PO (its requester). A changed amount needs fresh approvals."""
    require_role(user, Role.REQUESTER, action="edit purchase orders")
    po = purchase_order_get_or_404(po_id=po_id)
    check_version(po, version)
    rules.check_editable(po, username=actor_id(user), is_admin=user.is_superuser)
    header = rules.clean_header(
        currency=currency or po.currency,
        match_type=match_type or po.match_type,
        expected_delivery=po.expected_delivery
        if expected_delivery is ...
        else expected_delivery,
        notes=po.notes if notes is ... else notes,
    )
    # Checked when the currency changes: a vendor whose currency changed since
    # keeps its pending POs editable (their notes, lines) in the one they had.
    # The vendor's default codes fill the lines that name none.
    vendor = vendor_selectors.vendor_get(vendor_id=po.vendor_id)
    if vendor is not None and header.currency != po.currency:
        rules.check_vendor_currency(currency=header.currency, vendor=vendor)
    if lines is None:
        lines = [
            {"description": line.description, "quantity": line.quantity,
             "unit_price": line.unit_price, "tax_code": line.tax_code,
             "gl_account": line.gl_account, "cost_centre": line.cost_centre}
            for line in po.items
        ]  # fmt: skip
    cleaned = rules.clean_lines(lines, header.currency)
    total = rules.lines_total(cleaned, header.currency)
    rules.check_claimed_total(total_amount, total, header.currency)
    cleaned = _coded_lines(cleaned, vendor=vendor, previous=po.items)

    before = purchase_order_snapshot(po)
    updates: dict[str, Any] = {
        "currency": header.currency,
        "match_type": header.match_type,
        "expected_delivery": header.expected_delivery,
        "notes": header.notes,
        "items": _po_lines(cleaned),
        "total_amount": total,
    }
    after = purchase_order_snapshot(with_updates(po, updates))
    details: dict[str, Any] = changed_fields(before, after)
    if not details["after"]:
        return po
    approvals_reset: list[str] = []
    if po.approvals and {"items", "total_amount", "currency"} & set(details["after"]):
        updates["approvals"] = []
        approvals_reset = po.approvers
    value = amount_value(amount=total, currency=header.currency)
    if approvals_reset or not po.approvals:
        # A first approval already decided the number; until one, forecast it.
        updates["approvals_required"] = rules.required_approvals(value)
    updates.update(approval_queue_keys(status=po.status, value=value))
    updates["edited_at_version"] = po.version + 1
    entry = events.purchase_order_updated_event(
        po=po, user=user, changes=details, approvals_reset=approvals_reset
    )
    return _write(po, updates, entry)


def _write(
    po: PurchaseOrder, updates: dict[str, Any], entry, mails: Sequence = ()
) -> PurchaseOrder:
    """
    Write `updates` and `entry` (or entries, in order) in one transaction,
    with the outbox items of the mails the change causes; a PO leaving
    `pending` leaves the approval queue in the same write.
    """
    status = updates.get("status", po.status)
    if status != POStatus.PENDING and (po.approval_queue or po.approval_value):
        updates = {**updates, **approval_queue_keys(status=status, value=None)}
    updates = {**updates, "updated_at": dynamo.utcnow()}
    if not mails:
        return audited_update(po, updates, entry=entry)
    with dynamo.write_transaction() as transaction:
        committed = audited_update_add(transaction, po, updates, entry=entry)
        queued, later = _mails_add(transaction, mails)
    committed()
    _mails_committed(queued, later)
    return po


# A transaction holds at most 100 items: the change, its audit entries and
# search tokens take a few; the mails beyond this many follow the commit.
MAILS_IN_TRANSACTION = 50


def _mails_add(transaction, mails: Sequence) -> tuple[list, list]:
    """Add the first mails to `transaction`; return them and those for after it."""
    mails = list(mails)
    return (
        outbox_add(transaction, mails[:MAILS_IN_TRANSACTION]),
        mails[MAILS_IN_TRANSACTION:],
    )


def _mails_committed(queued: list, later: list) -> None:
    outbox_committed(queued)
    if later:
        outbox_save(later)


def _closed_when_done(
    po: PurchaseOrder, items: list[POLine]
) -> tuple[dict[str, Any], list[AuditEntry]]:
    """
    The updates and audit entry of `po` closing itself, if its lines becoming
    `items` leave nothing to receive or invoice (`rules.closes_automatically`);
    nothing otherwise. The caller writes them with the change that completed it.
    """
    if not rules.closes_automatically(status=po.status, lines=items):
        return {}, []
    entry = events.purchase_order_closed_event(
        po=po, user=events.SYSTEM_USER, reason=rules.AUTO_CLOSE_REASON, outstanding={}
    )
    updates = {
        "status": POStatus.CLOSED.value,
        "decided_by": events.SYSTEM_USER,
        "closing_reason": rules.AUTO_CLOSE_REASON,
    }
    return updates, [entry]


def _reopened_when_undone(
    po: PurchaseOrder, items: list[POLine]
) -> tuple[dict[str, Any], list[AuditEntry]]:
    """
    The updates and audit entry of a PO the system closed going back to
    sent, if its lines becoming `items` (a void) leave it incomplete
    (`rules.reopens_automatically`); nothing otherwise.
    """
    if not rules.reopens_automatically(
        status=po.status,
        closed_by_system=po.decided_by == events.SYSTEM_USER,
        lines=items,
    ):
        return {}, []
    entry = events.purchase_order_reopened_event(po=po, reason=rules.REOPEN_REASON)
    updates = {
        "status": POStatus.SENT.value,
        "decided_by": None,
        "closing_reason": None,
    }
    return updates, [entry]


def purchase_order_delete(*, po_id: str, user, version: int | None = None) -> None:
    """
    Delete a pending PO without invoices (its requester); the vendor's PO
    count goes down with it.

    The delete is conditioned on the PO's version, status and invoice count
    as read, so an invoice entered in between (its transaction adds to the
    count) makes it fail rather than leave the invoice without its PO.
    """
    require_role(user, Role.REQUESTER, action="delete purchase orders")
    po = purchase_order_get_or_404(po_id=po_id)
    check_version(po, version)
    username = actor_id(user)
    rules.check_deletable(po, username=username, is_admin=user.is_superuser)
    entry = events.purchase_order_deleted_event(po=po, user=user)
    try:
        with dynamo.write_transaction() as transaction:
            transaction.delete(
                po,
                condition=(PurchaseOrder.status == POStatus.PENDING.value)
                & (
                    PurchaseOrder.invoice_count.does_not_exist()
                    | (PurchaseOrder.invoice_count == 0)
                ),
            )
            vendor_services.vendor_po_count_change(
                transaction=transaction, vendor_id=po.vendor_id, delta=-1
            )
            audit_entry_add(transaction, entry)
            search_index_change(transaction, before=po)
    except StaleRecord:
        # Explain the refusal: gone, decided on, invoiced, or edited meanwhile.
        current = purchase_order_get(po_id=po.id)
        if current is None:
            raise NotFound(
                f"{po.po_number} was already deleted by someone else."
            ) from None
        rules.check_deletable(current, username=username, is_admin=user.is_superuser)
        raise


# --- Decisions --------------------------------------------------------------


def _decide(
    *,
    po_id: str,
    version: int | None,
    decide: Callable[
        [PurchaseOrder], tuple[dict[str, Any], AuditEntry | list[AuditEntry]]
    ],
) -> PurchaseOrder:
    """
    Apply a decision with optimistic retries.

    `decide(po)` checks the rules on the freshly read PO and returns the
    updates and their audit entry (or entries). A conflict with another
    decision re-reads and decides again; an edit of the PO's content after
    `version` is refused, since the user decided on what they saw.
    """
    for attempt in range(MAX_ATTEMPTS):
        po = purchase_order_get_or_404(po_id=po_id)
        if version is not None and po.edited_at_version > version:
            raise StaleRecord(
                f"{po.po_number} was edited since you opened it. Review the changes "
                "and try again."
            )
        updates, entry, *mails = decide(po)
        try:
            return _write(po, updates, entry, mails[0] if mails else ())
        except StaleRecord:
            retry_pause(attempt)
    raise StaleRecord(
        "This purchase order is being changed by several people at once; please try again."
    )


def purchase_order_approve(
    *, po_id: str, user, version: int | None = None
) -> PurchaseOrder:
    """
    Approve within the approver's limit; POs worth the threshold or more need
    two approvers.

    Limit and threshold are amounts in the base currency: the PO's total is
    converted at the rate in effect today (the latest valid from today or
    earlier), which the approval records with the amount it gave. The first
    approval decides how many the PO needs; a PO in a currency without a
    rate cannot be approved.
    """
    require_second_factor(user, action="approve purchase orders")
    username = actor_id(user)
    is_approver = has_role(user, Role.APPROVER)
    limit = approval_limit_get(user=user) if is_approver else Decimal("0")
    today = approval_day()

    def decide(po):
        value = purchase_order_value(po=po, on=today)
        rules.check_can_approve(
            po, username=username, is_approver=is_approver, limit=limit, value=value
        )
        required = (
            po.approvals_required if po.approvals else rules.required_approvals(value)
        )
        approvals = list(po.approvals) + [
            Approval(
                approver=username,
                approved_at=dynamo.utcnow(),
                limit_used=limit,
                base_currency=value.base_currency,
                base_amount=value.base_amount,
                exchange_rate=value.rate if value.is_converted else None,
                rate_valid_from=value.valid_from,
            )
        ]
        updates: dict[str, Any] = {
            "approvals": approvals,
            "approvals_required": required,
        }
        if len(approvals) >= required:
            updates["status"] = POStatus.APPROVED.value
        else:  # still queued for the second approver, at today's worth
            updates.update(approval_queue_keys(status=po.status, value=value))
        entry = events.purchase_order_approved_event(
            po=po,
            user=user,
            approvals=len(approvals),
            required=required,
            limit=limit,
            value=value,
            status=updates.get("status", po.status),
        )
        after = with_updates(po, updates)
        if after.status == POStatus.APPROVED:
            mails = notifications.notify_po_approved(after)
        else:  # the first of two approvals: the others may give the second
            mails = notifications.notify_po_awaiting_approval(after, value=value)
        return updates, entry, mails or []

    return _decide(po_id=po_id, version=version, decide=decide)


def purchase_order_reject(
    *, po_id: str, user, reason: str, version: int | None = None
) -> PurchaseOrder:
    require_second_factor(user, action="reject purchase orders")
    username = actor_id(user)
    is_approver = has_role(user, Role.APPROVER)

    def decide(po):
        cleaned = rules.check_can_reject(
            po, username=username, is_approver=is_approver, reason=reason
        )
        entry = events.purchase_order_rejected_event(po=po, user=user, reason=cleaned)
        updates = _reasoned(POStatus.REJECTED, cleaned, username)
        # The requester's list of rejected POs (rejected_index) is these keys.
        updates.update(rejected_requester=po.requester, rejected_at=dynamo.utcnow())
        mails = notifications.notify_po_rejected(with_updates(po, updates))
        return updates, entry, mails or []

    return _decide(po_id=po_id, version=version, decide=decide)


def _reasoned(target: POStatus, reason: str | None, username: str) -> dict:
    """The updates of a decision that keeps its reason (reject, cancel, close)."""
    field = {
        POStatus.REJECTED: "rejection_reason",
        POStatus.CANCELLED: "cancellation_reason",
        POStatus.CLOSED: "closing_reason",
    }[target]
    return {"status": target.value, field: reason, "decided_by": username}


def purchase_order_send(
    *, po_id: str, user, version: int | None = None
) -> PurchaseOrder:
    """
    Mark an approved PO as sent to the vendor: its requester, or a Buyer
    (`rules.check_can_send`).
    """
    require_role(user, Role.REQUESTER, Role.BUYER, action="send purchase orders")
    username = actor_id(user)
    is_buyer = has_role(user, Role.BUYER)

    def decide(po):
        rules.check_can_send(
            po, username=username, is_buyer=is_buyer, is_admin=user.is_superuser
        )
        updates = {"status": POStatus.SENT.value, "decided_by": username}
        return updates, events.purchase_order_sent_event(po=po, user=user)

    return _decide(po_id=po_id, version=version, decide=decide)


def purchase_order_close(
    *, po_id: str, user, reason: str | None = None, version: int | None = None
) -> PurchaseOrder:
    """
    Close a sent PO once it is done with (its requester, a Buyer or an AP
    Clerk); the audit entry records what was still outstanding.

    The reason is optional, and required when goods are outstanding or
    invoices wait to be matched (`rules.clean_close_reason`).
    """
    require_role(
        user,
        Role.REQUESTER,
        Role.AP_CLERK,
        Role.BUYER,
        action="close purchase orders",
    )
    username = actor_id(user)
    is_buyer = has_role(user, Role.BUYER)
    is_clerk = has_role(user, Role.AP_CLERK)

    def decide(po):
        rules.check_can_close(po)
        rules.check_closer(
            po,
            username=username,
            is_buyer=is_buyer,
            is_clerk=is_clerk,
            is_admin=user.is_superuser,
        )
        cleaned = rules.clean_close_reason(
            po,
            reason=reason,
            invoices_waiting=invoices_waiting_count(po_id=po.id),
        )
        entry = events.purchase_order_closed_event(
            po=po,
            user=user,
            reason=cleaned,
            outstanding=rules.outstanding(po.items).as_details(),
        )
        return _reasoned(POStatus.CLOSED, cleaned, username), entry

    return _decide(po_id=po_id, version=version, decide=decide)


def purchase_order_cancel(
    *, po_id: str, user, reason: str | None = None, version: int | None = None
) -> PurchaseOrder:
    """Cancel a pending, approved or sent PO (its requester or an approver)."""
    require_role(user, Role.REQUESTER, Role.APPROVER, action="cancel purchase orders")
    cleaned = clean_reason(reason)
    username = actor_id(user)

    def decide(po):
        rules.check_can_cancel(
            po,
            username=username,
            is_approver=has_role(user, Role.APPROVER),
            is_admin=user.is_superuser,
        )
        entry = events.purchase_order_cancelled_event(po=po, user=user, reason=cleaned)
        return _reasoned(POStatus.CANCELLED, cleaned, username), entry

    return _decide(po_id=po_id, version=version, decide=decide)


def purchase_order_receive(
    *,
    po_id: str,
    user,
    quantities: Mapping[Any, Any],
    received_on: Any = None,
    note: str | None = None,
    version: int | None = None,
) -> PurchaseOrder:
    """
    Record goods received against an approved or sent PO (AP Clerk); the
    receipt that completes an invoiced sent PO closes it (`_closed_when_done`).
    """
    require_role(user, Role.AP_CLERK, action="record goods receipts")
    note = clean_reason(note)
    username = actor_id(user)
    today = latest_today()

    def decide(po):
        received, date = rules.clean_receipt(
            po, quantities=quantities, received_on=received_on or today, today=today
        )
        items = _lines_added(po, received=received)
        receipt = GoodsReceipt(
            id=str(uuid.uuid4()),
            received_on=date,
            lines=[
                ReceiptLine(line_number=n, quantity=q)
                for n, q in sorted(received.items())
            ],
            note=note,
            received_by=username,
            recorded_at=dynamo.utcnow(),
        )
        updates = {"items": items, "receipts": list(po.receipts) + [receipt]}
        entry = events.purchase_order_received_event(
            po=po, user=user, receipt=receipt, items=items, received=received
        )
        closing, closed = _closed_when_done(po, items)
        return {**updates, **closing}, [entry, *closed]

    return _decide(po_id=po_id, version=version, decide=decide)


# --- Used by invoicing, inside its own transactions ---------------------------


def purchase_order_invoiced_add(
    *,
    transaction,
    po: PurchaseOrder,
    quantities: Mapping[int, Decimal],
    net_total: Decimal,
    user,
    action: AuditAction,
    invoice_number: str,
) -> Callable[[], None]:
    """
    Add a matched invoice's quantities and net total to the PO, conditioned on
    the PO being the version the match was computed on; the invoice that
    completes a received sent PO closes it in the same transaction.

    Returns what brings `po` itself up to date, to call once the transaction
    has committed (PynamoDB then has already advanced its version), so a
    caller that goes on using `po` never decides on stale totals.
    """
    items = _lines_added(po, invoiced=quantities)
    new_total = (po.invoiced_total or Decimal("0")) + net_total
    entry = events.purchase_order_invoiced_event(
        po=po,
        user=user,
        action=action,
        invoice_number=invoice_number,
        items=items,
        new_total=new_total,
    )
    closing, closed = _closed_when_done(po, items)
    if not closing:
        closing, closed = _reopened_when_undone(po, items)
    return audited_update_add(
        transaction,
        po,
        {"items": items, "invoiced_total": new_total, **closing},
        entry=[entry, *closed],
    )


def purchase_order_unchanged_check(*, transaction, po: PurchaseOrder) -> None:
    """Make the caller's transaction fail if the PO changed since it was read."""
    transaction.condition_check(
        PurchaseOrder, po.id, condition=PurchaseOrder.version == po.version
    )


def purchase_order_invoiced_remove(
    *,
    transaction,
    po: PurchaseOrder,
    quantities: Mapping[int, Decimal],
    net_total: Decimal,
    user,
    invoice_number: str,
    action: AuditAction = AuditAction.VOID,
) -> Callable[[], None]:
    """
    Take a voided matched invoice's quantities and net total off the PO, or
    (`action` RECONCILE, ...) a matched credit note's.
    """
    return purchase_order_invoiced_add(
        transaction=transaction,
        po=po,
        quantities={number: -quantity for number, quantity in quantities.items()},
        net_total=-net_total,
        user=user,
        action=action,
        invoice_number=invoice_number,
    )


def purchase_order_invoice_added(*, transaction, po_id: str) -> None:
    """
    Count an invoice entered against the PO inside the invoice's transaction,
    which fails if the PO was deleted or cancelled.

    The count is what `purchase_order_delete` is conditioned on; it is never
    taken down, since a voided invoice still refers to its PO.
    """
    transaction.update(
        PurchaseOrderInvoiceCounter(po_id),
        actions=[PurchaseOrderInvoiceCounter.invoice_count.add(1)],
        condition=PurchaseOrderInvoiceCounter.id.exists()
        & (PurchaseOrderInvoiceCounter.status != POStatus.CANCELLED.value),
    )


# --- Operators' one-offs ------------------------------------------------------


def purchase_order_rejected_keys_backfill(*, dry_run: bool = False) -> int:
    """
    Give each PO rejected before `rejected_index` existed its keys; return
    how many lacked them.

    Reads the rejected POs through the status index (never the whole table):
    an operator's one-off (`manage.py index_rejected_purchase_orders`). A
    rejected PO changes no more, so its last update is its rejection. The
    keys are derived data, like an index, so no audit entry is written.
    """

    def change(po):
        keys = PurchaseOrderRejectedKeys(po.id)
        actions = [
            PurchaseOrderRejectedKeys.rejected_requester.set(po.requester),
            PurchaseOrderRejectedKeys.rejected_at.set(po.updated_at),
        ]
        condition = (
            PurchaseOrderRejectedKeys.status == POStatus.REJECTED.value
        ) & PurchaseOrderRejectedKeys.rejected_requester.does_not_exist()
        return keys, actions, condition

    rejected = PurchaseOrder.status_index.query(
        POStatus.REJECTED.value,
        filter_condition=PurchaseOrder.rejected_requester.does_not_exist(),
    )
    return derived_keys_backfill(rejected, change, dry_run=dry_run)


def purchase_order_approval_keys_backfill(*, dry_run: bool = False) -> int:
    """
    Give each pending PO the `approval_queue_index` keys of its worth at
    today's rates; return how many lacked them or had others.

    For POs raised before the index existed and after an exchange rate
    changed (`manage.py index_pending_purchase_orders`). Reads the pending
    POs through the status index, never the whole table; written through
    the key-only view (the PO's version unchanged) on the condition that it
    is still pending, so a PO decided meanwhile keeps the keys its decision
    removed. Derived data, like an index: no audit entry.
    """
    today = approval_day()
    rates: dict = {}

    def change(po):
        value = purchase_order_value(po=po, on=today, rates=rates)
        keys = approval_queue_keys(status=po.status, value=value)
        if not keys_out_of_date(po, keys):
            return None
        record = PurchaseOrderApprovalKeys(po.id)
        actions = [
            getattr(PurchaseOrderApprovalKeys, field).remove()
            if wanted is None
            else getattr(PurchaseOrderApprovalKeys, field).set(wanted)
            for field, wanted in keys.items()
        ]
        return (
            record,
            actions,
            PurchaseOrderApprovalKeys.status == POStatus.PENDING.value,
        )

    pending = PurchaseOrder.status_index.query(POStatus.PENDING.value)
    return derived_keys_backfill(pending, change, dry_run=dry_run)
