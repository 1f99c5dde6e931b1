"""
Credit notes (issue 15, "Credit notes"): entry, and what a credit note does
to its PO and to the invoice it credits when it is matched or voided.

A credit note is an `Invoice` record with `document_type` `credit_note`:
positive quantities and prices, a negative effect. It refers to an invoice
of its vendor (`credited_invoice_id`: returned goods, a price credit) or
stands alone (a goodwill credit, a rebate) for a PO, or, without PO, for a
vendor. It is reconciled like an invoice, by a person or by the batch job
(`invoicing.reconciliation`, rules in `invoicing.credit_matching`): matched,
its quantities and net come off the PO's invoiced figures in the same
transaction, so the PO can be billed again for what was credited; rejected,
with its findings. Voiding a matched credit note puts them back.

Choices where the issue is silent:

* Only a matched, approved, scheduled or paid invoice can be credited
  (`CREDITABLE_STATUSES`; 409 otherwise): a received or rejected invoice is
  corrected instead, and a void one owes nothing. A credit note is never
  credited.
* The number guard is the invoice's (one per vendor and normalised number):
  a credit note numbered like an invoice of its vendor is refused, as the
  reverse is.
* What an invoice has been credited is kept beside it
  (`InvoiceCreditedTotal`), added to in the credit note's entry transaction
  on the condition that it stays within the invoice's total: entered
  credit notes count from entry on (received, matched or rejected), so two
  clerks crediting one invoice at once cannot together credit more than it
  billed. A void frees its credit, as it frees its number.
* An invoice with credit notes that are not void cannot be voided (void the
  credit notes first): they would credit nothing.
* A credit note is not corrected and resubmitted: void it and enter it
  again (its credit and number are then free).
* A credit note's due date follows the vendor's terms, as an invoice's; the
  softer duplicate warning compares credit notes with credit notes only.
* Without PO, the currency is the credited invoice's, else the vendor's.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry_add
from audit.models import AuditAction
from core import dynamo
from core.errors import (
    Duplicate,
    InvalidTransition,
    NotFound,
    StaleRecord,
    ValidationFailed,
)
from core.money import Money
from core.writes import search_index_change
from invoicing import credit_matching, matching
from invoicing.attachments import attachment_discard, attachment_store
from invoicing.coding import invoice_coding
from invoicing.events import credit_note_created_event
from invoicing.models import (
    CREDITABLE_STATUSES,
    DocumentType,
    Invoice,
    InvoiceCreditedTotal,
    InvoiceLine,
    InvoiceNumberGuard,
    InvoiceStatus,
    queue_key,
    similarity_key,
)
from invoicing.origins import (
    DocumentOrigin,
    inherits_tax,
    origin_apply,
    origin_source,
    origin_writes,
)
from invoicing.selectors import invoice_get
from invoicing.validation import (
    clean_invoice_fields,
    document_tax_lines,
    due_dates,
    stored_tax_lines,
    tax_snapshot,
)
from purchasing import services as purchasing_services
from purchasing.models import POStatus
from purchasing.selectors import purchase_order_get
from vendors.selectors import vendor_get

ZERO = Decimal("0")


@dataclass(frozen=True)
class _Priced:
    """What `clean_invoice_fields` needs of the document's PO: its currency."""

    currency: str


def _refuse(field: str, message: str):
    raise ValidationFailed(message, {field: message})


def credited_total(*, invoice_id: str) -> Decimal:
    """The total of the invoice's credit notes that are not void."""
    try:
        item = InvoiceCreditedTotal.get(
            InvoiceCreditedTotal.key(invoice_id), consistent_read=True
        )
    except InvoiceCreditedTotal.DoesNotExist:
        return ZERO
    return item.credited_total or ZERO


def creditable_refusal(invoice: Invoice) -> str | None:
    """Why `invoice` cannot be credited now, or None when it can."""
    if invoice.is_credit_note:
        return f"{invoice.invoice_number} is a credit note; only invoices are credited."
    if invoice.status not in CREDITABLE_STATUSES:
        return (
            f"Invoice {invoice.invoice_number} is {invoice.status}; only matched, "
            "approved, scheduled or paid invoices can be credited (correct a "
            "received or rejected invoice instead)."
        )
    return None


def _resolve(*, credited_invoice_id, po_id, vendor_id):
    """The credited invoice, the PO and the vendor id the credit note belongs to."""
    credited = po = None
    if credited_invoice_id:
        credited = invoice_get(invoice_id=credited_invoice_id)
        if credited is None:
            _refuse(
                "credited_invoice_id",
                f"There is no invoice with id '{credited_invoice_id}' to credit.",
            )
        refusal = creditable_refusal(credited)
        if refusal:
            raise InvalidTransition(refusal)
    if po_id:
        po = purchase_order_get(po_id=po_id)
        if po is None:
            raise NotFound(f"There is no purchase order with id '{po_id}'.")
        if po.status == POStatus.CANCELLED:
            _refuse("po_id", f"{po.po_number} is cancelled; nothing can be credited.")
    elif credited is not None and credited.po_id:
        po = purchase_order_get(po_id=credited.po_id)
        if po is None:
            raise NotFound(f"The PO of invoice {credited.invoice_number} is gone.")
    owner = credited.vendor_id if credited else po.vendor_id if po else vendor_id
    if not owner:
        _refuse(
            "credited_invoice_id",
            "Give the invoice credited (credited_invoice_id), the PO or the vendor "
            "of a credit note.",
        )
    for other, name in ((po, "po_id"), (vendor_id, "vendor_id")):
        other_vendor = getattr(other, "vendor_id", other)
        if other_vendor and credited is not None and other_vendor != owner:
            _refuse(
                "credited_invoice_id",
                f"Invoice {credited.invoice_number} is another vendor's "
                f"({credited.vendor_name}); a credit note credits an invoice of "
                "its own vendor.",
            )
        if name == "vendor_id" and other_vendor and po and other_vendor != owner:
            _refuse("vendor_id", f"{po.po_number} is not this vendor's PO.")
    if credited is not None and po is not None and credited.po_id != po.id:
        _refuse(
            "credited_invoice_id",
            f"Invoice {credited.invoice_number} bills "
            f"{credited.po_number or 'no PO'}, not {po.po_number}; a credit note "
            "credits an invoice of its own PO.",
        )
    vendor = None
    if po is None and credited is None:
        vendor = vendor_get(vendor_id=owner)
        if vendor is None:
            _refuse("vendor_id", f"There is no vendor with id '{owner}'.")
    return credited, po, vendor


def credit_note_create(
    *,
    user,
    invoice_number: str,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any = None,
    total_amount: Any = None,
    credited_invoice_id: str | None = None,
    po_id: str | None = None,
    vendor_id: str | None = None,
    attachment=None,
    printed_tax: Sequence[Mapping[str, Any]] | None = None,
    origin: DocumentOrigin | None = None,
) -> Invoice:
    """
    Enter a vendor's credit note (AP Clerk): against the invoice it credits,
    or standing alone for a PO or a vendor; it then waits for reconciliation.

    Refused (422) with a negative quantity or price, another vendor's or
    another PO's invoice, or a total above what the credited invoice leaves
    to credit; (409) for an invoice that cannot be credited, or a number the
    vendor used already. One transaction writes the credit note, its number
    guard, the credited invoice's credit and the audit entry (and what
    `origin`, invoicing.origins, adds: an e-invoice's fingerprint).
    """
    require_role(user, Role.AP_CLERK, action="enter credit notes")
    credited, po, vendor = _resolve(
        credited_invoice_id=credited_invoice_id, po_id=po_id, vendor_id=vendor_id
    )
    currency = (po or credited or vendor).currency
    fields = clean_invoice_fields(
        po=_Priced(currency),
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
        printed_tax=printed_tax,
        vendor_id=(po or credited or vendor).vendor_id if vendor is None else vendor.id,
        coding=invoice_coding(
            vendor=vendor or vendor_get(vendor_id=(po or credited).vendor_id),
            po=po,
            credited=credited,
            inherit_tax=inherits_tax(origin),
        ),
        printed_amounts=origin is not None and origin.printed_amounts,
    )
    total = fields["total"]
    if credited is not None:
        _check_within_credited(credited, total)
    owner_id = (po or credited or vendor).vendor_id if vendor is None else vendor.id
    owner_name = (po or credited).vendor_name if vendor is None else vendor.name
    due, discount_date, discount_percent = due_dates(
        owner_id, fields["date"], printed=origin.due_date if origin else None
    )
    now = dynamo.utcnow()
    credit_note = Invoice(
        id=str(uuid.uuid4()),
        document_type=DocumentType.CREDIT_NOTE.value,
        credited_invoice_id=credited.id if credited else None,
        credited_invoice_number=credited.invoice_number if credited else None,
        invoice_number=fields["number"],
        number_key=fields["number_key"],
        po_id=po.id if po else None,
        po_number=po.po_number if po else None,
        vendor_id=owner_id,
        vendor_name=owner_name,
        currency=currency,
        items=[InvoiceLine(**line) for line in fields["lines"]],
        net_total=fields["net"],
        tax_amount=fields["tax"],
        tax_lines=stored_tax_lines(fields["tax_lines"]),
        total_amount=total,
        status=InvoiceStatus.RECEIVED.value,
        queue=queue_key(po_id=po.id if po else None, vendor_id=owner_id),
        # A credit is "similar" only to credits, never to the invoice it credits.
        similarity_key=similarity_key(
            owner_id, fields["date"].isoformat(), f"credit{total}"
        ),
        invoice_date=fields["date"].isoformat(),
        due_date=due.isoformat(),
        discount_date=discount_date.isoformat() if discount_date else None,
        discount_percent=discount_percent,
        submitted_by=actor_id(user),
        submitted_at=now,
        updated_at=now,
    )
    origin_apply(credit_note, origin)
    stored = None
    if attachment is not None:
        stored = attachment_store(invoice_id=credit_note.id, upload=attachment)
        credit_note.attachment_key = stored.key
        credit_note.attachment_name = stored.name
        credit_note.attachment_type = stored.content_type
    entry = credit_note_created_event(
        credit_note=credit_note,
        user=user,
        snapshot=credit_note_snapshot(credit_note),
        source=origin_source(origin),
    )
    try:
        _write_new(credit_note, entry, po, credited, origin)
    except Exception:
        if stored is not None:
            attachment_discard(key=stored.key)  # the credit note was not written
        raise
    return credit_note


def _check_within_credited(credited: Invoice, total: Decimal) -> None:
    before = credited_total(invoice_id=credited.id)
    left = credited.total_amount - before
    if total > left:
        money = lambda amount: Money(amount, credited.currency)  # noqa: E731
        message = (
            f"The credit note's total {money(total)} is more than invoice "
            f"{credited.invoice_number} leaves to credit: {money(left)} (it billed "
            f"{money(credited.total_amount)}, credit notes credit {money(before)} "
            "of it already)."
        )
        raise ValidationFailed(message, {"total_amount": message})


def credit_note_snapshot(credit_note: Invoice) -> dict[str, Any]:
    """The credit note as its entry's audit details record it."""
    return {
        "document_type": credit_note.document_kind.value,
        "credited_invoice_number": credit_note.credited_invoice_number,
        "invoice_number": credit_note.invoice_number,
        "po_number": credit_note.po_number,
        "vendor_id": credit_note.vendor_id,
        "currency": credit_note.currency,
        "invoice_date": credit_note.invoice_date,
        "due_date": credit_note.due_date,
        "net_total": credit_note.net_total,
        "tax_amount": credit_note.tax_amount,
        "total_amount": credit_note.total_amount,
        **tax_snapshot(credit_note),
        "items": [
            {
                "line_number": line.line_number,
                "po_line_number": line.po_line_number,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "total_amount": line.total_amount,
            }
            for line in credit_note.items
        ],
    }


def _credit_add(transaction, credited: Invoice, amount: Decimal) -> None:
    """Add `amount` to what `credited` is credited, within its total."""
    cap = credited.total_amount - amount
    transaction.update(
        InvoiceCreditedTotal(InvoiceCreditedTotal.key(credited.id)),
        actions=[InvoiceCreditedTotal.credited_total.add(amount)],
        condition=InvoiceCreditedTotal.credited_total.does_not_exist()
        | (InvoiceCreditedTotal.credited_total <= cap),
    )
    # ... and only while it can be credited (not voided meanwhile).
    transaction.condition_check(
        Invoice,
        credited.id,
        condition=Invoice.status.is_in(*CREDITABLE_STATUSES),
    )


def _write_new(credit_note: Invoice, entry, po, credited, origin=None) -> None:
    guard = InvoiceNumberGuard(
        InvoiceNumberGuard.key(credit_note.vendor_id, credit_note.number_key),
        invoice_id=credit_note.id,
    )
    try:
        with dynamo.write_transaction() as transaction:
            transaction.save(credit_note, condition=Invoice.id.does_not_exist())
            transaction.save(guard, condition=InvoiceNumberGuard.id.does_not_exist())
            if po is not None:
                purchasing_services.purchase_order_invoice_added(
                    transaction=transaction, po_id=po.id
                )
            if credited is not None:
                _credit_add(transaction, credited, credit_note.total_amount)
            audit_entry_add(transaction, entry)
            search_index_change(transaction, after=credit_note)
            origin_writes(transaction, credit_note, origin)
    except StaleRecord:
        _explain_refusal(credit_note, po, credited)
        raise


def _explain_refusal(credit_note: Invoice, po, credited) -> None:
    """Say which condition refused the entry: the number, the credit, the PO."""
    try:
        guard = InvoiceNumberGuard.get(
            InvoiceNumberGuard.key(credit_note.vendor_id, credit_note.number_key),
            consistent_read=True,
        )
    except InvoiceNumberGuard.DoesNotExist:
        pass
    else:
        existing = invoice_get(invoice_id=guard.invoice_id)
        kind = "credit note" if existing and existing.is_credit_note else "invoice"
        shown = existing.invoice_number if existing else credit_note.invoice_number
        raise Duplicate(
            f"Credit note {credit_note.invoice_number} of {credit_note.vendor_name}: "
            f"the number is already entered as {kind} {shown}; a vendor's invoices "
            "and credit notes share one numbering, in any spelling.",
            {"existing_invoice_id": guard.invoice_id},
        )
    if credited is not None:
        current = invoice_get(invoice_id=credited.id)
        refusal = creditable_refusal(current) if current else "It was deleted."
        if refusal:
            raise InvalidTransition(refusal)
        _check_within_credited(current, credit_note.total_amount)
    if po is not None:
        current = purchase_order_get(po_id=po.id)
        if current is None or current.status == POStatus.CANCELLED:
            raise InvalidTransition(
                f"{po.po_number} was deleted or cancelled meanwhile; the credit note "
                "was not entered."
            )


# --- Reconciliation's inputs and effects ------------------------------------------


def credit_match_inputs(credit_note: Invoice, po) -> tuple:
    """The plain data `credit_matching.reconcile_credit` takes, from the records."""
    credit = _credit_data(credit_note)
    po_data = invoiced = credited = None
    if po is not None:
        po_data = _po_data(po)
        invoiced = credit_matching.PurchaseOrderInvoiced(
            net_total=po.invoiced_total or ZERO,
            quantities={
                line.line_number: line.invoiced_quantity or ZERO for line in po.items
            },
        )
    if credit_note.credited_invoice_id:
        invoice = invoice_get(invoice_id=credit_note.credited_invoice_id)
        if invoice is not None:
            others = credited_total(invoice_id=invoice.id) - credit_note.total_amount
            credited = credit_matching.CreditedInvoiceData(
                number=invoice.invoice_number,
                vendor_id=invoice.vendor_id,
                currency=invoice.currency,
                total_amount=invoice.total_amount,
                credited_before=max(others, ZERO),
            )
    return credit, po_data, invoiced, credited


def _credit_data(credit_note: Invoice) -> credit_matching.CreditNoteData:
    return credit_matching.CreditNoteData(
        vendor_id=credit_note.vendor_id,
        currency=credit_note.currency,
        lines=tuple(
            credit_matching.CreditLineData(
                line.quantity, line.unit_price, line.po_line_number
            )
            for line in credit_note.items
        ),
        total_amount=credit_note.total_amount,
        tax_lines=document_tax_lines(credit_note),
        tax_amount=credit_note.tax_amount,
    )


def _po_data(po) -> matching.PurchaseOrderData:
    return matching.PurchaseOrderData(
        status=po.status,
        vendor_id=po.vendor_id,
        currency=po.currency,
        total_amount=po.total_amount,
        three_way=po.match_type == "3-way",
        lines=tuple(
            matching.POLineData(
                line.line_number, line.quantity, line.unit_price, line.received_quantity
            )
            for line in po.items
        ),
    )


def credit_note_effect(
    *, credit_note: Invoice, po, tolerances: matching.Tolerances
) -> credit_matching.CreditEffect:
    """What matching `credit_note` takes off its PO's invoiced figures."""
    return credit_matching.credit_effect(
        _credit_data(credit_note), _po_data(po), tolerances
    )


def credit_note_void_add(*, transaction, credit_note: Invoice, po, user) -> None:
    """
    Add what voiding `credit_note` undoes to `transaction`: its credit on the
    invoice it credits, and, once matched, its effect on the PO (put back).
    """
    if credit_note.credited_invoice_id:
        transaction.update(
            InvoiceCreditedTotal(
                InvoiceCreditedTotal.key(credit_note.credited_invoice_id)
            ),
            actions=[
                InvoiceCreditedTotal.credited_total.add(-credit_note.total_amount)
            ],
        )
    effect = credit_note.credit_effect
    if credit_note.status == InvoiceStatus.MATCHED and effect and po is not None:
        effect = credit_matching.CreditEffect.from_dict(effect)
        purchasing_services.purchase_order_invoiced_add(
            transaction=transaction,
            po=po,
            quantities=effect.quantities,
            net_total=effect.net_total,
            user=user,
            action=AuditAction.VOID,
            invoice_number=credit_note.invoice_number,
        )


def credited_invoice_void_check(*, transaction, invoice: Invoice) -> None:
    """
    Refuse voiding an invoice that credit notes (not void) credit; add the
    condition that keeps it so to `transaction`.
    """
    credited = credited_total(invoice_id=invoice.id)
    if credited:
        raise InvalidTransition(
            f"Invoice {invoice.invoice_number} is credited by credit notes "
            f"({Money(credited, invoice.currency)}); void them first."
        )
    transaction.condition_check(
        InvoiceCreditedTotal,
        InvoiceCreditedTotal.key(invoice.id),
        condition=InvoiceCreditedTotal.credited_total.does_not_exist()
        | (InvoiceCreditedTotal.credited_total == ZERO),
    )
