"""
Every write to an invoice: entry, correction, void and a payment run's move.
Each is one conditional TransactWrite holding the change and its
INVOICE_ACTION audit entry: both are written or neither. Reconciliation's
writes are in `invoicing.reconciliation`.
"""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from accounting.coding import line_coding
from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry_add, changed_fields
from core import dynamo
from core.days import site_today
from core.errors import (
    Duplicate,
    InvalidTransition,
    NotFound,
    StaleRecord,
    ValidationFailed,
)
from core.text import clean_reason
from core.versions import check_version
from core.writes import (
    MAX_ATTEMPTS,
    audited_update_add,
    retry_pause,
    search_index_change,
    with_updates,
)
from invoicing import credit_notes
from invoicing.attachments import attachment_discard, attachment_store
from invoicing.coding import invoice_coding
from invoicing.events import (
    invoice_corrected_event,
    invoice_created_event,
    invoice_payment_moved_event,
    invoice_voided_event,
)
from invoicing.models import (
    HOLD_FIELDS,
    INVOICE_TRANSITIONS,
    VARIANCE_FIELDS,
    Invoice,
    InvoiceLine,
    InvoiceNumberGuard,
    InvoiceStatus,
    invoice_move_check,
    not_held_on,
    payable_status,
    queue_key,
    similarity_key,
)
from invoicing.origins import (
    DocumentOrigin,
    inherits_tax,
    origin_apply,
    origin_record,
    origin_source,
    origin_writes,
)
from invoicing.posting import posting_updates, void_reversal_add
from invoicing.reconciliation import paired_quantities
from invoicing.selectors import invoice_get, invoice_get_or_404
from invoicing.validation import (
    clean_invoice_fields,
    due_dates,
    stored_tax_lines,
    tax_snapshot,
)
from purchasing import services as purchasing_services
from purchasing.models import POStatus
from purchasing.selectors import purchase_order_get
from vendors.selectors import vendor_get

# A correction puts an invoice (back) in `received`: a rejected one by the
# life cycle's move, one not yet reconciled by staying where it is.
_CORRECTABLE = {
    **INVOICE_TRANSITIONS,
    InvoiceStatus.RECEIVED: INVOICE_TRANSITIONS[InvoiceStatus.RECEIVED]
    | {InvoiceStatus.RECEIVED},
}


def _invoice_snapshot(invoice: Invoice) -> dict[str, Any]:
    return {
        "invoice_number": invoice.invoice_number,
        "po_number": invoice.po_number,
        "vendor_id": invoice.vendor_id,
        "currency": invoice.currency,
        "invoice_date": invoice.invoice_date,
        "due_date": invoice.due_date,
        "net_total": invoice.net_total,
        "tax_amount": invoice.tax_amount,
        "total_amount": invoice.total_amount,
        **tax_snapshot(invoice),
        "items": [
            {
                "line_number": line.line_number,
                "po_line_number": line.po_line_number,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "total_amount": line.total_amount,
                # Coded lines only: the details of uncoded ones stay as they were.
                **{name: code for name, code in line_coding(line).items() if code},
            }
            for line in invoice.items
        ],
    }


def invoice_create(
    *,
    user,
    po_id: str,
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
    Enter a vendor's invoice against a PO (AP Clerk), with the vendor's
    document (PDF or image) when given.

    Its number must be new for the vendor in any spelling; the check is a
    guard item in the same transaction, so it holds when two clerks submit
    the same number at the same moment. `origin` (invoicing.origins): an
    invoice taken in from an e-invoice, with its fields, printed amounts and
    due date, and the writes that go with it in the same transaction.
    """
    require_role(user, Role.AP_CLERK, action="enter invoices")
    po = origin_record(origin, po_id) or purchase_order_get(po_id=po_id)
    if po is None:
        raise NotFound(f"There is no purchase order with id '{po_id}'.")
    if po.status == POStatus.CANCELLED:
        message = f"{po.po_number} is cancelled; invoices cannot be entered against it."
        raise ValidationFailed(message, {"po_id": message})
    vendor = origin_record(origin, po.vendor_id) or vendor_get(vendor_id=po.vendor_id)
    fields = clean_invoice_fields(
        po=po,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
        printed_tax=printed_tax,
        coding=invoice_coding(
            vendor=vendor,
            po=po,
            inherit_tax=inherits_tax(origin),
        ),
        printed_amounts=origin is not None and origin.printed_amounts,
    )
    number, number_key, date = fields["number"], fields["number_key"], fields["date"]
    cleaned, net, tax, total = (
        fields["lines"],
        fields["net"],
        fields["tax"],
        fields["total"],
    )
    due, discount_date, discount_percent = due_dates(
        po.vendor_id, date, printed=origin.due_date if origin else None, vendor=vendor
    )
    now = dynamo.utcnow()
    invoice = Invoice(
        id=str(uuid.uuid4()),
        invoice_number=number,
        number_key=number_key,
        po_id=po.id,
        po_number=po.po_number,
        vendor_id=po.vendor_id,
        vendor_name=po.vendor_name,
        currency=po.currency,
        items=[InvoiceLine(**line) for line in cleaned],
        net_total=net,
        tax_amount=tax,
        tax_lines=stored_tax_lines(fields["tax_lines"]),
        total_amount=total,
        status=InvoiceStatus.RECEIVED.value,
        queue=queue_key(po_id=po.id, vendor_id=po.vendor_id),
        similarity_key=similarity_key(po.vendor_id, date.isoformat(), total),
        invoice_date=date.isoformat(),
        due_date=due.isoformat(),
        discount_date=discount_date.isoformat() if discount_date else None,
        discount_percent=discount_percent,
        submitted_by=actor_id(user),
        submitted_at=now,
        updated_at=now,
    )
    origin_apply(invoice, origin)
    stored = None
    if attachment is not None:
        stored = attachment_store(invoice_id=invoice.id, upload=attachment)
        invoice.attachment_key = stored.key
        invoice.attachment_name = stored.name
        invoice.attachment_type = stored.content_type
    guard = InvoiceNumberGuard(
        InvoiceNumberGuard.key(po.vendor_id, number_key), invoice_id=invoice.id
    )
    entry = invoice_created_event(
        invoice=invoice,
        user=user,
        snapshot=_invoice_snapshot(invoice),
        source=origin_source(origin),
    )
    try:
        _write_new_invoice(invoice, guard, entry, po, origin)
    except Exception:
        if stored is not None:
            attachment_discard(key=stored.key)  # the invoice was not written
        raise
    return invoice


def _write_new_invoice(invoice, guard, entry, po, origin=None) -> None:
    try:
        with dynamo.write_transaction() as transaction:
            transaction.save(invoice, condition=Invoice.id.does_not_exist())
            transaction.save(guard, condition=InvoiceNumberGuard.id.does_not_exist())
            purchasing_services.purchase_order_invoice_added(
                transaction=transaction, po_id=po.id
            )
            audit_entry_add(transaction, entry)
            search_index_change(transaction, after=invoice)
            origin_writes(transaction, invoice, origin)
    except StaleRecord:
        # Explain the refusal: the number is taken, or the PO went away.
        _refuse_duplicate(
            po.vendor_id, po.vendor_name, invoice.invoice_number, invoice.number_key
        )
        current = purchase_order_get(po_id=po.id)
        if current is None or current.status == POStatus.CANCELLED:
            raise InvalidTransition(
                f"{po.po_number} was deleted or cancelled meanwhile; the invoice was not "
                "entered."
            ) from None
        raise


def _refuse_duplicate(vendor_id: str, vendor_name: str, number: str, number_key: str):
    try:
        guard = InvoiceNumberGuard.get(
            InvoiceNumberGuard.key(vendor_id, number_key), consistent_read=True
        )
    except InvoiceNumberGuard.DoesNotExist:
        return
    existing = invoice_get(invoice_id=guard.invoice_id)
    shown = existing.invoice_number if existing else number
    raise Duplicate(
        f"Invoice {number} of {vendor_name} is already entered as {shown}; "
        "the same number in another spelling counts as the same invoice.",
        {"existing_invoice_id": guard.invoice_id},
    )


# --- Correction and void ----------------------------------------------------------


def invoice_resubmit(
    *,
    invoice_id: str,
    user,
    version: int,
    invoice_number: str,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any = None,
    total_amount: Any = None,
    attachment=None,
    printed_tax: Sequence[Mapping[str, Any]] | None = None,
) -> Invoice:
    """
    Correct a rejected (or not yet reconciled) invoice and put it back in the
    reconciliation queue (AP Clerk). A corrected number is checked for
    duplicates like a new one. A revised document (`attachment`) replaces
    the invoice's; the old one stays stored, named in the audit entry.
    A request to accept its variance (invoicing.variances) ends with it.
    """
    require_role(user, Role.AP_CLERK, action="correct invoices")
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    if not invoice.has_po:  # back to approval, not to reconciliation
        from invoicing.without_po import invoice_without_po_resubmit

        return invoice_without_po_resubmit(
            invoice=invoice, user=user, version=version,
            invoice_number=invoice_number, invoice_date=invoice_date, lines=lines,
            tax_amount=tax_amount, total_amount=total_amount,
            printed_tax=printed_tax,
        )  # fmt: skip
    check_version(invoice, version)
    if invoice.is_credit_note:
        raise InvalidTransition(
            f"{invoice.invoice_number} is a credit note; a credit note is not "
            "corrected: void it and enter it again."
        )
    invoice_move_check(
        invoice, InvoiceStatus.RECEIVED, verb="corrected", transitions=_CORRECTABLE
    )
    po = purchase_order_get(po_id=invoice.po_id)
    if po is None:
        raise NotFound(f"The PO of invoice {invoice.invoice_number} no longer exists.")
    fields = clean_invoice_fields(
        po=po,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
        printed_tax=printed_tax,
        coding=invoice_coding(
            vendor=vendor_get(vendor_id=po.vendor_id), po=po, previous=invoice.items
        ),
    )
    before = _invoice_snapshot(invoice)
    due, discount_date, discount_percent = due_dates(po.vendor_id, fields["date"])
    updates = {
        "invoice_number": fields["number"],
        "number_key": fields["number_key"],
        "items": [InvoiceLine(**line) for line in fields["lines"]],
        "net_total": fields["net"],
        "tax_amount": fields["tax"],
        "tax_lines": stored_tax_lines(fields["tax_lines"]),
        "total_amount": fields["total"],
        "invoice_date": fields["date"].isoformat(),
        "due_date": due.isoformat(),
        "discount_date": discount_date.isoformat() if discount_date else None,
        "discount_percent": discount_percent,
        "status": InvoiceStatus.RECEIVED.value,
        "queue": queue_key(po_id=invoice.po_id, vendor_id=invoice.vendor_id),
        "similarity_key": similarity_key(
            invoice.vendor_id, fields["date"].isoformat(), fields["total"]
        ),
        "report_json": None,
        "updated_at": dynamo.utcnow(),
        **dict.fromkeys(VARIANCE_FIELDS),
    }
    stored = None
    if attachment is not None:
        stored = attachment_store(invoice_id=invoice.id, upload=attachment)
        updates |= {
            "attachment_key": stored.key,
            "attachment_name": stored.name,
            "attachment_type": stored.content_type,
        }
    corrected = with_updates(invoice, updates)
    after = _invoice_snapshot(corrected)
    documents = ("attachment_name", "attachment_key")
    entry = invoice_corrected_event(
        invoice=corrected,
        user=user,
        changes=changed_fields(
            {**before, "status": invoice.status}
            | {name: getattr(invoice, name) for name in documents},
            {**after, "status": "received"}
            | {name: getattr(corrected, name) for name in documents},
        ),
    )
    number_changed = fields["number_key"] != invoice.number_key
    try:
        with dynamo.write_transaction() as transaction:
            committed = audited_update_add(transaction, invoice, updates, entry=entry)
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
        if stored is not None:
            attachment_discard(key=stored.key)  # the correction was not written
        if number_changed:
            _refuse_duplicate(
                invoice.vendor_id,
                invoice.vendor_name,
                fields["number"],
                fields["number_key"],
            )
        raise
    except Exception:
        if stored is not None:
            attachment_discard(key=stored.key)
        raise
    committed()
    return invoice


def invoice_void(
    *, invoice_id: str, user, reason: str, version: int | None = None
) -> Invoice:
    """
    Void a received, rejected or matched invoice (AP Clerk). Its number is
    freed; a matched invoice's quantities come off its PO in the same
    transaction.
    """
    require_role(user, Role.AP_CLERK, action="void invoices")
    reason = clean_reason(reason, missing="Say why the invoice is void.")
    first_read: int | None = None
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        # A retry follows a conflict, e.g. on the PO's side; an invoice edited
        # since the first read is refused, whether or not the caller sent
        # its version (the original API's clients send none).
        check_version(invoice, version if first_read is None else first_read)
        first_read = invoice.version
        invoice_move_check(invoice, InvoiceStatus.VOID, verb="voided")
        po = purchase_order_get(po_id=invoice.po_id)
        entry = invoice_voided_event(invoice=invoice, user=user, reason=reason)
        was_matched = invoice.status == InvoiceStatus.MATCHED
        voided_on = site_today()
        updates = {
            "status": InvoiceStatus.VOID.value,
            "queue": None,
            "similarity_key": None,
            "updated_at": dynamo.utcnow(),
            # A void invoice is not on hold: it leaves the held list with it.
            **(dict.fromkeys(HOLD_FIELDS) if invoice.held else {}),
            # Nor waits for an approver's acceptance (invoicing.variances).
            **(dict.fromkeys(VARIANCE_FIELDS) if invoice.variance_queue else {}),
            # A posted document leaves the open items, reversed in its ledger.
            **posting_updates(invoice, InvoiceStatus.VOID, on_date=voided_on),
        }
        try:
            with dynamo.write_transaction() as transaction:
                committed = audited_update_add(
                    transaction, invoice, updates, entry=entry
                )
                void_reversal_add(
                    transaction=transaction, invoice=invoice, on_date=voided_on
                )
                transaction.delete(
                    InvoiceNumberGuard(
                        InvoiceNumberGuard.key(invoice.vendor_id, invoice.number_key)
                    )
                )
                if invoice.is_credit_note:  # its credit, and what it took off
                    credit_notes.credit_note_void_add(
                        transaction=transaction, credit_note=invoice, po=po, user=user
                    )
                else:  # credit notes must not credit nothing
                    credit_notes.credited_invoice_void_check(
                        transaction=transaction, invoice=invoice
                    )
                if was_matched and po is not None and not invoice.is_credit_note:
                    purchasing_services.purchase_order_invoiced_remove(
                        transaction=transaction,
                        po=po,
                        quantities=paired_quantities(invoice, po),
                        net_total=invoice.net_total,
                        user=user,
                        invoice_number=invoice.invoice_number,
                    )
        except StaleRecord:
            if version is not None:
                raise
            retry_pause(attempt)
            continue
        committed()
        return invoice
    raise StaleRecord("The invoice or its PO kept changing; try again.")


def invoice_payment_move_add(
    *,
    transaction,
    invoice: Invoice,
    target: InvoiceStatus,
    run_id: str,
    run_number: str,
    user,
    payment_date: dt.date | None = None,
    paid_amount: Decimal | None = None,
    discount_taken: Decimal | None = None,
    paid_on: dt.date | None = None,
) -> None:
    """
    Add a payment run's move of the invoice (schedule, pay or release) and its
    audit entry to the run's transaction.

    Paying it records `paid_amount` (what the run paid for it, after the
    discount), `discount_taken` and `paid_on` (the bank's booking date;
    None: today) on its posting (invoicing.posting).

    Conditioned on the invoice's status and version as read, and, once
    scheduled, on belonging to this run: an invoice is never in two runs.
    Scheduling for `payment_date` is conditioned on the invoice not being on
    hold on that day.
    """
    if target in (InvoiceStatus.MATCHED, InvoiceStatus.APPROVED):
        target = payable_status(invoice)  # a cancellation: back where it came from
    hold_ended = bool(
        target == InvoiceStatus.SCHEDULED and payment_date is not None and invoice.held
    )
    entry = invoice_payment_moved_event(
        invoice=invoice, target=target, run_id=run_id, run_number=run_number,
        user=user, hold_ended=hold_ended,
    )  # fmt: skip
    condition = Invoice.status == invoice.status
    if invoice.status == InvoiceStatus.SCHEDULED:
        condition &= Invoice.payment_run_id == run_id
    updates = {"status": target.value, "updated_at": dynamo.utcnow()}
    if target in (InvoiceStatus.MATCHED, InvoiceStatus.APPROVED):
        updates |= {"payment_run_id": None, "payment_run_number": None}
    else:
        updates |= {"payment_run_id": run_id, "payment_run_number": run_number}
    updates |= posting_updates(
        invoice,
        target,
        on_date=paid_on,
        paid_amount=paid_amount,
        discount_taken=discount_taken,
    )
    if target == InvoiceStatus.SCHEDULED and payment_date is not None:
        # Never schedule a held invoice, whatever was read (invoicing.holds);
        # a hold that lapsed by the payment date goes with the scheduling.
        condition &= not_held_on(payment_date)
        if hold_ended:
            updates |= dict.fromkeys(HOLD_FIELDS)
    # The caller's invoice stays as read: the run's transaction may yet be
    # refused, and is then retried from what was read.
    audited_update_add(transaction, invoice, updates, entry=entry, condition=condition)
