"""
Credit notes in payment runs (issue 15): reserved by a run, applied when it
is confirmed, released when it is cancelled.

The life cycle a run gives a credit note, chosen to mirror an invoice's so
the same race-safety holds:
- reserved: `matched` (or `approved`) -> `scheduled`, with the run's id, in
  the conditional transaction that schedules the invoices it nets (on its
  status and version as read). While `scheduled` it is in no other run and
  can be neither voided nor held, like a scheduled invoice.
- confirmed: the run applied `amount` of what it had open. Nothing left open
  -> `applied` (keeping the run's id); something left -> back to its payable
  status with `credit_open_amount` lowered, open for the next run.
- cancelled: back to its payable status whole; what it had open is untouched.

Each move is added to the run's own transaction with its audit entry.
"""

import datetime as dt
from decimal import Decimal

from core import dynamo
from core.writes import audited_update_add
from invoicing.events import credit_note_applied_event
from invoicing.models import Invoice, InvoiceStatus, payable_status
from invoicing.posting import posting_updates
from invoicing.services import invoice_payment_move_add


def credit_note_reserve_add(
    *, transaction, credit: Invoice, run_id: str, run_number: str, user,
    payment_date: dt.date,
) -> None:  # fmt: skip
    """Add the run's reservation of `credit` (and its audit entry) to `transaction`."""
    invoice_payment_move_add(
        transaction=transaction, invoice=credit, target=InvoiceStatus.SCHEDULED,
        run_id=run_id, run_number=run_number, user=user, payment_date=payment_date,
    )  # fmt: skip


def credit_note_release_add(
    *, transaction, credit: Invoice, run_id: str, run_number: str, user
) -> None:
    """Add the release of `credit` by its cancelled run to `transaction`: open again, whole."""
    invoice_payment_move_add(
        transaction=transaction, invoice=credit, target=payable_status(credit),
        run_id=run_id, run_number=run_number, user=user,
    )  # fmt: skip


def credit_note_apply_add(
    *, transaction, credit: Invoice, amount: Decimal, run_id: str, run_number: str,
    user,
) -> None:  # fmt: skip
    """
    Add to `transaction` what confirming the run does to `credit`: `amount`
    applied, `applied` when nothing is left open, else open again for the rest.

    Conditioned on the credit note being scheduled for this run, at its
    version as read: confirming twice never applies it twice.
    """
    remaining = max(credit.credit_open - amount, Decimal(0))
    target = InvoiceStatus.APPLIED if remaining == 0 else payable_status(credit)
    updates = {
        "status": target.value,
        "credit_open_amount": remaining,
        "updated_at": dynamo.utcnow(),
        # Applied whole: out of the open items; in part: open for the rest.
        **posting_updates(credit, target),
    }
    if target != InvoiceStatus.APPLIED:
        updates |= {"payment_run_id": None, "payment_run_number": None}
    entry = credit_note_applied_event(
        credit=credit, target=target, amount=amount, remaining=remaining,
        run_id=run_id, run_number=run_number, user=user,
    )  # fmt: skip
    condition = (Invoice.status == InvoiceStatus.SCHEDULED.value) & (
        Invoice.payment_run_id == run_id
    )
    audited_update_add(transaction, credit, updates, entry=entry, condition=condition)
