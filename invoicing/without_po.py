"""
Invoices without a PO (issue 15): rent, utilities, subscriptions.

An AP Clerk enters one for a vendor, in the vendor's currency, with each
line's description, quantity and unit price. It is not matched: it waits in
`awaiting_approval` (never in the reconciliation queue) until approvers
decide: `approved` (payable like `matched`: payment runs propose it) or
`rejected` with a reason. A rejected one is corrected and resubmitted (back
to `awaiting_approval`, its approvals cleared) or voided (`invoice_void`).

Approval follows the PO's rules (purchasing.rules.check_approval, shared):
never by the person who entered it (for a recurring invoice, whoever last
set the template's amounts), within the approver's limit in the base
currency at today's rate, and two different approvers when the invoice is
worth the two-approval threshold or more; the first approval fixes how many
it needs. Rejection: an approver, not the enterer, with a reason.

Choices where the issue is silent:
- A suspended vendor gets no invoice; any other status may be billed (rent
  falls due whatever the vendor's state), but only an active vendor is paid.
- Lines name no PO line; a `po_line_number` sent is refused.
- Approvers need the second factor, as for POs; the e-mails reuse the PO
  notification preferences (awaiting my approval; my document decided).
- Each decision is one transaction with its audit entry, conditioned on the
  status and version read; a lost race re-reads and decides again on the
  same rules, so thirty clicks give one decision and the rest are refused by
  name ("is approved; ..."). An approval made on a page opened before a
  correction is refused as stale; one after another approval is not.
"""

import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from accounts.roles import Role, has_role, require_role, require_second_factor
from accounts.selectors import approval_limit_get
from audit.entries import actor_id, audit_entry_add, changed_fields
from core import dynamo
from core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from core.money import Money
from core.versions import check_version
from core.writes import (
    MAX_ATTEMPTS,
    audited_update,
    audited_update_add,
    retry_pause,
    search_index_change,
    with_updates,
)
from invoicing import events, notifications
from invoicing.attachments import attachment_discard, attachment_store
from invoicing.coding import invoice_coding
from invoicing.models import (
    Invoice,
    InvoiceApproval,
    InvoiceLine,
    InvoiceNumberGuard,
    InvoiceStatus,
    invoice_move_check,
    similarity_key,
)
from invoicing.origins import (
    DocumentOrigin,
    inherits_tax,
    origin_apply,
    origin_source,
    origin_writes,
)
from invoicing.posting import posting_updates
from invoicing.selectors import invoice_get_or_404
from invoicing.services import _invoice_snapshot, _refuse_duplicate
from invoicing.validation import clean_invoice_fields, due_dates, stored_tax_lines
from purchasing import rules as approval_rules
from purchasing.selectors import amount_value, approval_day
from vendors.models import VendorStatus
from vendors.selectors import vendor_get

KIND = "invoices without PO"

# An approver's moves of an invoice without PO, within INVOICE_TRANSITIONS
# (whose `received -> rejected` is reconciliation's): a refusal then names
# only the status an approver decides in.
DECISIONS = {
    InvoiceStatus.AWAITING_APPROVAL: {InvoiceStatus.APPROVED, InvoiceStatus.REJECTED}
}
# A correction puts a rejected invoice without PO back to approval; one not
# yet decided stays there, its approvals so far cleared.
RESUBMITTABLE = {
    InvoiceStatus.REJECTED: {InvoiceStatus.AWAITING_APPROVAL},
    InvoiceStatus.AWAITING_APPROVAL: {InvoiceStatus.AWAITING_APPROVAL},
}


def _billable_vendor(vendor_id: str):
    vendor = vendor_get(vendor_id=vendor_id)
    if vendor is None:
        raise NotFound(f"There is no vendor with id '{vendor_id}'.")
    if vendor.status == VendorStatus.SUSPENDED:
        message = f"{vendor.name} is suspended; no invoice can be entered for it."
        raise ValidationFailed(message, {"vendor_id": message})
    return vendor


def _without_po_lines(lines: Sequence[Mapping[str, Any]]) -> list[dict]:
    errors = {
        f"items.{index}.po_line_number": "An invoice without PO bills no PO line."
        for index, line in enumerate(lines)
        if line.get("po_line_number") not in (None, "")
    }
    if errors:
        raise ValidationFailed("An invoice without PO bills no PO line.", errors)
    return [{**line, "po_line_number": None} for line in lines]


def _forecast(total: Decimal, currency: str) -> int:
    """How many approvals the invoice needs, until the first approval decides."""
    return approval_rules.required_approvals(
        amount_value(amount=total, currency=currency)
    )


def invoice_without_po_fields(
    *,
    vendor,
    invoice_number,
    invoice_date,
    lines,
    tax_amount,
    total_amount,
    printed_tax=None,
    previous: Sequence[InvoiceLine] = (),
    coding_required: bool = True,
    printed_amounts: bool = False,
    inherit_tax: bool = True,
) -> dict[str, Any]:
    """
    The cleaned fields of an invoice without PO of `vendor` (its currency).
    Each line is coded (the vendor's defaults fill what it does not name)
    and, as entered by a clerk (`coding_required`), coded in full: no PO
    line says where its cost goes.
    """
    return clean_invoice_fields(
        currency=vendor.currency,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=_without_po_lines(lines),
        tax_amount=tax_amount,
        total_amount=total_amount,
        printed_tax=printed_tax,
        vendor_id=vendor.id,
        coding=invoice_coding(
            vendor=vendor,
            previous=previous,
            require=coding_required,
            inherit_tax=inherit_tax,
        ),
        printed_amounts=printed_amounts,
    )


def invoice_without_po_build(
    *,
    vendor,
    fields: Mapping[str, Any],
    submitted_by: str,
    recurring_id=None,
    due_date=None,
) -> Invoice:
    """The new invoice (not written) of cleaned `fields`, awaiting approval."""
    date, total = fields["date"], fields["total"]
    due, discount_date, discount_percent = due_dates(vendor.id, date, printed=due_date)
    now = dynamo.utcnow()
    return Invoice(
        id=str(uuid.uuid4()),
        invoice_number=fields["number"],
        number_key=fields["number_key"],
        po_id=None,
        po_number=None,
        vendor_id=vendor.id,
        vendor_name=vendor.name,
        currency=vendor.currency,
        items=[InvoiceLine(**line) for line in fields["lines"]],
        net_total=fields["net"],
        tax_amount=fields["tax"],
        tax_lines=stored_tax_lines(fields.get("tax_lines")),
        total_amount=total,
        status=InvoiceStatus.AWAITING_APPROVAL.value,
        queue=None,  # never in the reconciliation queue
        similarity_key=similarity_key(vendor.id, date.isoformat(), total),
        invoice_date=date.isoformat(),
        due_date=due.isoformat(),
        discount_date=discount_date.isoformat() if discount_date else None,
        discount_percent=discount_percent,
        approvals=[],
        approved_by=None,
        approvals_required=_forecast(total, vendor.currency),
        edited_at_version=1,
        recurring_id=recurring_id,
        submitted_by=submitted_by,
        submitted_at=now,
        updated_at=now,
    )


def invoice_new_add(transaction, invoice: Invoice) -> None:
    """Add a new invoice and its number guard (refused when taken) to `transaction`."""
    transaction.save(invoice, condition=Invoice.id.does_not_exist())
    transaction.save(
        InvoiceNumberGuard(
            InvoiceNumberGuard.key(invoice.vendor_id, invoice.number_key),
            invoice_id=invoice.id,
        ),
        condition=InvoiceNumberGuard.id.does_not_exist(),
    )
    search_index_change(transaction, after=invoice)


def invoice_without_po_create(
    *,
    user,
    vendor_id: str,
    invoice_number: str,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any = None,
    total_amount: Any = None,
    attachment=None,
    printed_tax: Sequence[Mapping[str, Any]] | None = None,
    origin: DocumentOrigin | None = None,
) -> Invoice:
    """
    Enter a vendor's invoice without a PO (AP Clerk): it awaits approval.
    Its number must be new for the vendor in any spelling (the number guard).
    `origin` (invoicing.origins): one taken in from an e-invoice.
    """
    require_role(user, Role.AP_CLERK, action="enter invoices")
    vendor = _billable_vendor(vendor_id)
    fields = invoice_without_po_fields(
        vendor=vendor,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
        printed_tax=printed_tax,
        printed_amounts=origin is not None and origin.printed_amounts,
        inherit_tax=inherits_tax(origin),
    )
    invoice = invoice_without_po_build(
        vendor=vendor,
        fields=fields,
        submitted_by=actor_id(user),
        due_date=origin.due_date if origin else None,
    )
    origin_apply(invoice, origin)
    stored = None
    if attachment is not None:
        stored = attachment_store(invoice_id=invoice.id, upload=attachment)
        invoice.attachment_key = stored.key
        invoice.attachment_name = stored.name
        invoice.attachment_type = stored.content_type
    entry = events.invoice_created_event(
        invoice=invoice,
        user=user,
        snapshot=_invoice_snapshot(invoice),
        source=origin_source(origin),
    )
    try:
        with dynamo.write_transaction() as transaction:
            invoice_new_add(transaction, invoice)
            audit_entry_add(transaction, entry)
            origin_writes(transaction, invoice, origin)
    except StaleRecord:
        if stored is not None:
            attachment_discard(key=stored.key)
        _refuse_duplicate(
            vendor.id, vendor.name, invoice.invoice_number, invoice.number_key
        )
        raise
    except Exception:
        if stored is not None:
            attachment_discard(key=stored.key)
        raise
    notifications.notify_invoice_awaiting_approval(invoice)
    return invoice


# --- Decisions --------------------------------------------------------------


def _check_without_po(invoice: Invoice) -> None:
    if invoice.has_po:
        raise InvalidTransition(
            f"Invoice {invoice.invoice_number} bills {invoice.po_number}: it is "
            "matched to its PO, not approved.",
            {"code": "HAS_PO"},
        )


def invoice_approval_refusal(
    invoice: Invoice, *, username: str, is_approver: bool, limit: Decimal, value
) -> None:
    """Raise the error naming the rule that refuses this approval, if any."""
    _check_without_po(invoice)
    approval_rules.check_approval(
        name=f"invoice {invoice.invoice_number}",
        raised_by=invoice.submitted_by,
        raised="entered",
        approvers=invoice.approvers,
        total=Money(invoice.total_amount, invoice.currency),
        username=username,
        is_approver=is_approver,
        limit=limit,
        value=value,
        status_check=lambda: invoice_move_check(
            invoice, InvoiceStatus.APPROVED, verb="approved", transitions=DECISIONS
        ),
        kind=KIND,
    )


def invoice_rejection_refusal(
    invoice: Invoice, *, username: str, is_approver: bool, reason: Any
) -> str:
    """Return the cleaned reason, or raise the error naming the refusing rule."""
    _check_without_po(invoice)
    if not is_approver:
        raise PermissionDenied(f"Only Approver users may reject {KIND}.")
    invoice_move_check(
        invoice, InvoiceStatus.REJECTED, verb="rejected", transitions=DECISIONS
    )
    return approval_rules.check_rejection(
        name=f"invoice {invoice.invoice_number}",
        raised_by=invoice.submitted_by,
        raised="entered",
        instead="void it",
        username=username,
        is_approver=is_approver,
        reason=reason,
        kind=KIND,
    )


def _decide(
    *,
    invoice_id: str,
    version: int | None,
    decide: Callable[[Invoice], tuple[dict[str, Any], Any]],
) -> Invoice:
    """
    Apply a decision with optimistic retries (as purchasing's `_decide`):
    `decide(invoice)` checks the rules on the invoice as just read and
    returns the updates and the audit entry; the write is conditioned on its
    version and status, and a lost race reads and decides again.
    """
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        updates, entry = decide(invoice)
        if version is not None and (invoice.edited_at_version or 1) > version:
            raise StaleRecord(
                f"Invoice {invoice.invoice_number} was corrected since you opened "
                "it. Review the changes and try again."
            )
        try:
            return audited_update(
                invoice,
                {**updates, "updated_at": dynamo.utcnow()},
                entry=entry,
                condition=Invoice.status == invoice.status,
            )
        except StaleRecord:
            retry_pause(attempt)
    raise StaleRecord(
        "This invoice is being decided by several people at once; please try again."
    )


def invoice_approve(*, invoice_id: str, user, version: int | None = None) -> Invoice:
    """
    Approve an invoice without PO within the approver's limit; one worth the
    two-approval threshold or more needs two approvers.
    """
    require_second_factor(user, action="approve invoices")
    username = actor_id(user)
    is_approver = has_role(user, Role.APPROVER)
    limit = approval_limit_get(user=user) if is_approver else Decimal("0")
    today = approval_day()

    def decide(invoice):
        value = amount_value(
            amount=invoice.total_amount, currency=invoice.currency, on=today
        )
        invoice_approval_refusal(
            invoice,
            username=username,
            is_approver=is_approver,
            limit=limit,
            value=value,
        )
        approvals = list(invoice.approvals or [])
        required = (
            invoice.approvals_required
            if approvals and invoice.approvals_required
            else approval_rules.required_approvals(value)
        )
        approvals.append(
            InvoiceApproval(
                approver=username,
                approved_at=dynamo.utcnow(),
                limit_used=limit,
                base_currency=value.base_currency,
                base_amount=value.base_amount,
                exchange_rate=value.rate if value.is_converted else None,
                rate_valid_from=value.valid_from,
            )
        )
        updates: dict[str, Any] = {
            "approvals": approvals,
            "approved_by": [a.approver for a in approvals],
            "approvals_required": required,
        }
        if len(approvals) >= required:
            updates |= {
                "status": InvoiceStatus.APPROVED.value,
                "decided_by": username,
                "decided_at": dynamo.utcnow(),
                **posting_updates(invoice, InvoiceStatus.APPROVED),
            }
        entry = events.invoice_approved_event(
            invoice=invoice,
            user=user,
            approvals=len(approvals),
            required=required,
            limit=limit,
            value=value,
            status=updates.get("status", invoice.status),
        )
        return updates, entry

    invoice = _decide(invoice_id=invoice_id, version=version, decide=decide)
    if invoice.status == InvoiceStatus.APPROVED:
        notifications.notify_invoice_decided(invoice)
    else:  # the first of two: the others may give the second
        notifications.notify_invoice_awaiting_approval(invoice)
    return invoice


def invoice_reject(
    *, invoice_id: str, user, reason: Any, version: int | None = None
) -> Invoice:
    """Reject an invoice without PO (Approver, not its enterer), with a reason."""
    require_second_factor(user, action="reject invoices")
    username = actor_id(user)
    is_approver = has_role(user, Role.APPROVER)

    def decide(invoice):
        cleaned = invoice_rejection_refusal(
            invoice, username=username, is_approver=is_approver, reason=reason
        )
        updates = {
            "status": InvoiceStatus.REJECTED.value,
            "rejection_reason": cleaned,
            "decided_by": username,
            "decided_at": dynamo.utcnow(),
        }
        entry = events.invoice_rejected_event(
            invoice=invoice, user=user, reason=cleaned
        )
        return updates, entry

    invoice = _decide(invoice_id=invoice_id, version=version, decide=decide)
    notifications.notify_invoice_decided(invoice)
    return invoice


def invoice_decisions(*, invoice: Invoice, user) -> dict[str, str | None]:
    """
    Each decision ("approve", "reject") mapped to None when `user` may take
    it now, or to the reason it is refused: the page's buttons run the
    service's own rules (the reject check without its reason).
    """
    username = actor_id(user)
    is_approver = has_role(user, Role.APPROVER)
    limit = approval_limit_get(user=user) if is_approver else Decimal("0")
    value = amount_value(amount=invoice.total_amount, currency=invoice.currency)
    checks = {
        "approve": lambda: (
            require_second_factor(user, action="approve invoices"),
            invoice_approval_refusal(
                invoice,
                username=username,
                is_approver=is_approver,
                limit=limit,
                value=value,
            ),
        ),
        "reject": lambda: (
            require_second_factor(user, action="reject invoices"),
            invoice_rejection_refusal(
                invoice, username=username, is_approver=is_approver, reason="-"
            ),
        ),
    }
    refusals: dict[str, str | None] = {}
    for action, check in checks.items():
        try:
            check()
        except (PermissionDenied, InvalidTransition) as exc:
            refusals[action] = exc.message
        else:
            refusals[action] = None
    return refusals


# --- Correction -------------------------------------------------------------


def invoice_without_po_resubmit(
    *,
    invoice: Invoice,
    user,
    version: int,
    invoice_number: Any,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any = None,
    total_amount: Any = None,
    printed_tax: Sequence[Mapping[str, Any]] | None = None,
) -> Invoice:
    """
    Correct a rejected invoice without PO and put it back to approval (AP
    Clerk): its approvals and rejection are cleared, a changed number is
    checked for duplicates like a new one. Called by `invoice_resubmit`.
    """
    require_role(user, Role.AP_CLERK, action="correct invoices")
    check_version(invoice, version)
    invoice_move_check(
        invoice,
        InvoiceStatus.AWAITING_APPROVAL,
        verb="corrected",
        transitions=RESUBMITTABLE,
    )
    vendor = _billable_vendor(invoice.vendor_id)
    fields = invoice_without_po_fields(
        vendor=vendor,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
        printed_tax=printed_tax,
        previous=invoice.items,
    )
    before = _invoice_snapshot(invoice)
    date, total = fields["date"], fields["total"]
    due, discount_date, discount_percent = due_dates(invoice.vendor_id, date)
    updates = {
        "invoice_number": fields["number"],
        "number_key": fields["number_key"],
        "items": [InvoiceLine(**line) for line in fields["lines"]],
        "net_total": fields["net"],
        "tax_amount": fields["tax"],
        "tax_lines": stored_tax_lines(fields.get("tax_lines")),
        "total_amount": total,
        "invoice_date": date.isoformat(),
        "due_date": due.isoformat(),
        "discount_date": discount_date.isoformat() if discount_date else None,
        "discount_percent": discount_percent,
        "status": InvoiceStatus.AWAITING_APPROVAL.value,
        "similarity_key": similarity_key(invoice.vendor_id, date.isoformat(), total),
        "approvals": [],
        "approved_by": None,
        "approvals_required": _forecast(total, invoice.currency),
        "rejection_reason": None,
        "decided_by": None,
        "decided_at": None,
        "edited_at_version": invoice.version + 1,
        "updated_at": dynamo.utcnow(),
    }
    after = _invoice_snapshot(with_updates(invoice, updates))
    entry = events.invoice_corrected_event(
        invoice=with_updates(invoice, updates),
        user=user,
        changes=changed_fields(
            {**before, "status": invoice.status},
            {**after, "status": InvoiceStatus.AWAITING_APPROVAL.value},
        ),
    )
    number_changed = fields["number_key"] != invoice.number_key
    try:
        with dynamo.write_transaction() as transaction:
            committed = audited_update_add(
                transaction,
                invoice,
                updates,
                entry=entry,
                condition=Invoice.status == invoice.status,
            )
            if number_changed:
                transaction.delete(
                    InvoiceNumberGuard(
                        InvoiceNumberGuard.key(invoice.vendor_id, invoice.number_key)
                    )
                )
                transaction.save(
                    InvoiceNumberGuard(
                        InvoiceNumberGuard.key(invoice.vendor_id, fields["number_key"]),
                        invoice_id=invoice.id,
                    ),
                    condition=InvoiceNumberGuard.id.does_not_exist(),
                )
    except StaleRecord:
        if number_changed:
            _refuse_duplicate(
                invoice.vendor_id,
                invoice.vendor_name,
                fields["number"],
                fields["number_key"],
            )
        raise
    committed()
    notifications.notify_invoice_awaiting_approval(invoice)
    return invoice
