"""
Recurring invoices without PO (issue 15): a vendor's monthly rent, say.

An AP Clerk keeps a template per vendor and bill (lines, tax, the day of the
month, first and last day); `manage.py raise_recurring_invoices` (daily)
raises each month's invoice once its day has come, awaiting approval like
any invoice without PO.

Choices where the issue is silent:
- Monthly only. Day 29-31 in a shorter month is its last day (31 -> 28
  February, 30 April); the next month goes back to the template's day.
- The invoice's number is derived from the template and the month
  (`REC-<first 8 of the template id>-2026-02`) and taken through the vendor's
  number guard, in the same transaction that moves the template's next date
  on (conditioned on the next date as read): a second run the same day, or
  two runs at once, raise one invoice per month. A month missed (the job did
  not run) is raised on the next run, each month its own invoice, dated its
  own day.
- The invoice's enterer (`submitted_by`) is whoever last set the template's
  amounts, so they may not approve it; the audit entry's user is the job.
- The amounts are in the vendor's currency at the time the template is
  saved; a template of a suspended vendor is skipped (and said) until the
  vendor is cleared.
- Deactivating is final for the template's schedule (a new one is made to
  start again); an edit keeps the next date unless the day of the month or
  the start changes it.
"""

import calendar
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry_add, changed_fields
from core import dynamo
from core.days import site_today
from core.errors import (
    ApplicationError,
    InvalidTransition,
    StaleRecord,
    ValidationFailed,
)
from core.lines import check_amount_limit, clean_lines, lines_total
from core.money import MoneyError, check_precision, parse_decimal, round_money
from core.versions import check_version
from core.writes import audited_update, audited_update_add, with_updates
from invoicing import events, notifications
from invoicing.models import RECURRING_DUE, RecurringInvoice, RecurringLine
from invoicing.selectors import (
    recurring_invoice_get_or_404,
    recurring_invoices_due,
)
from invoicing.services import _invoice_snapshot
from invoicing.without_po import (
    _billable_vendor,
    invoice_new_add,
    invoice_without_po_build,
    invoice_without_po_fields,
)

# --- The calendar (pure) -----------------------------------------------------


def occurrence(year: int, month: int, day_of_month: int) -> dt.date:
    """The template's day in that month: its last day when the month is shorter."""
    return dt.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def first_occurrence(day_of_month: int, on_or_after: dt.date) -> dt.date:
    """The first invoice day on or after `on_or_after`."""
    this_month = occurrence(on_or_after.year, on_or_after.month, day_of_month)
    if this_month >= on_or_after:
        return this_month
    return next_occurrence(day_of_month, this_month)


def next_occurrence(day_of_month: int, after: dt.date) -> dt.date:
    """The invoice day in the month after `after`'s."""
    year, month = (
        (after.year + 1, 1) if after.month == 12 else (after.year, after.month + 1)
    )
    return occurrence(year, month, day_of_month)


def invoice_number_for(template_id: str, day: dt.date) -> str:
    return f"REC-{template_id[:8]}-{day:%Y-%m}"


# --- The template ------------------------------------------------------------


def _clean_template(
    *, currency, lines, tax_amount, day_of_month, start_date, end_date
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    try:
        day = int(str(day_of_month).strip())
        if not 1 <= day <= 31:
            raise ValueError
    except (TypeError, ValueError):
        errors["day_of_month"] = "Enter a day of the month from 1 to 31."
        day = None
    dates = {}
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if value in (None, "") and name == "end_date":
            dates[name] = None
            continue
        try:
            dates[name] = (
                value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
            )
        except (TypeError, ValueError):
            errors[name] = "Use a date like 2026-12-31."
    if dates.get("end_date") and dates.get("start_date"):
        if dates["end_date"] < dates["start_date"]:
            errors["end_date"] = "The last day cannot be before the first."
    tax = None
    try:
        tax = parse_decimal(tax_amount or "0", field="tax_amount")
        if tax < 0:
            raise MoneyError("tax_amount cannot be negative.")
        tax = check_precision(tax, currency, field="tax_amount")
    except MoneyError as exc:
        errors["tax_amount"] = str(exc)
    try:
        cleaned = clean_lines(
            [{**line, "po_line_number": None} for line in lines],
            currency,
            what="A recurring invoice",
        )
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
        cleaned = []
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    tax = round_money(tax, currency)
    net = lines_total(cleaned, currency)
    total = check_amount_limit(
        net + tax, currency, field="tax_amount", what="The recurring invoice's total"
    )
    return {
        "items": [
            RecurringLine(
                line_number=line["line_number"],
                description=line["description"],
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                total_amount=line["total_amount"],
            )
            for line in cleaned
        ],
        "net_total": net,
        "tax_amount": tax,
        "total_amount": total,
        "day_of_month": day,
        "start_date": dates["start_date"].isoformat(),
        "end_date": dates["end_date"].isoformat() if dates["end_date"] else None,
    }


def _schedule(fields: Mapping[str, Any], *, from_day: dt.date) -> dict[str, Any]:
    """`next_date` and `due` of a template whose next invoice is on or after `from_day`."""
    start = dt.date.fromisoformat(fields["start_date"])
    first = first_occurrence(fields["day_of_month"], max(start, from_day))
    end = fields["end_date"]
    if end and first > dt.date.fromisoformat(end):
        return {"next_date": None, "due": None}
    return {"next_date": first.isoformat(), "due": RECURRING_DUE}


def recurring_snapshot(template) -> dict[str, Any]:
    return {
        "vendor_id": template.vendor_id,
        "currency": template.currency,
        "items": [
            {
                "line_number": line.line_number,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "total_amount": line.total_amount,
            }
            for line in template.items
        ],
        "net_total": template.net_total,
        "tax_amount": template.tax_amount,
        "total_amount": template.total_amount,
        "day_of_month": template.day_of_month,
        "start_date": template.start_date,
        "end_date": template.end_date,
        "next_date": template.next_date,
        "active": template.active,
    }


def recurring_invoice_create(
    *,
    user,
    vendor_id: str,
    lines: Sequence[Mapping[str, Any]],
    day_of_month: Any,
    start_date: Any,
    end_date: Any = None,
    tax_amount: Any = "0",
) -> RecurringInvoice:
    """Set up a vendor's monthly invoice without PO (AP Clerk)."""
    require_role(user, Role.AP_CLERK, action="maintain recurring invoices")
    vendor = _billable_vendor(vendor_id)
    fields = _clean_template(
        currency=vendor.currency, lines=lines, tax_amount=tax_amount,
        day_of_month=day_of_month, start_date=start_date, end_date=end_date,
    )  # fmt: skip
    now = dynamo.utcnow()
    template = RecurringInvoice(
        id=str(uuid.uuid4()),
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        currency=vendor.currency,
        **fields,
        **_schedule(fields, from_day=dt.date.fromisoformat(fields["start_date"])),
        active=True,
        created_by=actor_id(user),
        created_at=now,
        updated_by=actor_id(user),
        updated_at=now,
    )
    entry = events.recurring_created_event(
        template=template, user=user, snapshot=recurring_snapshot(template)
    )
    with dynamo.write_transaction() as transaction:
        transaction.save(template, condition=RecurringInvoice.id.does_not_exist())
        audit_entry_add(transaction, entry)
    return template


def recurring_invoice_update(
    *,
    template_id: str,
    user,
    version: int | None,
    lines: Sequence[Mapping[str, Any]],
    day_of_month: Any,
    start_date: Any,
    end_date: Any = None,
    tax_amount: Any = "0",
) -> RecurringInvoice:
    """Change a template's lines, amounts or schedule (AP Clerk)."""
    require_role(user, Role.AP_CLERK, action="maintain recurring invoices")
    template = recurring_invoice_get_or_404(template_id=template_id)
    check_version(template, version)
    if not template.active:
        raise InvalidTransition(
            "This recurring invoice is deactivated; set up a new one instead."
        )
    fields = _clean_template(
        currency=template.currency, lines=lines, tax_amount=tax_amount,
        day_of_month=day_of_month, start_date=start_date, end_date=end_date,
    )  # fmt: skip
    # The next invoice: not before the month after the last one raised.
    floor = dt.date.fromisoformat(fields["start_date"])
    if template.last_raised_month:
        year, month = map(int, template.last_raised_month.split("-"))
        floor = max(floor, next_occurrence(1, dt.date(year, month, 1)))
    updates = {
        **fields,
        **_schedule(fields, from_day=floor),
        "updated_by": actor_id(user),
        "updated_at": dynamo.utcnow(),
    }
    before = recurring_snapshot(template)
    after = recurring_snapshot(with_updates(template, updates))
    entry = events.recurring_updated_event(
        template=template, user=user, changes=changed_fields(before, after)
    )
    return audited_update(template, updates, entry=entry)


def recurring_invoice_deactivate(
    *, template_id: str, user, version: int | None = None
) -> RecurringInvoice:
    """Stop a template raising invoices (AP Clerk); the invoices raised stay."""
    require_role(user, Role.AP_CLERK, action="maintain recurring invoices")
    template = recurring_invoice_get_or_404(template_id=template_id)
    check_version(template, version)
    if not template.active:
        raise InvalidTransition("This recurring invoice is already deactivated.")
    updates = {
        "active": False,
        "due": None,
        "next_date": None,
        "updated_by": actor_id(user),
        "updated_at": dynamo.utcnow(),
    }
    entry = events.recurring_updated_event(
        template=template,
        user=user,
        changes={
            "before": {"active": True, "next_date": template.next_date},
            "after": {"active": False, "next_date": None},
        },
    )
    return audited_update(template, updates, entry=entry)


# --- Raising the month's invoices -------------------------------------------


@dataclass
class RaiseOutcome:
    raised: list[str] = field(default_factory=list)  # invoice numbers
    already: list[str] = field(default_factory=list)  # numbers raised before
    skipped: list[str] = field(default_factory=list)  # why a template waits


def recurring_invoices_raise(
    *, today: dt.date | None = None, dry_run: bool = False
) -> RaiseOutcome:
    """
    Raise every due month's invoice of every active template, awaiting
    approval; safe to run again (the same day, or at once on two machines).
    """
    today = today or site_today()
    outcome = RaiseOutcome()
    for template in recurring_invoices_due(on=today):
        while template is not None and template.next_date:
            day = dt.date.fromisoformat(template.next_date)
            if day > today:
                break
            number = invoice_number_for(template.id, day)
            if dry_run:
                outcome.raised.append(number)
                template = with_updates(template, _advanced(template, day))
                continue
            try:
                template = _raise_one(template, day, number)
            except StaleRecord:
                # Another run raised it (or the template changed): read again.
                current = recurring_invoice_get_or_404(template_id=template.id)
                if current.next_date == template.next_date:
                    outcome.skipped.append(
                        f"{template.vendor_name}: invoice {number} could not be "
                        "raised (its number is taken); void that invoice or edit "
                        "the template."
                    )
                    break
                outcome.already.append(number)
                template = current
            except ApplicationError as exc:
                outcome.skipped.append(f"{template.vendor_name}: {exc.message}")
                break
            else:
                outcome.raised.append(number)
    return outcome


def _advanced(template, day: dt.date) -> dict[str, Any]:
    following = next_occurrence(template.day_of_month, day)
    finished = template.end_date and following > dt.date.fromisoformat(
        template.end_date
    )
    return {
        "next_date": None if finished else following.isoformat(),
        "due": None if finished else RECURRING_DUE,
        "last_raised_month": f"{day:%Y-%m}",
    }


def _raise_one(template, day: dt.date, number: str):
    """Raise the invoice of `day`'s month and move the template on, in one transaction."""
    vendor = _billable_vendor(template.vendor_id)
    fields = invoice_without_po_fields(
        vendor=vendor,
        invoice_number=number,
        invoice_date=day,
        lines=[
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in template.items
        ],
        tax_amount=template.tax_amount,
        total_amount=None,
        # Raised by the job: the vendor's defaults code what they can; the
        # approvers see the rest (a template names no codes).
        coding_required=False,
    )
    if vendor.currency != template.currency:
        raise ValidationFailed(
            f"{vendor.name} is now paid in {vendor.currency}, the template is in "
            f"{template.currency}; edit the template."
        )
    invoice = invoice_without_po_build(
        vendor=vendor,
        fields=fields,
        submitted_by=template.updated_by,
        recurring_id=template.id,
    )
    updates = {**_advanced(template, day), "updated_at": dynamo.utcnow()}
    invoice_entry = events.invoice_raised_event(
        invoice=invoice, snapshot=_invoice_snapshot(invoice), template=template
    )
    template_entry = events.recurring_raised_event(
        template=template, month=f"{day:%Y-%m}", invoice=invoice,
        next_date=updates["next_date"],
    )  # fmt: skip
    with dynamo.write_transaction() as transaction:
        invoice_new_add(transaction, invoice)
        audit_entry_add(transaction, invoice_entry)
        committed = audited_update_add(
            transaction,
            template,
            updates,
            entry=template_entry,
            condition=RecurringInvoice.next_date == template.next_date,
        )
    committed()
    notifications.notify_invoice_awaiting_approval(invoice)
    return template
