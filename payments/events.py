"""
The audit events of a payment run, one keyword-only builder each (saleor's
style): each shapes its entry's `details` and builds, without saving, the
entry its service writes in the same transaction as the change.

A move's builder is called with the run as read, before the move, so its
`before` is the status the write is conditioned on.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry
from payments.models import PaymentRunStatus


def _entry(run, *, action: AuditAction, user, details: dict[str, Any]) -> AuditEntry:
    return audit_entry(
        entity_type="payment_run",
        entity_id=run.id,
        action=action,
        user=user,
        details=details,
        label=run.number,
    )


def _totals(payments) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for payment in payments:
        totals[payment.currency] = totals.get(payment.currency, 0) + payment.amount
    return {currency: str(amount) for currency, amount in sorted(totals.items())}


def _scheduled(action: AuditAction, run, user, invoice_numbers, payments):
    details = {
        "number": run.number,
        "payment_date": run.payment_date,
        "currency": run.currency,
        "invoices": list(invoice_numbers),
        "invoice_count": sum(len(p.invoices) for p in payments),
        "totals": _totals(payments),
    }
    credits = [
        f"{c.credit_note_number} {p.currency} -{c.amount}"
        for p in payments
        for c in p.credits_applied
    ]
    if credits:  # issue 15: the credit notes the run nets so far
        details["credits_applied"] = credits
    return _entry(run, action=action, user=user, details=details)


def payment_run_created_event(
    *, run, user, invoice_numbers: Sequence[str], payments
) -> AuditEntry:
    """The run was built with its first chunk of invoices; `payments` pay them."""
    return _scheduled(AuditAction.CREATE, run, user, invoice_numbers, payments)


def payment_run_invoices_added_event(
    *, run, user, invoice_numbers: Sequence[str], payments
) -> AuditEntry:
    """A further chunk of invoices joined the run; `payments` pay all so far."""
    return _scheduled(AuditAction.ADD_INVOICES, run, user, invoice_numbers, payments)


def _moved(run, target: PaymentRunStatus, **details: Any) -> dict[str, Any]:
    return {
        "before": {"status": run.status},
        "after": {"status": target.value},
        **details,
    }


def payment_run_approved_event(*, run, user) -> AuditEntry:
    return _entry(
        run,
        action=AuditAction.APPROVE,
        user=user,
        details=_moved(run, PaymentRunStatus.APPROVED),
    )


def payment_run_exported_event(*, run, user, files) -> AuditEntry:
    """The run's `files` (RunFile) were stored and the run is exported."""
    return _entry(
        run,
        action=AuditAction.EXPORT,
        user=user,
        details=_moved(
            run,
            PaymentRunStatus.EXPORTED,
            files=[
                {"name": f.name, "key": f.key, "sha256": f.sha256, "size": f.size}
                for f in files
            ],
        ),
    )


def payment_run_confirmed_event(*, run, user) -> AuditEntry:
    return _entry(
        run,
        action=AuditAction.CONFIRM,
        user=user,
        details=_moved(run, PaymentRunStatus.CONFIRMED, invoices=run.invoice_count),
    )


def payment_run_cancelled_event(*, run, user, reason: str) -> AuditEntry:
    return _entry(
        run,
        action=AuditAction.CANCEL,
        user=user,
        details=_moved(
            run, PaymentRunStatus.CANCELLED, invoices=run.invoice_count, reason=reason
        ),
    )


def payment_run_returned_event(*, run, user, reason: str) -> AuditEntry:
    """An approver sent the draft back to its builder, saying why (issue 17)."""
    return _entry(
        run,
        action=AuditAction.REJECT,
        user=user,
        details=_moved(
            run, PaymentRunStatus.RETURNED, builder=run.created_by, reason=reason
        ),
    )


def payment_run_resubmitted_event(*, run, user) -> AuditEntry:
    """The builder sent the returned run for approval again."""
    return _entry(
        run,
        action=AuditAction.SEND_TO_APPROVAL,
        user=user,
        details=_moved(run, PaymentRunStatus.DRAFT),
    )


def payment_run_refused_event(
    *, run_id: str, label: str | None, user, attempted: AuditAction, reason: str
) -> AuditEntry:
    """
    Somebody tried `attempted` and was refused for `reason`; a refused build
    has no run, so its `run_id` is an id of its own and `label` None.
    """
    return audit_entry(
        entity_type="payment_run",
        entity_id=run_id,
        action=AuditAction.REFUSED,
        user=user,
        details={"attempted": str(attempted), "reason": reason},
        label=label,
    )


def payment_run_history_fields() -> dict:
    """How the run's audit details read."""
    from audit import registry
    from audit.registry import Shape

    return {
        "number": Shape("Run number"),
        "payment_date": Shape("Payment date", registry.DATE),
        "currency": Shape("Currency"),
        "invoices": Shape("Invoices", registry.LIST),
        "invoice_count": Shape("Invoices in the run"),
        "totals": Shape("Totals", registry.AMOUNTS),
        "credits_applied": Shape("Credit notes netted", registry.LIST),
        "status": Shape("Status", registry.STATUS),
        "files": Shape(
            "Files",
            registry.LIST,
            parts={
                "name": Shape("File"),
                "size": Shape("bytes"),
                "key": Shape("Stored as", registry.HIDDEN),
                "sha256": Shape("SHA-256", registry.HIDDEN),
            },
        ),
        "attempted": Shape("Attempted"),
        "reason": Shape("Reason"),
        "builder": Shape("Returned to"),
        **_bank_answer_fields(),
    }


# --- The bank's answer (issue 17, payments.bank_answers) -----------------------

# Who the trail names when a bank file is imported by the command (cron, an
# operator's shell): a job's fixed name, as the reconciliation job has.
BANK_STATEMENT_USER = "bank_statement"

_ANSWER_ACTIONS = {
    "accepted": AuditAction.UPDATE,
    "booked": AuditAction.PAY,
    "rejected": AuditAction.REJECT,
}


def _bank_file(statement) -> dict[str, str]:
    """The file an answer came from, as every entry it causes names it."""
    return {
        "statement_id": statement.id,
        "filename": statement.filename,
        "sha256": statement.sha256,
        "message_type": str(statement.message_type),
        "message_id": statement.message_id,
    }


def payment_bank_answered_event(
    *, run, payment, user, statement, status: str, booked_on: str | None,
    reason_code: str | None, reason: str | None,
) -> AuditEntry:  # fmt: skip
    """
    The bank's file `statement` said `status` of the run's `payment` (as
    read): accepted, booked on `booked_on`, or rejected for `reason`.
    """
    after = {"bank_status": status}
    if booked_on:
        after["booked_on"] = booked_on
    if reason_code or reason:
        after |= {"bank_reason_code": reason_code, "bank_reason": reason}
    return _entry(
        run,
        action=_ANSWER_ACTIONS[status],
        user=user,
        details={
            "payment": payment.id,
            "vendor": payment.vendor_name,
            "amount": f"{payment.currency} {payment.amount}",
            "invoices": [i.invoice_number for i in payment.invoices],
            "before": {"bank_status": payment.bank_status},
            "after": after,
            "bank_file": _bank_file(statement),
        },
    )


def payment_run_confirmed_by_bank_event(*, run, user, statement) -> AuditEntry:
    """The bank's file `statement` answered the run's last transfer: confirmed."""
    return _entry(
        run,
        action=AuditAction.CONFIRM,
        user=user,
        details=_moved(
            run,
            PaymentRunStatus.CONFIRMED,
            invoices=run.invoice_count,
            bank_file=_bank_file(statement),
        ),
    )


def bank_statement_imported_event(*, statement, user) -> AuditEntry:
    """A bank file was read and its answers applied (counts as recorded)."""
    return audit_entry(
        entity_type="bank_statement",
        entity_id=statement.id,
        action=AuditAction.CREATE,
        user=user,
        details={
            "bank_file": _bank_file(statement),
            "source": statement.source,
            "entries": statement.entries,
            "confirmed": statement.confirmed,
            "returned": statement.returned,
            "unmatched": statement.unmatched,
        },
        label=statement.filename,
    )


def _bank_answer_fields() -> dict:
    from audit import registry
    from audit.registry import Shape

    return {
        "payment": Shape("End-to-end id"),
        "vendor": Shape("Vendor"),
        "amount": Shape("Amount"),
        "bank_status": Shape("Bank status", registry.STATUS),
        "booked_on": Shape("Booked on", registry.DATE),
        "bank_reason_code": Shape("Bank reason code"),
        "bank_reason": Shape("Bank reason"),
        "bank_file": Shape(
            "Bank file",
            parts={
                "filename": Shape("File"),
                "message_type": Shape("Message"),
                "message_id": Shape("Message id"),
                "statement_id": Shape("Statement", registry.HIDDEN),
                "sha256": Shape("SHA-256", registry.HIDDEN),
            },
        ),
    }


def bank_statement_history_fields() -> dict:
    """How a bank statement's audit details read."""
    from audit.registry import Shape

    return {
        **_bank_answer_fields(),
        "source": Shape("Imported through"),
        "entries": Shape("Entries"),
        "confirmed": Shape("Payments booked"),
        "returned": Shape("Payments returned"),
        "unmatched": Shape("Entries unmatched"),
    }
