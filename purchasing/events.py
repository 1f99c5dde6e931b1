"""
The purchase order's audit events: one keyword-only builder per event, each
shaping its entry's `details` (saleor's style). A service saves the entry it
gets in the same transaction as its change.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry
from core.lines import CODE_FIELDS


def purchase_order_snapshot(po) -> dict[str, Any]:
    """The PO's content as plain values, for audit details."""
    return {
        "po_number": po.po_number,
        "vendor_id": po.vendor_id,
        "currency": po.currency,
        "match_type": po.match_type,
        "expected_delivery": po.expected_delivery,
        "notes": po.notes,
        "total_amount": po.total_amount,
        "items": [
            {
                "line_number": line.line_number,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "total_amount": line.total_amount,
                # Coded lines only: the details of uncoded ones stay as they were.
                **{
                    name: getattr(line, name)
                    for name in CODE_FIELDS
                    if getattr(line, name, None)
                },
            }
            for line in po.items
        ],
    }


def _po_event(*, po, user, action: AuditAction, details: dict) -> AuditEntry:
    return audit_entry(
        entity_type="purchase_order",
        entity_id=po.id,
        action=action,
        user=user,
        details=details,
        label=po.po_number,
    )


def _status_details(po, target: str, **extra) -> dict[str, Any]:
    return {**extra, "before": {"status": po.status}, "after": {"status": target}}


def purchase_order_created_event(*, po, user, copied_from=None) -> AuditEntry:
    """`po` was raised, as a copy of the PO `copied_from` when given."""
    details: dict[str, Any] = {"after": purchase_order_snapshot(po)}
    if copied_from is not None:
        details["copied_from"] = {
            "id": copied_from.id,
            "po_number": copied_from.po_number,
        }
    return _po_event(po=po, user=user, action=AuditAction.CREATE, details=details)


def purchase_order_updated_event(
    *, po, user, changes: Mapping[str, dict], approvals_reset: Sequence[str] = ()
) -> AuditEntry:
    """
    The PO's content changed (`changes`: `changed_fields`' before and after);
    `approvals_reset` names the approvers whose approvals the change undid.
    """
    details: dict[str, Any] = dict(changes)
    if approvals_reset:
        details["approvals_reset"] = list(approvals_reset)
    return _po_event(po=po, user=user, action=AuditAction.UPDATE, details=details)


def purchase_order_deleted_event(*, po, user) -> AuditEntry:
    return _po_event(
        po=po,
        user=user,
        action=AuditAction.DELETE,
        details={"before": purchase_order_snapshot(po)},
    )


def purchase_order_approved_event(
    *,
    po,
    user,
    approvals: int,
    required: int,
    limit: Decimal,
    value,
    status: str,
) -> AuditEntry:
    """
    `po` (as read) got its `approvals`-th approval of `required`, leaving it
    `status`; `value` (a Conversion) is what the approver's `limit` was
    compared with: the PO's worth in the base currency and the rate used.
    """
    details = _status_details(
        po,
        status,
        approval=f"{approvals} of {required}",
        limit_used=limit,
        **value.as_details(),
    )
    return _po_event(po=po, user=user, action=AuditAction.APPROVE, details=details)


def purchase_order_rejected_event(*, po, user, reason: str) -> AuditEntry:
    details = _status_details(po, "rejected", reason=reason)
    return _po_event(po=po, user=user, action=AuditAction.REJECT, details=details)


def purchase_order_cancelled_event(*, po, user, reason: str | None) -> AuditEntry:
    details = _status_details(po, "cancelled", reason=reason)
    return _po_event(po=po, user=user, action=AuditAction.CANCEL, details=details)


def purchase_order_sent_event(*, po, user) -> AuditEntry:
    details = _status_details(po, "sent")
    return _po_event(po=po, user=user, action=AuditAction.SEND, details=details)


# The actor of what the application does by itself (a PO closing itself).
SYSTEM_USER = "system"


def purchase_order_closed_event(
    *, po, user, reason: str | None, outstanding: Mapping[str, dict]
) -> AuditEntry:
    """
    `po` (as read) was closed by `user` (or SYSTEM_USER), with what was still
    `outstanding` then (`Outstanding.as_details`: empty when nothing was).
    """
    details = _status_details(
        po, "closed", reason=reason, outstanding=dict(outstanding)
    )
    return _po_event(po=po, user=user, action=AuditAction.CLOSE, details=details)


def purchase_order_reopened_event(*, po, reason: str) -> AuditEntry:
    """`po` (as read), closed by the system, was reopened by it (sent again)."""
    details = _status_details(po, "sent", reason=reason)
    return _po_event(
        po=po, user=SYSTEM_USER, action=AuditAction.REOPEN, details=details
    )


def purchase_order_received_event(
    *, po, user, receipt, items: Sequence, received: Mapping[int, Decimal]
) -> AuditEntry:
    """
    Goods `received` ({line number: quantity}) were recorded on `po` as
    `receipt`, its lines becoming `items`.
    """
    lines = {line.line_number: line for line in items}
    details = {
        "receipt_id": receipt.id,
        "received_on": receipt.received_on,
        "note": receipt.note,
        "lines": {
            str(number): {
                "received": quantity,
                "total_received": lines[number].received_quantity,
                "ordered": lines[number].quantity,
            }
            for number, quantity in sorted(received.items())
        },
    }
    return _po_event(po=po, user=user, action=AuditAction.RECEIVE, details=details)


def purchase_order_invoiced_event(
    *,
    po,
    user,
    action: AuditAction,
    invoice_number: str,
    items: Sequence,
    new_total: Decimal,
) -> AuditEntry:
    """
    A matched invoice's quantities were added to `po` (as read), or taken off
    it when the invoice was voided (VOID), its lines becoming `items` and its
    invoiced total `new_total`; `action` is the invoice's (RECONCILE, ...).
    """
    details = {
        "invoice": invoice_number,
        "before": {
            "invoiced_total": po.invoiced_total or Decimal("0"),
            "invoiced_quantities": {
                line.line_number: line.invoiced_quantity or Decimal("0")
                for line in po.items
            },
        },
        "after": {
            "invoiced_total": new_total,
            "invoiced_quantities": {
                line.line_number: line.invoiced_quantity for line in items
            },
        },
    }
    return _po_event(po=po, user=user, action=action, details=details)


def purchase_order_history_fields() -> dict:
    """How the PO's audit details read: the PO form's labels, formatted."""
    from audit import registry
    from audit.registry import Shape
    from core.forms import PricedLineForm
    from purchasing.forms import PurchaseOrderForm

    labels = {n: str(f.label) for n, f in PurchaseOrderForm.base_fields.items()}
    line = {n: str(f.label) for n, f in PricedLineForm.base_fields.items()}
    base = "base_currency"
    quantity = Shape("Quantity", registry.QUANTITY)
    return {
        "po_number": Shape("PO number"),
        "vendor_id": Shape(labels["vendor_id"], registry.REFERENCE, "vendor"),
        "currency": Shape(labels["currency"]),
        "match_type": Shape(labels["match_type"]),
        "expected_delivery": Shape(labels["expected_delivery"], registry.DATE),
        "notes": Shape(labels["notes"]),
        "items": Shape(
            "Lines",
            registry.LINES,
            parts={
                "line_number": Shape("Line"),
                "description": Shape(line["description"]),
                "quantity": Shape(line["quantity"], registry.QUANTITY),
                "unit_price": Shape(line["unit_price"], registry.MONEY),
                "total_amount": Shape("Amount", registry.MONEY),
            },
        ),
        "total_amount": Shape("Total", registry.MONEY),
        "status": Shape("Status", registry.STATUS),
        "approval": Shape("Approval", registry.BY_USER),
        "base_amount": Shape(
            "Value compared with the limit", registry.MONEY, currency=base
        ),
        "limit_used": Shape("Approval limit", registry.MONEY, currency=base),
        "exchange_rate": Shape("Exchange rate", registry.QUANTITY),
        "rate_valid_from": Shape("Rate valid from", registry.DATE),
        "base_currency": Shape("Base currency", registry.HIDDEN),
        "reason": Shape("Reason"),
        "approvals_reset": Shape("Approvals undone by the change", registry.LIST),
        "receipt_id": Shape("Receipt", registry.HIDDEN),
        "received_on": Shape("Received on", registry.DATE),
        "note": Shape("Note"),
        "lines": Shape(
            "Goods received",
            registry.PER_LINE,
            parts={
                "received": Shape("received", registry.QUANTITY),
                "total_received": Shape("in all", registry.QUANTITY),
                "ordered": Shape("of", registry.QUANTITY),
            },
        ),
        "invoice": Shape("Invoice"),
        "outstanding": Shape(
            "Outstanding when closed",
            registry.PER_LINE,
            parts={
                "ordered": Shape("ordered", registry.QUANTITY),
                "not_received": Shape("not received", registry.QUANTITY),
                "not_invoiced": Shape("not invoiced", registry.QUANTITY),
            },
        ),
        "copied_from": Shape(
            "Copied from",
            parts={"id": Shape("", registry.HIDDEN), "po_number": Shape("PO")},
        ),
        "closing_reason": Shape("Reason for closing"),
        "invoiced_total": Shape("Invoiced", registry.MONEY),
        "invoiced_quantities": Shape(
            "Quantities invoiced", registry.PER_LINE, parts={"value": quantity}
        ),
    }
