"""
Every write to an invoice. Each is one conditional TransactWrite holding the
change and its INVOICE_ACTION audit entry: both are written or neither.
"""

import dataclasses
import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from accounts.roles import Role, require_role
from audit.entries import (
    actor_id,
    audit_entry_add,
    audit_heads_prefetch,
    changed_fields,
    entity_key,
    invoice_entry,
    invoice_label,
)
from audit.models import AuditAction
from core import dynamo
from core.errors import (
    Duplicate,
    InvalidTransition,
    NotFound,
    StaleRecord,
    ValidationFailed,
)
from core.lines import clean_lines, lines_total
from core.money import (
    Money,
    MoneyError,
    check_precision,
    parse_decimal,
    round_money,
)
from core.text import TextError, clean_text
from core.versions import check_version
from invoicing import matching
from invoicing.attachments import attachment_discard, attachment_store
from invoicing.models import (
    AWAITING,
    INVOICE_TRANSITIONS,
    Invoice,
    InvoiceLine,
    InvoiceNumberGuard,
    InvoiceStatus,
    similarity_key,
)
from invoicing.numbers import normalise_invoice_number
from invoicing.selectors import invoice_get, invoice_get_or_404
from purchasing import services as purchasing_services
from purchasing.models import POStatus
from purchasing.selectors import purchase_order_get
from vendors.payment_terms import PaymentTermsError, parse_payment_terms
from vendors.selectors import vendor_get

JOB_USER = "reconciliation_job"
MAX_ATTEMPTS = 8
MAX_NUMBER_LENGTH = 50


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
        "items": [
            {
                "line_number": line.line_number,
                "po_line_number": line.po_line_number,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "total_amount": line.total_amount,
            }
            for line in invoice.items
        ],
    }


def _money_field(value: Any, currency: str, field: str, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = parse_decimal(value, field=field)
        if amount < 0:
            raise MoneyError(f"{field} cannot be negative.")
        return check_precision(amount, currency, field=field)
    except MoneyError as exc:
        errors[field] = str(exc)
        return None


def _clean_date(
    value: Any, field: str, errors: dict, *, today: dt.date
) -> dt.date | None:
    if isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors[field] = "Use a date like 2026-12-31."
            return None
    if date > today:
        errors[field] = "The invoice date cannot be in the future."
    return date


def invoice_create(
    *,
    user,
    po_id: str,
    invoice_number: str,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any = "0",
    total_amount: Any = None,
    attachment=None,
) -> Invoice:
    """
    Enter a vendor's invoice against a PO (AP Clerk), with the vendor's
    document (PDF or image) when given.

    Its number must be new for the vendor in any spelling; the check is a
    guard item in the same transaction, so it holds when two clerks submit
    the same number at the same moment.
    """
    require_role(user, Role.AP_CLERK, action="enter invoices")
    po = purchase_order_get(po_id=po_id)
    if po is None:
        raise NotFound(f"There is no purchase order with id '{po_id}'.")
    if po.status == POStatus.CANCELLED:
        message = f"{po.po_number} is cancelled; invoices cannot be entered against it."
        raise ValidationFailed(message, {"po_id": message})
    fields = _clean_invoice_fields(
        po=po,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
    )
    number, number_key, date = fields["number"], fields["number_key"], fields["date"]
    cleaned, net, tax, total = (
        fields["lines"],
        fields["net"],
        fields["tax"],
        fields["total"],
    )
    due, discount_date, discount_percent = _due_dates(po.vendor_id, date)
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
        total_amount=total,
        status=InvoiceStatus.RECEIVED.value,
        queue=AWAITING,
        similarity_key=similarity_key(po.vendor_id, date.isoformat(), total),
        invoice_date=date.isoformat(),
        due_date=due.isoformat(),
        discount_date=discount_date.isoformat() if discount_date else None,
        discount_percent=discount_percent,
        submitted_by=actor_id(user),
        submitted_at=now,
        updated_at=now,
    )
    stored = None
    if attachment is not None:
        stored = attachment_store(invoice_id=invoice.id, upload=attachment)
        invoice.attachment_key = stored.key
        invoice.attachment_name = stored.name
        invoice.attachment_type = stored.content_type
    guard = InvoiceNumberGuard(
        InvoiceNumberGuard.key(po.vendor_id, number_key), invoice_id=invoice.id
    )
    entry = invoice_entry(
        action=AuditAction.CREATE,
        invoice_id=invoice.id,
        label=invoice_label(invoice),
        user=user,
        details={"after": _invoice_snapshot(invoice)},
    )
    try:
        _write_new_invoice(invoice, guard, entry, po)
    except Exception:
        if stored is not None:
            attachment_discard(key=stored.key)  # the invoice was not written
        raise
    return invoice


def _write_new_invoice(invoice, guard, entry, po) -> None:
    try:
        with dynamo.write_transaction() as transaction:
            transaction.save(invoice, condition=Invoice.id.does_not_exist())
            transaction.save(guard, condition=InvoiceNumberGuard.id.does_not_exist())
            purchasing_services.purchase_order_invoice_added(
                transaction=transaction, po_id=po.id
            )
            audit_entry_add(transaction, entry)
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


def _clean_invoice_fields(
    *, po, invoice_number, invoice_date, lines, tax_amount, total_amount
) -> dict[str, Any]:
    """Validate an invoice as entered; the total must be its lines plus tax."""
    errors: dict[str, str] = {}
    try:
        number = clean_text(invoice_number, max_length=MAX_NUMBER_LENGTH)
    except TextError as exc:
        errors["invoice_number"], number = str(exc), None
    number_key = normalise_invoice_number(number) if number else ""
    if number is not None and not number_key:
        errors["invoice_number"] = "Enter the invoice number printed on the invoice."
    elif number is None and "invoice_number" not in errors:
        errors["invoice_number"] = "Enter the invoice number printed on the invoice."
    today = dt.date.today()
    date = _clean_date(invoice_date, "invoice_date", errors, today=today)
    tax = _money_field(tax_amount, po.currency, "tax_amount", errors)
    try:
        cleaned = clean_lines(lines, po.currency, what="An invoice")
    except ValidationFailed as exc:
        errors.update(exc.field_errors)
        cleaned = []
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    tax = round_money(tax or Decimal("0"), po.currency)
    net = lines_total(cleaned, po.currency)
    total = net + tax
    claimed = _money_field(total_amount, po.currency, "total_amount", errors)
    if claimed is not None and claimed != total:
        message = (
            f"The total {Money(claimed, po.currency)} is not the lines "
            f"({Money(net, po.currency)}) plus tax ({Money(tax, po.currency)}) = "
            f"{Money(total, po.currency)}."
        )
        raise ValidationFailed(message, {"total_amount": message})
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return {
        "number": number,
        "number_key": number_key,
        "date": date,
        "lines": cleaned,
        "net": net,
        "tax": tax,
        "total": total,
    }


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


def _due_dates(vendor_id: str, invoice_date: dt.date):
    vendor = vendor_get(vendor_id=vendor_id)
    text = vendor.payment_terms if vendor else settings.DEFAULT_PAYMENT_TERMS
    try:
        terms = parse_payment_terms(text)
    except PaymentTermsError:
        terms = parse_payment_terms(settings.DEFAULT_PAYMENT_TERMS)
    return (
        terms.due_date(invoice_date),
        terms.discount_date(invoice_date),
        terms.discount_percent,
    )


# --- Reconciliation -----------------------------------------------------------


def tolerances() -> matching.Tolerances:
    return matching.Tolerances(
        price_percent=settings.MATCH_PRICE_TOLERANCE_PERCENT,
        total_percent=settings.MATCH_TOTAL_TOLERANCE_PERCENT,
        over_billing_percent=settings.MATCH_OVER_BILLING_PERCENT,
    )


def match_inputs(invoice: Invoice, po) -> tuple:
    """The plain data the matching rules take, from the stored records."""
    po_data = matching.PurchaseOrderData(
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
    invoice_data = matching.InvoiceData(
        vendor_id=invoice.vendor_id,
        currency=invoice.currency,
        lines=tuple(
            matching.InvoiceLineData(
                line.quantity, line.unit_price, line.po_line_number
            )
            for line in invoice.items
        ),
    )
    earlier = []
    # Quantities count even when the amounts are zero (a line priced 0.00).
    if po.invoiced_total or any(line.invoiced_quantity for line in po.items):
        earlier.append(
            matching.EarlierInvoiceData(
                net_total=po.invoiced_total,
                quantities={
                    line.line_number: line.invoiced_quantity
                    for line in po.items
                    if line.invoiced_quantity
                },
            )
        )
    return invoice_data, po_data, earlier


def report_as_dict(report: matching.MatchReport) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data["outcome"] = report.outcome.value
    for finding in data["findings"]:
        finding["code"] = str(finding["code"])
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def invoice_reconcile(
    *,
    invoice_id: str,
    user,
    action: AuditAction = AuditAction.RECONCILE,
    invoice: Invoice | None = None,
    po=None,
) -> tuple[Invoice, matching.MatchReport]:
    """
    Match a `received` invoice against its PO and record the outcome.

    The status change, the quantities added to the PO and the audit entry are
    one transaction, conditioned on the invoice still being `received` and
    the PO unchanged since read; a conflict re-reads and matches again.
    `invoice` and `po`, when given (the batch job reads them in bulk), are
    used for the first attempt instead of reading them again.
    """
    if user != JOB_USER or action != AuditAction.BATCH_RECONCILE:
        require_role(user, Role.AP_CLERK, action="reconcile invoices")
    for attempt in range(MAX_ATTEMPTS):
        if invoice is None or attempt:
            invoice = invoice_get_or_404(invoice_id=invoice_id)
        if invoice.status != InvoiceStatus.RECEIVED:
            raise InvalidTransition(
                f"Invoice {invoice.invoice_number} is {invoice.status}; only received "
                "invoices are reconciled."
            )
        if po is None or attempt:
            po = purchase_order_get(po_id=invoice.po_id)
        if po is None:
            raise NotFound(
                f"The PO of invoice {invoice.invoice_number} no longer exists."
            )
        report = matching.reconcile(*match_inputs(invoice, po), tolerances())
        report_dict = report_as_dict(report)
        if (
            report.outcome == matching.Outcome.AWAITING_RECEIPT
            and invoice.report == report_dict
        ):
            return invoice, report  # nothing new: no write, no audit entry
        try:
            _record(invoice, po, report, report_dict, user, action)
        except StaleRecord:
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
            continue
        return invoice, report
    raise StaleRecord("The invoice or its PO kept changing; try reconciling again.")


def invoice_reconcile_error_record(*, invoice_id: str, label: str, error: str) -> None:
    """Record on the audit trail that the job could not reconcile an invoice."""
    entry = invoice_entry(
        action=AuditAction.RECONCILE_ERROR,
        invoice_id=invoice_id,
        label=label,
        user=JOB_USER,
        details={"error": error},
    )
    with dynamo.write_transaction() as transaction:
        audit_entry_add(transaction, entry)


def _record(invoice, po, report, report_dict, user, action) -> None:
    with dynamo.write_transaction() as transaction:
        committed = _record_add(
            transaction, invoice, po, report, report_dict, user, action
        )
    committed()


def _record_add(
    transaction, invoice, po, report, report_dict, user, action
) -> Callable[[], None]:
    """
    Add one reconciliation outcome (invoice, PO, audit entry) to `transaction`;
    return what brings `invoice` and `po` up to date once it has committed.
    """
    now = dynamo.utcnow()
    status = {
        matching.Outcome.MATCHED: InvoiceStatus.MATCHED,
        matching.Outcome.REJECTED: InvoiceStatus.REJECTED,
        matching.Outcome.AWAITING_RECEIPT: InvoiceStatus.RECEIVED,
    }[report.outcome]
    report_json = json.dumps(report_dict, sort_keys=True)
    actions = [
        Invoice.status.set(status.value),
        Invoice.report_json.set(report_json),
        Invoice.reconciled_at.set(now),
        Invoice.updated_at.set(now),
    ]
    if status != InvoiceStatus.RECEIVED:
        actions.append(Invoice.queue.remove())
    entry = invoice_entry(
        action=action,
        invoice_id=invoice.id,
        label=invoice_label(invoice),
        user=user,
        details={
            "outcome": report.outcome.value,
            "findings": [
                f"{f.code} line {f.line}" if f.line else f.code.value
                for f in report.findings
            ],  # fmt: skip
            "before": {"status": invoice.status},
            "after": {"status": status.value},
        },
    )
    refresh_po = None
    transaction.update(
        invoice,
        actions=actions,
        condition=Invoice.status == InvoiceStatus.RECEIVED.value,
    )
    if report.outcome == matching.Outcome.MATCHED:
        refresh_po = purchasing_services.purchase_order_invoiced_add(
            transaction=transaction,
            po=po,
            quantities=_paired_quantities(invoice, po),
            net_total=invoice.net_total,
            user=user,
            action=action,
            invoice_number=invoice.invoice_number,
        )
    else:
        purchasing_services.purchase_order_unchanged_check(
            transaction=transaction, po=po
        )
    audit_entry_add(transaction, entry)

    def committed() -> None:
        if refresh_po is not None:
            refresh_po()
        invoice.status = status.value
        invoice.report_json = report_json
        invoice.reconciled_at = invoice.updated_at = now
        if status != InvoiceStatus.RECEIVED:
            invoice.queue = None

    return committed


def invoices_reconcile_batch(
    pairs: Sequence[tuple[Invoice, Any]],
    *,
    heads: dict | None = None,
) -> list[matching.MatchReport] | None:
    """
    Reconcile received invoices of *different* POs for the batch job, all in
    one transaction (fewer round trips than one each), each outcome with its
    BATCH_RECONCILE entry and conditioned exactly as `invoice_reconcile`.

    Returns the reports in order; None when a condition failed (an invoice
    reconciled meanwhile, a PO changed), in which case nothing was written
    and the caller reconciles these invoices one by one. `heads` are audit
    chain heads the caller read for many batches at once (`audit_heads_read`).
    """
    reports, writes = [], []
    for invoice, po in pairs:
        report = matching.reconcile(*match_inputs(invoice, po), tolerances())
        report_dict = report_as_dict(report)
        reports.append(report)
        if not (
            report.outcome == matching.Outcome.AWAITING_RECEIPT
            and invoice.report == report_dict
        ):
            writes.append((invoice, po, report, report_dict))
    if not writes:
        return reports
    try:
        with dynamo.write_transaction() as transaction:
            audit_heads_prefetch(
                transaction,
                [entity_key("invoice", w[0].id) for w in writes]
                + [entity_key("purchase_order", w[1].id) for w in writes],
                known=heads,
            )
            updates = [
                _record_add(transaction, *write, JOB_USER, AuditAction.BATCH_RECONCILE)
                for write in writes
            ]
    except (StaleRecord, ValidationFailed):
        return None
    for committed in updates:
        committed()
    return reports


def _paired_quantities(invoice: Invoice, po) -> dict[int, Decimal]:
    """Invoiced quantity per PO line, paired as the matching rules pair them."""
    numbers = matching.paired_po_line_numbers(
        [line.po_line_number for line in invoice.items],
        [line.line_number for line in po.items],
    )
    result: dict[int, Decimal] = {}
    for line, number in zip(invoice.items, numbers, strict=True):
        if number is not None:
            result[number] = result.get(number, Decimal("0")) + line.quantity
    return result


# --- Correction and void ----------------------------------------------------------


def invoice_resubmit(
    *,
    invoice_id: str,
    user,
    version: int,
    invoice_number: str,
    invoice_date: Any,
    lines: Sequence[Mapping[str, Any]],
    tax_amount: Any = "0",
    total_amount: Any = None,
) -> Invoice:
    """
    Correct a rejected (or not yet reconciled) invoice and put it back in the
    reconciliation queue (AP Clerk). A corrected number is checked for
    duplicates like a new one.
    """
    require_role(user, Role.AP_CLERK, action="correct invoices")
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    check_version(invoice, version)
    if InvoiceStatus.RECEIVED not in INVOICE_TRANSITIONS[
        InvoiceStatus(invoice.status)
    ] and (invoice.status != InvoiceStatus.RECEIVED):
        raise InvalidTransition(
            f"Invoice {invoice.invoice_number} is {invoice.status}; only received or "
            "rejected invoices can be corrected."
        )
    po = purchase_order_get(po_id=invoice.po_id)
    if po is None:
        raise NotFound(f"The PO of invoice {invoice.invoice_number} no longer exists.")
    fields = _clean_invoice_fields(
        po=po,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        lines=lines,
        tax_amount=tax_amount,
        total_amount=total_amount,
    )
    before = _invoice_snapshot(invoice)
    due, discount_date, discount_percent = _due_dates(po.vendor_id, fields["date"])
    updates = {
        "invoice_number": fields["number"],
        "number_key": fields["number_key"],
        "items": [InvoiceLine(**line) for line in fields["lines"]],
        "net_total": fields["net"],
        "tax_amount": fields["tax"],
        "total_amount": fields["total"],
        "invoice_date": fields["date"].isoformat(),
        "due_date": due.isoformat(),
        "discount_date": discount_date.isoformat() if discount_date else None,
        "discount_percent": discount_percent,
        "status": InvoiceStatus.RECEIVED.value,
        "queue": AWAITING,
        "similarity_key": similarity_key(
            invoice.vendor_id, fields["date"].isoformat(), fields["total"]
        ),
        "report_json": None,
        "updated_at": dynamo.utcnow(),
    }
    corrected = _with(invoice, updates)
    after = _invoice_snapshot(corrected)
    entry = invoice_entry(
        action=AuditAction.UPDATE,
        invoice_id=invoice.id,
        label=invoice_label(corrected),
        user=user,
        details=changed_fields(
            {**before, "status": invoice.status}, {**after, "status": "received"}
        ),
    )
    number_changed = fields["number_key"] != invoice.number_key
    try:
        with dynamo.write_transaction() as transaction:
            transaction.update(
                invoice,
                actions=[
                    getattr(Invoice, k).remove()
                    if v is None
                    else getattr(Invoice, k).set(v)
                    for k, v in updates.items()
                ],
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
            audit_entry_add(transaction, entry)
    except StaleRecord:
        if number_changed:
            _refuse_duplicate(
                invoice.vendor_id,
                invoice.vendor_name,
                fields["number"],
                fields["number_key"],
            )
        raise
    for key, value in updates.items():
        setattr(invoice, key, value)
    return invoice


def _with(invoice: Invoice, updates: Mapping[str, Any]) -> Invoice:
    copy = Invoice.from_raw_data(invoice.serialize())
    for key, value in updates.items():
        setattr(copy, key, value)
    return copy


def invoice_void(
    *, invoice_id: str, user, reason: str, version: int | None = None
) -> Invoice:
    """
    Void a received, rejected or matched invoice (AP Clerk). Its number is
    freed; a matched invoice's quantities come off its PO in the same
    transaction.
    """
    require_role(user, Role.AP_CLERK, action="void invoices")
    try:
        reason = clean_text(reason, max_length=1000)
    except TextError as exc:
        raise ValidationFailed(f"The reason: {exc}", {"reason": str(exc)}) from None
    if not reason:
        raise ValidationFailed("Say why the invoice is void.", {"reason": "Required."})
    for attempt in range(MAX_ATTEMPTS):
        invoice = invoice_get_or_404(invoice_id=invoice_id)
        if attempt == 0:
            check_version(invoice, version)
        if InvoiceStatus.VOID not in INVOICE_TRANSITIONS[InvoiceStatus(invoice.status)]:
            raise InvalidTransition(
                f"Invoice {invoice.invoice_number} is {invoice.status}; only received, "
                "rejected or matched invoices can be voided."
            )
        po = purchase_order_get(po_id=invoice.po_id)
        entry = invoice_entry(
            action=AuditAction.VOID,
            invoice_id=invoice.id,
            label=invoice_label(invoice),
            user=user,
            details={
                "reason": reason,
                "before": {"status": invoice.status},
                "after": {"status": InvoiceStatus.VOID.value},
            },
        )
        try:
            with dynamo.write_transaction() as transaction:
                transaction.update(
                    invoice,
                    actions=[
                        Invoice.status.set(InvoiceStatus.VOID.value),
                        Invoice.queue.remove(),
                        Invoice.similarity_key.remove(),
                        Invoice.updated_at.set(dynamo.utcnow()),
                    ],
                )
                transaction.delete(
                    InvoiceNumberGuard(
                        InvoiceNumberGuard.key(invoice.vendor_id, invoice.number_key)
                    )
                )
                if invoice.status == InvoiceStatus.MATCHED and po is not None:
                    purchasing_services.purchase_order_invoiced_remove(
                        transaction=transaction,
                        po=po,
                        quantities=_paired_quantities(invoice, po),
                        net_total=invoice.net_total,
                        user=user,
                        invoice_number=invoice.invoice_number,
                    )
                audit_entry_add(transaction, entry)
        except StaleRecord:
            if version is not None:
                raise
            time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))
            continue
        invoice.status = InvoiceStatus.VOID.value
        return invoice
    raise StaleRecord("The invoice or its PO kept changing; try again.")


# What a payment run does to an invoice, and the audit action that records it.
_PAYMENT_MOVES = {
    (InvoiceStatus.MATCHED, InvoiceStatus.SCHEDULED): AuditAction.SCHEDULE,
    (InvoiceStatus.SCHEDULED, InvoiceStatus.PAID): AuditAction.PAY,
    (InvoiceStatus.SCHEDULED, InvoiceStatus.MATCHED): AuditAction.UNSCHEDULE,
}


def invoice_payment_move_add(
    *,
    transaction,
    invoice: Invoice,
    target: InvoiceStatus,
    run_id: str,
    run_number: str,
    user,
) -> None:
    """
    Add a payment run's move of the invoice (schedule, pay or release) and its
    audit entry to the run's transaction.

    Conditioned on the invoice's status and version as read, and, once
    scheduled, on belonging to this run: an invoice is never in two runs.
    """
    action = _PAYMENT_MOVES[(InvoiceStatus(invoice.status), target)]
    condition = Invoice.status == invoice.status
    if invoice.status == InvoiceStatus.SCHEDULED:
        condition &= Invoice.payment_run_id == run_id
    actions = [
        Invoice.status.set(target.value),
        Invoice.updated_at.set(dynamo.utcnow()),
    ]
    if target == InvoiceStatus.MATCHED:
        actions += [
            Invoice.payment_run_id.remove(),
            Invoice.payment_run_number.remove(),
        ]
    else:
        actions += [
            Invoice.payment_run_id.set(run_id),
            Invoice.payment_run_number.set(run_number),
        ]
    transaction.update(invoice, actions=actions, condition=condition)
    audit_entry_add(
        transaction,
        invoice_entry(
            action=action,
            invoice_id=invoice.id,
            label=invoice_label(invoice),
            user=user,
            details={
                "payment_run": run_number,
                "payment_run_id": run_id,
                "before": {"status": invoice.status},
                "after": {"status": target.value},
            },
        ),
    )
