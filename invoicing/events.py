"""
The audit events of an invoice, one keyword-only builder each (saleor's
style): each names its action and shapes its `details`, so a service only
says what happened.
"""

from typing import Any

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry
from invoicing import matching

# The user the batch job records as.
JOB_USER = "reconciliation_job"


def invoice_label(invoice) -> str:
    """How the trail names an invoice: its number and its vendor."""
    return f"{invoice.invoice_number} · {invoice.vendor_name}"


def _invoice_event(
    *, invoice, action: AuditAction, user, details: dict[str, Any]
) -> AuditEntry:
    return audit_entry(
        entity_type="invoice",
        entity_id=invoice.id,
        action=action,
        user=user,
        details=details,
        label=invoice_label(invoice),
        number=invoice.invoice_number,
    )


def _moved(before: str, after: str) -> dict[str, dict[str, str]]:
    return {"before": {"status": str(before)}, "after": {"status": str(after)}}


def invoice_created_event(
    *, invoice, user, snapshot: dict[str, Any], source: dict[str, Any] | None = None
) -> AuditEntry:
    """
    An invoice was entered; `source` is where it came from when not typed
    in (an e-invoice: its file's SHA-256, syntax, specification, warnings).
    """
    details: dict[str, Any] = {"after": snapshot}
    if source:
        details["source"] = source
    return _invoice_event(
        invoice=invoice, action=AuditAction.CREATE, user=user, details=details
    )


def credit_note_created_event(
    *, credit_note, user, snapshot: dict[str, Any], source: dict[str, Any] | None = None
) -> AuditEntry:
    """A credit note was entered (invoicing.credit_notes); `snapshot` is what it says."""
    details: dict[str, Any] = {"after": snapshot}
    if source:
        details["source"] = source
    return _invoice_event(
        invoice=credit_note, action=AuditAction.CREATE, user=user, details=details
    )


def invoice_corrected_event(*, invoice, user, changes: dict[str, dict]) -> AuditEntry:
    """`invoice` as corrected; `changes` its fields before and after."""
    return _invoice_event(
        invoice=invoice, action=AuditAction.UPDATE, user=user, details=changes
    )


def invoice_reconciled_event(
    *,
    invoice,
    user,
    report: matching.MatchReport,
    status: str,
    batch: bool = False,
) -> AuditEntry:
    """An outcome of reconciliation, by a person or (`batch`) by the job."""
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.BATCH_RECONCILE if batch else AuditAction.RECONCILE,
        user=user,
        details={
            "outcome": report.outcome.value,
            "findings": [matching.finding_label(f) for f in report.findings],
            **_moved(invoice.status, status),
        },
    )


def invoice_reconcile_error_event(*, invoice, error: str) -> AuditEntry:
    """The job could not reconcile the invoice."""
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.RECONCILE_ERROR,
        user=JOB_USER,
        details={"error": error},
    )


def invoice_voided_event(*, invoice, user, reason: str) -> AuditEntry:
    """The invoice was voided; a hold on it ends with it, and the entry says so."""
    details = {"reason": reason, **_moved(invoice.status, "void")}
    if invoice.held:
        details["hold_ended"] = invoice_hold_of(invoice)
    return _invoice_event(
        invoice=invoice, action=AuditAction.VOID, user=user, details=details
    )


def invoice_held_event(
    *, invoice, user, reason: str, until: str | None, replaced: dict | None
) -> AuditEntry:
    """The invoice was put on hold; `replaced` is the lapsed hold it replaces."""
    details = {"reason": reason, "until": until}
    if replaced:
        details["replaced"] = replaced
    return _invoice_event(
        invoice=invoice, action=AuditAction.HOLD, user=user, details=details
    )


def invoice_hold_of(invoice) -> dict:
    """The invoice's hold as an entry records what it ends or replaces."""
    return {
        "reason": invoice.hold_reason,
        "until": invoice.hold_until,
        "held_by": invoice.held_by,
    }


def invoice_released_event(*, invoice, user) -> AuditEntry:
    """The invoice's hold was released."""
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.RELEASE,
        user=user,
        details=invoice_hold_of(invoice),
    )


def invoice_approved_event(
    *, invoice, user, approvals: int, required: int, limit, value, status: str
) -> AuditEntry:
    """
    An invoice without PO (as read) got its `approvals`-th approval of
    `required`, leaving it `status`; `value` (a Conversion) is what the
    approver's `limit` was compared with.
    """
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.APPROVE,
        user=user,
        details={
            "approval": f"{approvals} of {required}",
            "limit_used": limit,
            **value.as_details(),
            **_moved(invoice.status, status),
        },
    )


def invoice_rejected_event(*, invoice, user, reason: str) -> AuditEntry:
    """An approver rejected an invoice without PO, with `reason`."""
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.REJECT,
        user=user,
        details={"reason": reason, **_moved(invoice.status, "rejected")},
    )


def invoice_raised_event(*, invoice, snapshot: dict[str, Any], template) -> AuditEntry:
    """The recurring-invoice job raised `invoice` from `template`."""
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.CREATE,
        user=RECURRING_JOB_USER,
        details={
            "after": snapshot,
            "recurring_template": template.id,
            "template_maintained_by": template.updated_by,
        },
    )


# The user the recurring-invoice job records as.
RECURRING_JOB_USER = "recurring_invoices"


def recurring_label(template) -> str:
    return f"Recurring · {template.vendor_name}"


def _recurring_event(*, template, action: AuditAction, user, details) -> AuditEntry:
    return audit_entry(
        entity_type="recurring_invoice",
        entity_id=template.id,
        action=action,
        user=user,
        details=details,
        label=recurring_label(template),
    )


def recurring_created_event(*, template, user, snapshot: dict) -> AuditEntry:
    return _recurring_event(
        template=template, action=AuditAction.CREATE, user=user,
        details={"after": snapshot},
    )  # fmt: skip


def recurring_updated_event(*, template, user, changes: dict) -> AuditEntry:
    """`changes`: the fields before and after (a deactivation: `active`)."""
    return _recurring_event(
        template=template, action=AuditAction.UPDATE, user=user, details=changes
    )


def recurring_raised_event(
    *, template, month: str, invoice, next_date: str | None
) -> AuditEntry:
    """The job raised the template's invoice of `month` ("2026-02")."""
    return _recurring_event(
        template=template,
        action=AuditAction.UPDATE,
        user=RECURRING_JOB_USER,
        details={
            "raised": {"month": month, "invoice": invoice.invoice_number},
            "before": {"next_date": template.next_date},
            "after": {"next_date": next_date},
        },
    )


# What a payment run does to an invoice, and the audit action that records it.
PAYMENT_MOVES = {
    ("matched", "scheduled"): AuditAction.SCHEDULE,
    ("scheduled", "paid"): AuditAction.PAY,
    ("scheduled", "matched"): AuditAction.UNSCHEDULE,
    ("approved", "scheduled"): AuditAction.SCHEDULE,
    ("scheduled", "approved"): AuditAction.UNSCHEDULE,
}


def invoice_payment_moved_event(
    *, invoice, target: str, run_id: str, run_number: str, user, hold_ended=False
) -> AuditEntry:
    """
    A payment run scheduled, paid or released (unscheduled) the invoice;
    `hold_ended`: scheduling it also cleared a hold whose last day had passed,
    which the entry says (the trail then shows when and why the hold ended).
    """
    details = {
        "payment_run": run_number,
        "payment_run_id": run_id,
        **_moved(invoice.status, target),
    }
    if hold_ended:
        details["hold_lapsed"] = invoice_hold_of(invoice)
    return _invoice_event(
        invoice=invoice,
        action=PAYMENT_MOVES[(str(invoice.status), str(target))],
        user=user,
        details=details,
    )


def reconciliation_job_completed_event(
    *, run_id: str, stats: dict[str, Any]
) -> AuditEntry:
    """One run of the batch job finished; `stats` are its counts."""
    return audit_entry(
        entity_type="reconciliation_job",
        entity_id=run_id,
        action=AuditAction.JOB_COMPLETE,
        user=JOB_USER,
        details=stats,
    )


def recurring_history_fields() -> dict:
    """How a recurring invoice's audit details read: the invoice's labels, and its schedule's."""
    from audit import registry
    from audit.registry import Shape

    invoice = invoice_history_fields()
    return {
        **{
            name: invoice[name]
            for name in ("vendor_id", "currency", "items", "net_total", "tax_amount")
        },
        "total_amount": Shape("Total", registry.MONEY),
        "day_of_month": Shape("Day of the month"),
        "start_date": Shape("First invoice from", registry.DATE),
        "end_date": Shape("Last invoice by", registry.DATE),
        "next_date": Shape("Next invoice on", registry.DATE),
        "active": Shape("Active", registry.YES_NO),
        "raised": Shape(
            "Raised", parts={"month": Shape("month"), "invoice": Shape("invoice")}
        ),
    }


def invoice_history_fields() -> dict:
    """How the invoice's audit details read: the invoice form's labels, formatted."""
    from audit import registry
    from audit.registry import Shape
    from core.forms import PricedLineForm
    from invoicing.forms import InvoiceForm

    labels = {n: str(f.label) for n, f in InvoiceForm.base_fields.items()}
    line = {n: str(f.label) for n, f in PricedLineForm.base_fields.items()}
    return {
        "document_type": Shape("Document type", registry.STATUS),
        "credited_invoice_number": Shape("Credits invoice"),
        "invoice_number": Shape(labels["invoice_number"]),
        "po_number": Shape("PO number"),
        "vendor_id": Shape("Vendor", registry.REFERENCE, "vendor"),
        "currency": Shape("Currency"),
        "invoice_date": Shape(labels["invoice_date"], registry.DATE),
        "due_date": Shape("Due date", registry.DATE),
        "items": Shape(
            "Lines",
            registry.LINES,
            parts={
                "line_number": Shape("Line"),
                "po_line_number": Shape("PO line"),
                "description": Shape(line["description"]),
                "quantity": Shape(line["quantity"], registry.QUANTITY),
                "unit_price": Shape(line["unit_price"], registry.MONEY),
                "total_amount": Shape("Amount", registry.MONEY),
            },
        ),
        "net_total": Shape("Net total", registry.MONEY),
        "tax_amount": Shape(labels["tax_amount"], registry.MONEY),
        "total_amount": Shape(labels["total_amount"], registry.MONEY),
        "status": Shape("Status", registry.STATUS),
        "outcome": Shape("Outcome", registry.STATUS),
        "findings": Shape("Findings", registry.LIST),
        "error": Shape("Error"),
        "reason": Shape("Reason"),
        "payment_run": Shape("Payment run"),
        "hold_ended": Shape(
            "Hold ended with it",
            parts={
                "reason": Shape("reason"),
                "until": Shape("until", registry.DATE),
                "held_by": Shape("held by"),
            },
        ),
        "hold_lapsed": Shape(
            "Hold ended (its last day had passed)",
            parts={
                "reason": Shape("reason"),
                "until": Shape("until", registry.DATE),
                "held_by": Shape("held by"),
            },
        ),
        "payment_run_id": Shape("Payment run id", registry.HIDDEN),
        # A credit note netted in a confirmed run (issue 15).
        "applied": Shape("Netted in the run", registry.MONEY),
        "credit_open_amount": Shape("Credit still open", registry.MONEY),
        # An invoice without PO's approval (invoicing.without_po), as a PO's.
        "approval": Shape("Approval", registry.BY_USER),
        "base_amount": Shape(
            "Value compared with the limit", registry.MONEY, currency="base_currency"
        ),
        "limit_used": Shape("Approval limit", registry.MONEY, currency="base_currency"),
        "exchange_rate": Shape("Exchange rate", registry.QUANTITY),
        "rate_valid_from": Shape("Rate valid from", registry.DATE),
        "base_currency": Shape("Base currency", registry.HIDDEN),
        "recurring_template": Shape("Recurring invoice", registry.HIDDEN),
        "template_maintained_by": Shape("Template amounts set by"),
        # Variances (invoicing.variances); the limit and the worth compared
        # with it read as an approval's, above.
        "note": Shape("Note"),
        "sent_to": Shape("Sent to"),
        "replaced": Shape(
            "Sent before",
            parts={
                "sent_by": Shape("by"),
                "sent_to": Shape("to"),
                "note": Shape("note"),
            },
        ),
        "accepted_codes": Shape("Findings accepted", registry.LIST),
        "accepted_amount": Shape("Amount accepted", registry.MONEY),
        "sent_by": Shape("Sent to approval by"),
        "attachment_name": Shape("Vendor's document"),
        "attachment_key": Shape("Document storage key", registry.HIDDEN),
    }


def credit_note_applied_event(
    *, credit, target: str, amount, remaining, run_id: str, run_number: str, user
) -> AuditEntry:
    """A confirmed payment run netted `amount` of the credit note; `remaining` stays open."""
    return _invoice_event(
        invoice=credit,
        action=AuditAction.APPLY_CREDIT,
        user=user,
        details={
            "payment_run": run_number,
            "payment_run_id": run_id,
            "applied": str(amount),
            "before": {
                "status": str(credit.status),
                "credit_open_amount": str(credit.credit_open),
            },
            "after": {"status": str(target), "credit_open_amount": str(remaining)},
        },
    )


# --- Variances (invoicing.variances) -----------------------------------------------


def invoice_variance_sent_of(invoice) -> dict:
    """The invoice's request for acceptance, as an entry records what it replaces."""
    return {
        "sent_by": invoice.variance_sent_by,
        "sent_to": invoice.variance_sent_to or "any approver",
        "note": invoice.variance_note,
    }


def invoice_sent_to_approval_event(
    *, invoice, user, sent_to: str | None, note: str
) -> AuditEntry:
    """A clerk asked an approver (`sent_to`; None: any) to accept the variance."""
    details = {"sent_to": sent_to or "any approver", "note": note}
    if invoice.variance_queue:
        details["replaced"] = invoice_variance_sent_of(invoice)
    return _invoice_event(
        invoice=invoice, action=AuditAction.SEND_TO_APPROVAL, user=user,
        details=details,
    )  # fmt: skip


def invoice_variance_accepted_event(
    *, invoice, user, reason: str, findings: list, limit, value
) -> AuditEntry:
    """
    An approver accepted the rejected invoice's `findings` (MatchFinding)
    with `reason`; `value` (a Conversion) is what their `limit` was compared with.
    """
    details = {
        "reason": reason,
        "accepted_codes": sorted({str(f.code) for f in findings}),
        "findings": [matching.finding_label(f) for f in findings],
        "accepted_amount": invoice.net_total,
        "limit_used": limit,
        **value.as_details(),
        **_moved(invoice.status, "matched"),
    }  # fmt: skip
    if invoice.variance_queue:
        details |= {"sent_by": invoice.variance_sent_by, "note": invoice.variance_note}
    return _invoice_event(
        invoice=invoice, action=AuditAction.ACCEPT_VARIANCE, user=user, details=details
    )


def invoice_recoded_event(*, invoice, user, lines, tax=None) -> AuditEntry:
    """
    A clerk recoded lines (invoicing.coding); `lines` holds each changed
    line's number and its coding before and after, `tax` the tax and gross
    recomputed when a tax code changed.
    """
    before = {f"line {n}": old for n, old, _ in lines}
    after = {f"line {n}": new for n, _, new in lines}
    if tax:
        before.update(tax_amount=invoice.tax_amount, total_amount=invoice.total_amount)
        after.update(tax_amount=tax["tax_amount"], total_amount=tax["total_amount"])
    return _invoice_event(
        invoice=invoice,
        action=AuditAction.UPDATE,
        user=user,
        details={
            "before": before,
            "after": after,
            "recoded_lines": [n for n, _, _ in lines],
        },
    )
