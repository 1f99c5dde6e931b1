"""
The rules of purchase orders (domain.md "Purchase order", "Approvals and
segregation of duties", "Goods receipt"): pure functions, no I/O.

Validation returns cleaned values or raises ValidationFailed naming each bad
field; the checks for an action raise the error that says which rule refused
it. Services call these before writing; pages call them to decide which
buttons to show, so both always agree.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.lines import (  # noqa: F401 - part of the PO rules
    MAX_LINES,
    QUANTITY_PLACES,
    check_claimed_total,
    clean_lines,
    lines_total,
)
from core.money import (
    CURRENCY_MINOR_UNITS,
    Money,
    MoneyError,
    parse_decimal,
    validate_currency,
)
from core.text import TextError, clean_reason, clean_text
from core.transitions import check_transition as check_move
from exchange_rates.rules import Conversion, NoExchangeRate
from purchasing.models import PO_TRANSITIONS, RECEIVABLE_STATUSES, MatchType, POStatus

MAX_NOTES = 2000


def two_approval_threshold() -> Decimal:
    """The threshold, in the base currency (settings.BASE_CURRENCY)."""
    return settings.TWO_APPROVAL_THRESHOLD


def required_approvals(value: Conversion | None) -> int:
    """
    POs worth the threshold or more in the base currency need two approvers
    (domain.md); one without a rate in effect (`None`) is counted as needing
    two until an approval can convert it.
    """
    if value is None:
        return 2
    return 2 if value.base_amount >= two_approval_threshold() else 1


def check_vendor_currency(*, currency: str, vendor) -> None:
    """
    A PO is in its vendor's currency: approvals, invoices and payments all
    follow the PO's, and a vendor is set up to be paid in one currency.
    """
    if currency != vendor.currency:
        message = (
            f"{vendor.name} is set up in {vendor.currency}: its purchase orders "
            f"are in {vendor.currency}, not {currency}."
        )
        raise ValidationFailed(message, {"currency": message})


# --- Lines and header -----------------------------------------------------


@dataclass(frozen=True)
class POHeader:
    currency: str
    match_type: str
    expected_delivery: str | None
    notes: str | None


def clean_header(
    *, currency: Any, match_type: Any, expected_delivery: Any, notes: Any
) -> POHeader:
    errors: dict[str, str] = {}
    try:
        currency = validate_currency(currency if isinstance(currency, str) else "")
    except MoneyError as exc:
        errors["currency"] = str(exc)
    match_type = match_type or MatchType.TWO_WAY.value
    if match_type not in {m.value for m in MatchType}:
        errors["match_type"] = (
            "Match type is 2-way (invoice vs PO) or 3-way (and receipts)."
        )
    delivery = None
    if isinstance(expected_delivery, dt.date):
        delivery = expected_delivery.isoformat()
    elif isinstance(expected_delivery, str) and expected_delivery.strip():
        try:
            delivery = dt.date.fromisoformat(expected_delivery.strip()).isoformat()
        except ValueError:
            errors["expected_delivery"] = "Use a date like 2026-12-31."
    elif expected_delivery not in (None, ""):
        errors["expected_delivery"] = "Use a date like 2026-12-31."
    try:
        notes = clean_text(notes, max_length=MAX_NOTES)
    except TextError as exc:
        errors["notes"] = str(exc)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return POHeader(currency, match_type, delivery, notes)


# --- Actions --------------------------------------------------------------


def check_transition(po, target: POStatus) -> None:
    """Refuse moving the PO to `target` unless PO_TRANSITIONS allows it."""
    # Each target status is also the past participle of its move ("sent").
    check_move(
        PO_TRANSITIONS,
        current=POStatus(po.status),
        target=target,
        name=po.po_number,
        kind="purchase orders",
        verb=str(target),
    )


def check_editable(
    po, *, username: str, is_admin: bool, action: str = "edited"
) -> None:
    if po.status != POStatus.PENDING:
        raise InvalidTransition(
            f"{po.po_number} is {po.status}; only pending purchase orders can be {action}."
        )
    if po.requester != username and not is_admin:
        raise PermissionDenied(
            f"Only {po.requester}, who raised {po.po_number}, can change or delete it."
        )


def check_deletable(po, *, username: str, is_admin: bool) -> None:
    """
    A PO is deleted while editable and before any invoice refers to it; one
    with invoices is cancelled instead, so the invoices keep their PO.
    """
    check_editable(po, username=username, is_admin=is_admin, action="deleted")
    if po.invoice_count:
        raise InvalidTransition(
            f"{po.po_number} has invoices entered against it and cannot be deleted; "
            "cancel it instead."
        )


def check_approval(
    *,
    name: str,
    raised_by: str,
    raised: str,
    approvers: list[str],
    total: Money,
    username: str,
    is_approver: bool,
    limit: Decimal,
    value: Conversion | None,
    status_check: Callable[[], None],
    kind: str = "purchase orders",
) -> None:
    """
    Raise the error naming the first approval rule that refuses `username`'s
    approval of a document (a PO, an invoice without PO) called `name`,
    `raised` ("raised", "entered") by `raised_by`, already approved by
    `approvers`, worth `total` (`value` in the base currency, which the
    approver's `limit` is in; None: no rate, no approval). `status_check`
    refuses a document whose status allows no approval.
    """
    if raised_by == username:
        raise PermissionDenied(
            f"You {raised} {name}, so someone else must approve it (no self-approval)."
        )
    if not is_approver:
        raise PermissionDenied(f"Only Approver users may approve {kind}.")
    status_check()
    if username in approvers:
        raise PermissionDenied(
            f"You already approved {name}; its second approval must come "
            "from a different approver."
        )
    if value is None:
        raise NoExchangeRate(total.currency)
    if value.base_amount > limit:
        worth = (
            f" (worth {value.base_money} at {value.rate_text} {value.base_currency} per "
            f"{total.currency}, the rate from {value.valid_from})"
            if value.is_converted
            else ""
        )
        limit_money = Money(limit.quantize(Decimal("0.01")), value.base_currency)
        raise PermissionDenied(
            f"{name} totals {total}{worth}, above your approval limit of "
            f"{limit_money}; an approver whose limit covers it must approve it."
        )


def check_rejection(
    *,
    name: str,
    raised_by: str,
    instead: str,
    username: str,
    is_approver: bool,
    reason: Any,
    kind: str = "purchase orders",
    raised: str = "raised",
) -> str:
    """
    Return the cleaned reason of `username`'s rejection of document `name`,
    or raise the error naming the rule that refuses it: approvers only, not
    the person who `raised` it (they do `instead`), and a reason. The
    document's status is its caller's to check.
    """
    if not is_approver:
        raise PermissionDenied(f"Only Approver users may reject {kind}.")
    if raised_by == username:
        raise PermissionDenied(
            f"You {raised} {name}; {instead} instead of rejecting it."
        )
    return clean_reason(reason, missing="Give a reason for a rejection.")


def check_can_approve(
    po,
    *,
    username: str,
    is_approver: bool,
    limit: Decimal,
    value: Conversion | None,
) -> None:
    """
    Raise the error naming the first rule that refuses this approval.

    `value` is the PO's worth in the base currency, which the approver's
    limit is in, at the rate in effect today (None: no rate, no approval).
    """
    check_approval(
        name=po.po_number,
        raised_by=po.requester,
        raised="raised",
        approvers=po.approvers,
        total=Money(po.total_amount, po.currency),
        username=username,
        is_approver=is_approver,
        limit=limit,
        value=value,
        status_check=lambda: check_transition(po, POStatus.APPROVED),
    )


def check_can_reject(po, *, username: str, is_approver: bool, reason: Any) -> str:
    if not is_approver:
        raise PermissionDenied("Only Approver users may reject purchase orders.")
    check_transition(po, POStatus.REJECTED)
    return check_rejection(
        name=po.po_number,
        raised_by=po.requester,
        instead="cancel it",
        username=username,
        is_approver=is_approver,
        reason=reason,
    )


def check_can_cancel(po, *, username: str, is_approver: bool, is_admin: bool) -> None:
    check_transition(po, POStatus.CANCELLED)
    if po.requester != username and not (is_approver or is_admin):
        raise PermissionDenied(
            f"Only {po.requester}, who raised {po.po_number}, or an approver can cancel it."
        )


def check_can_copy(po) -> None:
    """A rejected PO is raised again as a copy, with what the rejection asked for."""
    if po.status != POStatus.REJECTED:
        raise InvalidTransition(
            f"{po.po_number} is {po.status}; only rejected purchase orders are "
            "copied to a new one."
        )


# --- What remains to do, and closing ----------------------------------------


@dataclass(frozen=True)
class OutstandingLine:
    """A PO line as its closing shows it: what was ordered, received, invoiced."""

    line_number: int
    description: str
    ordered: Decimal
    received: Decimal
    invoiced: Decimal

    @property
    def not_received(self) -> Decimal:
        return max(self.ordered - self.received, Decimal("0"))

    @property
    def not_invoiced(self) -> Decimal:
        return max(self.ordered - self.invoiced, Decimal("0"))


@dataclass(frozen=True)
class Outstanding:
    lines: list[OutstandingLine]

    @property
    def not_received(self) -> list[int]:
        """The numbers of the lines not fully received."""
        return [line.line_number for line in self.lines if line.not_received]

    @property
    def not_invoiced(self) -> list[int]:
        return [line.line_number for line in self.lines if line.not_invoiced]

    @property
    def is_done(self) -> bool:
        """Everything ordered was received and invoiced."""
        return not (self.not_received or self.not_invoiced)

    def as_details(self) -> dict[str, dict[str, Decimal]]:
        """The lines with anything outstanding, for the audit entry of a closing."""
        return {
            str(line.line_number): {
                "ordered": line.ordered,
                "not_received": line.not_received,
                "not_invoiced": line.not_invoiced,
            }
            for line in self.lines
            if line.not_received or line.not_invoiced
        }


def outstanding(lines) -> Outstanding:
    """Return what remains to receive and to invoice on PO `lines`."""
    zero = Decimal("0")
    return Outstanding(
        [
            OutstandingLine(
                line_number=line.line_number,
                description=line.description,
                ordered=line.quantity,
                received=line.received_quantity or zero,
                invoiced=line.invoiced_quantity or zero,
            )
            for line in lines
        ]
    )


def check_can_close(po) -> None:
    check_transition(po, POStatus.CLOSED)


# --- Who may send or close (issue 21, item 2) ----------------------------------

SENDER_RULE = "sender is its requester or a Buyer"
CLOSER_RULE = "closer is its requester, a Buyer or an AP Clerk"
CLOSE_REASON_RULE = (
    "a reason is required to close with goods outstanding or invoices waiting"
)


def check_can_send(po, *, username: str, is_buyer: bool, is_admin: bool) -> None:
    """
    Only the PO's requester, a Buyer (the purchasing role an Admin grants)
    or an Admin tells the vendor the order stands: whoever marks it sent
    speaks for the company to the vendor.
    """
    check_transition(po, POStatus.SENT)
    if po.requester != username and not (is_buyer or is_admin):
        raise PermissionDenied(
            f"Only {po.requester}, who raised {po.po_number}, or a Buyer may mark "
            f"it as sent ({SENDER_RULE})."
        )


def check_closer(
    po, *, username: str, is_buyer: bool, is_clerk: bool, is_admin: bool
) -> None:
    """
    A PO is closed by its requester, a Buyer, or an AP Clerk (who keeps its
    receipts and invoices); another requester may not close it.
    """
    if po.requester != username and not (is_buyer or is_clerk or is_admin):
        raise PermissionDenied(
            f"Only {po.requester}, who raised {po.po_number}, a Buyer or an AP Clerk "
            f"may close it ({CLOSER_RULE})."
        )


def close_reason_needed(po, *, invoices_waiting: int) -> str | None:
    """
    What makes a reason necessary to close the PO ("line 2 is not fully
    received; 1 invoice awaits matching"), or None when nothing does.

    Goods outstanding: a line not fully received. Invoices waiting: invoices
    entered against the PO and not yet matched (received or rejected), which
    the close would have rejected at reconciliation. Lines merely not yet
    invoiced do not count: the vendor's invoice may simply be still to come.
    """
    parts = []
    not_received = outstanding(po.items).not_received
    if not_received:
        numbers = ", ".join(str(number) for number in not_received)
        plural = "s" if len(not_received) > 1 else ""
        verb = "are" if len(not_received) > 1 else "is"
        parts.append(f"line{plural} {numbers} {verb} not fully received")
    if invoices_waiting:
        plural = "s" if invoices_waiting > 1 else ""
        verb = "await" if invoices_waiting > 1 else "awaits"
        parts.append(f"{invoices_waiting} invoice{plural} {verb} matching")
    return "; ".join(parts) or None


def clean_close_reason(po, *, reason: Any, invoices_waiting: int) -> str | None:
    """Return the cleaned closing reason; refuse a missing one when one is needed."""
    needed = close_reason_needed(po, invoices_waiting=invoices_waiting)
    if needed is None:
        return clean_reason(reason)
    return clean_reason(
        reason,
        missing=(
            f"Give a reason for closing {po.po_number}: {needed} ({CLOSE_REASON_RULE})."
        ),
    )


AUTO_CLOSE_REASON = "Fully received and fully invoiced."
REOPEN_REASON = "Closed automatically; a voided invoice left it not fully invoiced."


def closes_automatically(*, status: str, lines) -> bool:
    """
    A sent PO whose lines are all received and invoiced in full closes by
    itself (settings.PO_AUTO_CLOSE), in the write that completed it.

    Only sent POs: the life cycle closes nothing else (domain.md), so an
    approved PO never marked as sent stays approved.
    """
    return (
        settings.PO_AUTO_CLOSE
        and status == POStatus.SENT
        and outstanding(lines).is_done
    )


def reopens_automatically(*, status: str, closed_by_system: bool, lines) -> bool:
    """
    A PO the system closed (never one a person closed) goes back to sent when
    a voided invoice leaves it no longer fully invoiced: else the corrected
    invoice would meet "the PO is closed" and the vendor could not be paid.
    Not a move anyone can make (the life cycle has no closed → sent), only
    the undoing of the system's own.
    """
    return (
        status == POStatus.CLOSED
        and closed_by_system
        and not outstanding(lines).is_done
    )


def check_can_receive(po) -> None:
    """Goods arrive against a live order with something still outstanding."""
    if POStatus(po.status) not in RECEIVABLE_STATUSES:
        raise InvalidTransition(
            f"{po.po_number} is {po.status}; goods can be received only against "
            "approved or sent purchase orders."
        )
    if po.is_fully_received:
        raise InvalidTransition(
            f"Everything ordered on {po.po_number} has been received."
        )


def clean_receipt(
    po, *, quantities: Mapping[Any, Any], received_on: Any, today: dt.date
) -> tuple[dict[int, Decimal], str]:
    """
    Return {line number: quantity received now} and the ISO receipt date.

    Partial receipts add up; the running total of a line may not exceed what
    was ordered.
    """
    check_can_receive(po)
    errors: dict[str, str] = {}
    lines = {line.line_number: line for line in po.items}
    received: dict[int, Decimal] = {}
    for raw_number, raw_quantity in quantities.items():
        try:
            number = int(raw_number)
        except (TypeError, ValueError):
            number = None
        if number not in lines:
            errors[f"lines.{raw_number}"] = f"{po.po_number} has no line {raw_number}."
            continue
        key = f"lines.{number}"
        if raw_quantity in (None, "") or raw_quantity == 0:
            continue
        try:
            quantity = parse_decimal(raw_quantity, field="quantity")
        except MoneyError as exc:
            errors[key] = str(exc)
            continue
        if quantity == 0:
            continue
        if quantity < 0:
            errors[key] = "A received quantity cannot be negative."
            continue
        if quantity != quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES)):
            errors[key] = f"At most {QUANTITY_PLACES} decimal places."
            continue
        line = lines[number]
        outstanding = line.quantity - line.received_quantity
        if quantity > outstanding:
            errors[key] = (
                f"Line {number}: {quantity} would exceed the ordered {line.quantity} "
                f"({line.received_quantity} already received, {outstanding} outstanding)."
            )
            continue
        received[number] = quantity
    if isinstance(received_on, dt.date):
        date = received_on
    else:
        try:
            date = dt.date.fromisoformat(str(received_on or "").strip())
        except ValueError:
            date = None
            errors["received_on"] = "Use a date like 2026-12-31."
    if date and date > today:
        errors["received_on"] = "Goods cannot be received in the future."
    if not received and not errors:
        errors["lines"] = "Enter the quantity received on at least one line."
    if errors:
        raise ValidationFailed("The receipt cannot be recorded as entered.", errors)
    return received, date.isoformat()


def supported_currencies() -> list[str]:
    return sorted(CURRENCY_MINOR_UNITS)
