"""Reads of purchase orders, always by key or through an index."""

import datetime as dt
from decimal import Decimal

from accounts.roles import Role, has_role, require_role, require_second_factor
from accounts.selectors import approval_limit_get
from audit.selectors import record_not_found
from core import dynamo
from core.days import site_today
from core.errors import ApplicationError
from core.exports import Export, every_item, iso_date
from exchange_rates.rules import Conversion, NoExchangeRate
from exchange_rates.selectors import conversion_to_base
from purchasing import rules
from purchasing.models import (
    APPROVAL_QUEUE,
    INVOICEABLE_STATUSES,
    LISTING,
    PurchaseOrder,
)


def purchase_order_get(*, po_id: str) -> PurchaseOrder | None:
    if not po_id or len(po_id) > 100:
        return None
    try:
        po = PurchaseOrder.get(po_id, consistent_read=True)
    except PurchaseOrder.DoesNotExist:
        return None
    # The table also holds the PO number sequences, which are no PO.
    return po if po.po_number is not None else None


def purchase_order_get_or_404(*, po_id: str) -> PurchaseOrder:
    po = purchase_order_get(po_id=po_id)
    if po is None:
        raise record_not_found(entity_type="purchase_order", entity_id=po_id)
    return po


def purchase_order_get_by_number(*, po_number: str) -> PurchaseOrder | None:
    for po in PurchaseOrder.number_index.query(po_number.strip().upper(), limit=1):
        return po
    return None


def purchase_order_list(
    *,
    status: str | None = None,
    vendor_id: str | None = None,
    requester: str | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dynamo.Page:
    """
    Return a page of POs, newest first, through the narrowest index.

    Vendor or requester pick their index and a status filters within it;
    otherwise the status index, or the all-POs index. A date range is always
    a key condition on the creation time, never a filter.
    """
    created = dynamo.days_between(
        PurchaseOrder.created_at, created_from, created_to, to_field="created_to"
    )
    scope = f"{created_from}|{created_to}|{status or ''}"
    if vendor_id or requester:
        index, key = (
            (PurchaseOrder.vendor_index, vendor_id)
            if vendor_id
            else (PurchaseOrder.requester_index, requester)
        )
        filters = []
        if status:
            filters.append(PurchaseOrder.status == status)
        if vendor_id and requester:
            filters.append(PurchaseOrder.requester == requester)
            scope += f"|{requester}"
        return dynamo.query_page(
            index,
            key,
            range_key_condition=created,
            filter_condition=dynamo.all_of(*filters),
            cursor=cursor,
            limit=limit,
            scope=scope,
        )
    if status:
        return dynamo.query_page(
            PurchaseOrder.status_index,
            status,
            range_key_condition=created,
            cursor=cursor,
            limit=limit,
            scope=scope,
        )
    return dynamo.query_page(
        PurchaseOrder.listing_index,
        LISTING,
        range_key_condition=created,
        cursor=cursor,
        limit=limit,
        scope=scope,
    )


def purchase_order_export(
    *,
    status: str | None = None,
    vendor_id: str | None = None,
    requester: str | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> Export:
    """Return every PO the list shows with these filters, for download."""
    pos = every_item(
        purchase_order_list,
        status=status,
        vendor_id=vendor_id,
        requester=requester,
        created_from=created_from,
        created_to=created_to,
    )
    return Export(
        name="purchase-orders",
        header=[
            "Number", "Vendor", "Status", "Approvals", "Approvals required",
            "Requester", "Match type", "Currency", "Total", "Invoiced",
            "Expected delivery", "Created", "Vendor id", "Id",
        ],
        rows=(
            [
                po.po_number, po.vendor_name, po.status, len(po.approvals),
                po.approvals_required, po.requester, po.match_type, po.currency,
                po.total_amount, po.invoiced_total, iso_date(po.expected_delivery),
                po.created_at, po.vendor_id, po.id,
            ]
            for po in pos
        ),
    )  # fmt: skip


def purchase_orders_invoiceable(
    *, vendor_id: str, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return the vendor's approved and sent POs, newest first: those invoices bill."""
    return dynamo.query_page(
        PurchaseOrder.vendor_index,
        vendor_id,
        filter_condition=PurchaseOrder.status.is_in(
            *sorted(status.value for status in INVOICEABLE_STATUSES)
        ),
        cursor=cursor,
        limit=limit,
        scope="invoiceable",
    )


def purchase_orders_rejected(
    *, requester: str, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return the requester's rejected POs, newest rejection first (a sparse index)."""
    return dynamo.query_page(
        PurchaseOrder.rejected_index, requester, cursor=cursor, limit=limit
    )


def approval_day() -> dt.date:
    """The day (in the site's time zone) whose exchange rates an approval uses."""
    return site_today()


def amount_value(
    *,
    amount: Decimal,
    currency: str,
    on: dt.date | None = None,
    rates: dict | None = None,
) -> Conversion | None:
    """
    Return what `amount` is worth in the base currency at the rate in effect
    on `on` (the approval day by default), or None when there is no rate.
    `rates` caches the rates read, by currency, across one request's POs.
    """
    try:
        return conversion_to_base(
            amount=amount, currency=currency, on=on or approval_day(), rates=rates
        )
    except NoExchangeRate:
        return None


def purchase_order_value(
    *, po: PurchaseOrder, on: dt.date | None = None, rates: dict | None = None
) -> Conversion | None:
    """Return what the PO is worth in the base currency (see `amount_value`)."""
    return amount_value(
        amount=po.total_amount, currency=po.currency, on=on, rates=rates
    )


def purchase_orders_awaiting_approval(
    *, user, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """
    Return pending POs this approver may approve now, smallest worth first,
    each with `base_value`: its worth in the base currency today (a Conversion).

    One query of `approval_queue_index` whose key condition is the limit
    (purchasing.approval_queue); the approver's own POs and those they
    already approved are a bounded filter. Each PO shown is converted at
    today's rate and left out if a rate change since it was keyed put it
    above the limit (the approval re-checks it anyway).
    """
    if not has_role(user, Role.APPROVER):
        return dynamo.Page(items=[], next_cursor=None)
    username = user.get_username()
    limit_amount = approval_limit_get(user=user)
    first_approver = PurchaseOrder.approvals[0]["approver"]
    page = dynamo.query_page(
        PurchaseOrder.approval_queue_index,
        APPROVAL_QUEUE,
        range_key_condition=PurchaseOrder.approval_value <= limit_amount,
        # A pending PO has at most one approval (two are needed at most).
        filter_condition=(PurchaseOrder.requester != username)
        & (first_approver.does_not_exist() | (first_approver != username)),
        cursor=cursor,
        limit=limit,
        newest_first=False,
        scope=f"awaiting|{username}|{limit_amount}",
        filtered_page_size=limit + 1,
    )
    rates: dict = {}
    shown = []
    for po in page.items:
        value = purchase_order_value(po=po, rates=rates)
        if value is None or value.base_amount > limit_amount:
            continue
        if username in po.approvers:
            continue
        po.base_value = value  # shown beside the total: what the limit compared
        shown.append(po)
    page.items = shown
    return page


def purchase_order_actions(
    *, po: PurchaseOrder, user, value: Conversion | None
) -> dict[str, str | None]:
    """
    Return each action on the PO mapped to None if this user may do it now,
    or to the reason it is refused (for buttons and their explanations).

    Each action runs the role check and the rules its service runs, so a
    button is shown exactly when the service would accept the click.
    `value` is the PO's worth in the base currency today
    (`purchase_order_value`), which the page shows too: read once.
    """
    username = user.get_username()
    is_approver = has_role(user, Role.APPROVER)
    is_admin = user.is_superuser
    limit = approval_limit_get(user=user) if is_approver else Decimal("0")
    requester, clerk, approver = Role.REQUESTER, Role.AP_CLERK, Role.APPROVER
    buyer = Role.BUYER
    is_buyer = has_role(user, buyer)
    checks = {
        "edit": lambda: (
            require_role(user, requester, action="edit purchase orders"),
            rules.check_editable(po, username=username, is_admin=is_admin),
        ),
        "delete": lambda: (
            require_role(user, requester, action="delete purchase orders"),
            rules.check_deletable(po, username=username, is_admin=is_admin),
        ),
        "approve": lambda: (
            require_second_factor(user, action="approve purchase orders"),
            rules.check_can_approve(
                po,
                username=username,
                is_approver=is_approver,
                limit=limit,
                value=value,
            ),
        ),
        "reject": lambda: (
            require_second_factor(user, action="reject purchase orders"),
            rules.check_can_reject(
                po,
                username=username,
                is_approver=is_approver,
                reason="(checked on submit)",
            ),
        ),
        "send": lambda: (
            require_role(user, requester, buyer, action="send purchase orders"),
            rules.check_can_send(
                po, username=username, is_buyer=is_buyer, is_admin=is_admin
            ),
        ),
        # The reason a close may need is asked on its confirmation page.
        "close": lambda: (
            require_role(user, requester, clerk, buyer, action="close purchase orders"),
            rules.check_can_close(po),
            rules.check_closer(
                po,
                username=username,
                is_buyer=is_buyer,
                is_clerk=has_role(user, clerk),
                is_admin=is_admin,
            ),
        ),
        "copy": lambda: (
            require_role(user, requester, action="raise purchase orders"),
            rules.check_can_copy(po),
        ),
        "cancel": lambda: (
            require_role(user, requester, approver, action="cancel purchase orders"),
            rules.check_can_cancel(
                po, username=username, is_approver=is_approver, is_admin=is_admin
            ),
        ),
        "receive": lambda: (
            require_role(user, clerk, action="record goods receipts"),
            rules.check_can_receive(po),
        ),
    }
    actions: dict[str, str | None] = {}
    for name, check in checks.items():
        try:
            check()
        except ApplicationError as exc:
            actions[name] = exc.message
        else:
            actions[name] = None
    return actions


def purchase_orders_get_many(*, po_ids: set[str]) -> dict[str, PurchaseOrder]:
    """Return the POs with these ids, read in batches of 100."""
    return {po.id: po for po in PurchaseOrder.batch_get(list(po_ids))} if po_ids else {}


def purchase_order_search(*, text: str, limit: int = 10) -> dynamo.Page:
    """Return POs whose number starts with `text` (any case), the exact number first."""
    prefix = text.strip().upper()
    return dynamo.prefix_page(
        PurchaseOrder.listing_number_index,
        LISTING,
        PurchaseOrder.po_number,
        prefix,
        limit=limit,
    )


def purchase_order_ids_numbered(*, number: str) -> list[str]:
    """The id of the PO with this number (any case): the audit trail's lookup."""
    if not number.strip() or len(number) > 100:
        return []
    po = purchase_order_get_by_number(po_number=number)
    return [po.id] if po else []
