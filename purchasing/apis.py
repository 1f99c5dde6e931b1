"""The purchase orders API (/api/v1/purchase-orders), with the original field names."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from accounts.roles import require_reader
from core.api_fields import (
    DecimalInput,
    LineCodingIn,
    LineCodingOut,
    WholeNumber,
    refuse_unknown_filters,
)
from core.versions import version_from_request
from purchasing import services
from purchasing.selectors import purchase_order_get_or_404, purchase_order_list
from vendors.selectors import vendor_get_or_404

router = Router(tags=["purchase orders"])
# Mounted at /vendors beside vendors.apis.router: a vendor's POs are
# purchasing's records, and vendors imports nothing above it.
vendor_router = Router(tags=["vendors"])

POStatusName = Literal["pending", "approved", "rejected", "sent", "closed", "cancelled"]
MatchTypeName = Literal["2-way", "3-way"]


class POLineOut(LineCodingOut):
    line_number: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    total_amount: Decimal
    received_quantity: Decimal


class ApprovalOut(Schema):
    approver: str
    approved_at: dt.datetime
    limit_used: Decimal = Field(description="The approver's limit, in base_currency.")
    # What the limit was compared with: the PO's worth in the base currency
    # and the rate that gave it (null for a PO in the base currency).
    base_currency: str | None
    base_amount: Decimal | None
    exchange_rate: Decimal | None
    rate_valid_from: dt.date | None


class ReceiptLineOut(Schema):
    line_number: int
    quantity: Decimal


class ReceiptOut(Schema):
    id: str
    received_on: dt.date
    lines: list[ReceiptLineOut]
    note: str | None
    received_by: str
    recorded_at: dt.datetime


class PurchaseOrderOut(Schema):
    id: str
    po_number: str
    vendor_id: str
    vendor_name: str
    items: list[POLineOut]
    total_amount: Decimal
    currency: str
    status: str
    match_type: str
    requester: str
    approvals_required: int
    approvals: list[ApprovalOut]
    rejection_reason: str | None
    cancellation_reason: str | None
    receipts: list[ReceiptOut]
    expected_delivery: dt.date | None
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class PurchaseOrderPage(Schema):
    items: list[PurchaseOrderOut]
    next_cursor: str | None


class POLineIn(LineCodingIn):
    model_config = ConfigDict(extra="forbid")

    description: str
    quantity: DecimalInput
    unit_price: DecimalInput
    total_amount: DecimalInput | None = Field(
        default=None, description="Optional; checked against quantity x unit price."
    )


class PurchaseOrderFields(Schema):
    model_config = ConfigDict(extra="forbid")

    currency: str | None = Field(default=None, description="Defaults to the vendor's.")
    match_type: MatchTypeName | None = None
    expected_delivery: dt.date | None = None
    notes: str | None = None
    total_amount: DecimalInput | None = Field(
        default=None, description="Optional; checked against the lines, never trusted."
    )


class PurchaseOrderCreateIn(PurchaseOrderFields):
    vendor_id: str
    items: list[POLineIn]


class PurchaseOrderUpdateIn(PurchaseOrderFields):
    items: list[POLineIn] | None = None
    version: WholeNumber | None = Field(
        default=None,
        description="The version you read; without it (or If-Match), the edit "
        "applies to the version read when it arrives.",
    )


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: WholeNumber | None = Field(
        default=None, description="The version you decided on; 409 if edited since."
    )


class ReasonIn(DecisionIn):
    reason: str | None = None


class ReceiptLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    line_number: WholeNumber
    quantity: DecimalInput


class ReceiptIn(DecisionIn):
    received_on: dt.date | None = Field(default=None, description="Defaults to today.")
    note: str | None = None
    lines: list[ReceiptLineIn]


class PurchaseOrderListQuery(Schema):
    status: POStatusName | None = None
    vendor_id: str | None = Field(default=None, min_length=1, max_length=100)
    requester: str | None = Field(default=None, min_length=1, max_length=150)
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


def _lines(items: list[POLineIn]) -> list[dict]:
    return [item.model_dump() for item in items]


@router.post("", response={201: PurchaseOrderOut}, summary="Raise a purchase order")
def create_purchase_order(request, payload: PurchaseOrderCreateIn):
    po = services.purchase_order_create(
        user=request.auth,
        vendor_id=payload.vendor_id,
        lines=_lines(payload.items),
        currency=payload.currency,
        match_type=payload.match_type,
        expected_delivery=payload.expected_delivery,
        notes=payload.notes,
        total_amount=payload.total_amount,
    )
    return Status(201, po)


@router.get(
    "", response=PurchaseOrderPage, summary="List purchase orders, newest first"
)
def list_purchase_orders(request, filters: Query[PurchaseOrderListQuery]):
    require_reader(request.auth)
    refuse_unknown_filters(request, PurchaseOrderListQuery.model_fields)
    page = purchase_order_list(**filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{po_id}", response=PurchaseOrderOut, summary="Get a purchase order")
def get_purchase_order(request, po_id: str):
    require_reader(request.auth)
    return purchase_order_get_or_404(po_id=po_id)


@router.put(
    "/{po_id}", response=PurchaseOrderOut, summary="Edit a pending purchase order"
)
def update_purchase_order(request, po_id: str, payload: PurchaseOrderUpdateIn):
    changes = payload.model_dump(exclude_unset=True)
    changes["version"] = version_from_request(
        request, changes.get("version"), required=False
    )
    if "items" in changes:
        changes["lines"] = _lines(payload.items) if payload.items is not None else None
        del changes["items"]
    return services.purchase_order_update(po_id=po_id, user=request.auth, **changes)


@router.delete(
    "/{po_id}", response={204: None}, summary="Delete a pending purchase order"
)
def delete_purchase_order(request, po_id: str, version: WholeNumber | None = None):
    services.purchase_order_delete(
        po_id=po_id,
        user=request.auth,
        version=version_from_request(request, version, required=False),
    )
    return Status(204, None)


@router.put("/{po_id}/approve", response=PurchaseOrderOut, summary="Approve")
def approve_purchase_order(request, po_id: str, payload: DecisionIn | None = None):
    version = payload.version if payload else None
    return services.purchase_order_approve(
        po_id=po_id, user=request.auth, version=version
    )


@router.put(
    "/{po_id}/reject", response=PurchaseOrderOut, summary="Reject, with a reason"
)
def reject_purchase_order(request, po_id: str, payload: ReasonIn):
    return services.purchase_order_reject(
        po_id=po_id, user=request.auth, reason=payload.reason, version=payload.version
    )


@router.put(
    "/{po_id}/send", response=PurchaseOrderOut, summary="Mark as sent to the vendor"
)
def send_purchase_order(request, po_id: str, payload: DecisionIn | None = None):
    version = payload.version if payload else None
    return services.purchase_order_send(po_id=po_id, user=request.auth, version=version)


@router.put("/{po_id}/cancel", response=PurchaseOrderOut, summary="Cancel")
def cancel_purchase_order(request, po_id: str, payload: ReasonIn | None = None):
    return services.purchase_order_cancel(
        po_id=po_id,
        user=request.auth,
        reason=payload.reason if payload else None,
        version=payload.version if payload else None,
    )


@router.put("/{po_id}/close", response=PurchaseOrderOut, summary="Close a sent PO")
def close_purchase_order(request, po_id: str, payload: ReasonIn | None = None):
    return services.purchase_order_close(
        po_id=po_id,
        user=request.auth,
        reason=payload.reason if payload else None,
        version=payload.version if payload else None,
    )


@router.post(
    "/{po_id}/receipts",
    response={201: PurchaseOrderOut},
    summary="Record a goods receipt",
)
def receive_goods(request, po_id: str, payload: ReceiptIn):
    quantities: dict[int, Decimal] = {}
    for line in payload.lines:
        quantities[line.line_number] = (
            quantities.get(line.line_number, 0) + line.quantity
        )
    po = services.purchase_order_receive(
        po_id=po_id,
        user=request.auth,
        quantities=quantities,
        received_on=payload.received_on,
        note=payload.note,
        version=payload.version,
    )
    return Status(201, po)


@vendor_router.get(
    "/{vendor_id}/purchase-orders",
    response=PurchaseOrderPage,
    summary="List a vendor's purchase orders, newest first",
)
def list_vendor_purchase_orders(
    request,
    vendor_id: str,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=100),
):
    require_reader(request.auth)
    refuse_unknown_filters(request, ("cursor", "limit"))
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    page = purchase_order_list(vendor_id=vendor.id, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}
