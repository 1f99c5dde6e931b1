"""
Holds on single invoices: put on hold, release (issue 15, "Holds and comments").

An AP Clerk or a Treasurer may hold a payable invoice (`matched`; an invoice
without PO once `approved` joins it with those) with a reason and, optionally,
the last day it holds (`until`). While held, no payment run proposes it; once it is in
a run (`scheduled`, `paid`) a hold is refused, since stopping that payment
is the run's cancellation, not a hold.

The release date, as Oracle Payables' "hold until" and the vendor payment
hold (`Vendor.on_payment_hold`) do it: the hold covers `until` itself and
lapses on the day after, with no write and no job. A run's proposal asks
whether the invoice is held on the run's payment date (so a run paying the
day after `until` proposes it), the list's "on hold" filter and the
invoice's `on_hold` whether it is held today. Scheduling an invoice whose
hold lapsed removes the hold's fields in the run's own transaction; a lapsed
hold may also be released, or replaced by a new hold, by hand.

Race safety: each hold and release is one conditional transaction with its
audit entry, conditioned on the invoice's version as read (and, for a hold,
on a holdable status). A payment run schedules an invoice on its version as
read and on "not held on the payment date" (`not_held_on`), so when a hold
and a run's build race, exactly one of them changes the invoice: either the
hold is refused because the invoice is now scheduled, or the run leaves the
invoice out.
"""

import datetime as dt
from typing import Any

from accounts.roles import Role, require_role
from audit.entries import actor_id
from core import dynamo
from core.days import site_today
from core.errors import InvalidTransition, StaleRecord, ValidationFailed
from core.text import clean_reason
from core.versions import check_version
from core.writes import MAX_ATTEMPTS, audited_update, retry_pause
from invoicing.events import (
    invoice_held_event,
    invoice_hold_of,
    invoice_released_event,
)
from invoicing.models import HELD, HOLD_FIELDS, HOLDABLE_STATUSES, Invoice
from invoicing.selectors import invoice_get_or_404

HOLD_ROLES = (Role.AP_CLERK, Role.TREASURER)


def _clean_until(until: Any) -> dt.date | None:
    """The hold's last day: empty for "until released", else today or later."""
    if until in (None, ""):
        return None
    try:
        day = until if isinstance(until, dt.date) else dt.date.fromisoformat(until)
    except (TypeError, ValueError):
        message = "Enter the hold's last day as a date like 2026-12-31."
        raise ValidationFailed(message, {"until": message}) from None
    today = site_today()
    if day < today:
        message = f"The hold's last day {day} is in the past; pick {today} or later."
        raise ValidationFailed(message, {"until": message})
    return day


def hold_refusal(invoice: Invoice) -> str | None:
    """Why `invoice` cannot be put on hold now, or None when it can."""
    if invoice.status not in HOLDABLE_STATUSES:
        if invoice.payment_run_number:
            where = f"in payment run {invoice.payment_run_number}"
            rule = (
                "an invoice already in a payment run cannot be put on hold; "
                "cancel the run to stop its payment"
            )
        else:
            where = invoice.status
            rule = "only matched or approved invoices can be put on hold"
        return f"Invoice {invoice.invoice_number} is {where}: {rule}."
    if invoice.on_hold():
        return (
            f"Invoice {invoice.invoice_number} is already on hold; release it "
            "before putting it on hold again."
        )
    return None


def invoice_hold(
    *,
    invoice_id: str,
    user,
    reason: Any,
    until: Any = None,
    version: int | None = None,
) -> Invoice:
    """Put a payable invoice on hold (AP Clerk or Treasurer), with a reason."""
    require_role(user, *HOLD_ROLES, action="put invoices on hold")
    reason = clean_reason(reason, missing="Say why the invoice is put on hold.")
    day = _clean_until(until)
    first_read: int | None = None
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        # The rule first: a run that took the invoice since it was read (a
        # race, or a stale page) is named, not reported as "changed".
        if refusal := hold_refusal(invoice):
            raise InvalidTransition(refusal, {"code": "HOLD_NOT_ALLOWED"})
        check_version(invoice, version if first_read is None else first_read)
        first_read = invoice.version
        replaced = invoice_hold_of(invoice) if invoice.held else None
        updates = {
            "held": HELD,
            "hold_reason": reason,
            "hold_until": day.isoformat() if day else None,
            "held_by": actor_id(user),
            "held_at": dynamo.utcnow(),
            "updated_at": dynamo.utcnow(),
        }
        entry = invoice_held_event(
            invoice=invoice,
            user=user,
            reason=reason,
            until=updates["hold_until"],
            replaced=replaced,
        )
        try:
            return audited_update(
                invoice,
                updates,
                entry=entry,
                condition=Invoice.status.is_in(*HOLDABLE_STATUSES),
            )
        except StaleRecord:
            if version is not None:
                raise
            # Changed since read (a run may have scheduled it): read again,
            # and refuse it, on the same rules, if it is no longer payable.
            retry_pause(attempt)
    raise StaleRecord("The invoice kept changing; try again.")


def invoice_release(*, invoice_id: str, user, version: int | None = None) -> Invoice:
    """Release an invoice's hold (AP Clerk or Treasurer); audited with the hold it ends."""
    require_role(user, *HOLD_ROLES, action="release invoices from hold")
    first_read: int | None = None
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        if invoice.held is None:
            raise InvalidTransition(
                f"Invoice {invoice.invoice_number} is not on hold.",
                {"code": "NOT_ON_HOLD"},
            )
        check_version(invoice, version if first_read is None else first_read)
        first_read = invoice.version
        updates = dict.fromkeys(HOLD_FIELDS) | {"updated_at": dynamo.utcnow()}
        try:
            return audited_update(
                invoice,
                updates,
                entry=invoice_released_event(invoice=invoice, user=user),
                condition=Invoice.held.exists(),
            )
        except StaleRecord:
            if version is not None:
                raise
            retry_pause(attempt)
    raise StaleRecord("The invoice kept changing; try again.")
