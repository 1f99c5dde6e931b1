"""
Posting documents into the AP sub-ledger (issue 16): the posting fields a
status change adds, and the ledger's own entries (a run's payment to a
vendor, a void's reversal).

The rules, one per move (`posting_updates`):
- becoming payable for the first time (an invoice matched or approved, a
  credit note matched): posted on its invoice date (`posting_date`), booked
  now (`posted_at`), into its vendor's ledger (`ledger_vendor`,
  `posting_key`), the posted index (`posted_listing`) and the open items
  (`open_listing`);
- scheduled, or back to payable (a run cancelled, a credit note netted in
  part): still open, nothing changes;
- paid: `paid_on` (the day the run was confirmed), `paid_amount` (what the
  run paid for it, after discount) and `discount_taken`; no longer open;
- applied (a credit note netted whole): no longer open;
- void of a posted document: `voided_on`; no longer open. A document never
  posted leaves no trace in the ledger.

A document stored before posting existed gets its posting fields on its next
move (or from `backfill_postings`), so no payable document stays unposted.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from core import dynamo
from core.days import site_today
from core.writes import derived_keys_backfill
from invoicing.models import (
    OPEN_LISTING,
    POSTED_LISTING,
    DocumentType,
    Invoice,
    InvoicePostingKeys,
    InvoiceStatus,
    LedgerEntry,
    LedgerEntryKind,
    posting_key,
)

# The statuses a posted document may have: payable, on the way to being paid,
# settled. A void one was posted if it has `posting_key`.
POSTED_STATUSES = (
    InvoiceStatus.MATCHED,
    InvoiceStatus.APPROVED,
    InvoiceStatus.SCHEDULED,
    InvoiceStatus.PAID,
    InvoiceStatus.APPLIED,
)
_CLOSING = (InvoiceStatus.PAID, InvoiceStatus.APPLIED)


def is_posted(invoice) -> bool:
    return invoice.posting_key is not None


def posting_fields(invoice, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The fields that post `invoice` on its invoice date, open."""
    return {
        "posting_date": invoice.invoice_date,
        "posted_at": now or dynamo.utcnow(),
        "posting_key": posting_key(invoice.invoice_date, invoice.id),
        "ledger_vendor": invoice.vendor_id,
        "posted_listing": POSTED_LISTING,
        **open_fields(invoice, is_open=True),
    }


def open_fields(invoice, *, is_open: bool) -> dict[str, Any]:
    """The sparse keys of an open item: both set while it is open, both removed after."""
    if is_open:
        return {"open_listing": OPEN_LISTING, "open_vendor": invoice.vendor_id}
    return {"open_listing": None, "open_vendor": None}


def posting_updates(
    invoice,
    target_status,
    *,
    on_date: dt.date | None = None,
    paid_amount: Decimal | None = None,
    discount_taken: Decimal | None = None,
) -> dict[str, Any]:
    """
    The posting fields to add to the update moving `invoice` (as read) to
    `target_status`; `on_date` (today in the site's zone) is the day it is
    paid or voided. Empty when the move changes nothing in the ledger.
    """
    target = InvoiceStatus(target_status)
    on_date = on_date or site_today()
    posted = is_posted(invoice)
    if target == InvoiceStatus.VOID:
        if not posted:
            return {}
        return {"voided_on": on_date.isoformat(), **open_fields(invoice, is_open=False)}
    if target not in POSTED_STATUSES:
        return {}
    updates = {} if posted else posting_fields(invoice)
    if target == InvoiceStatus.PAID:
        updates |= {
            "paid_on": on_date.isoformat(),
            "paid_amount": invoice.total_amount if paid_amount is None else paid_amount,
            "discount_taken": discount_taken or Decimal(0),
            **open_fields(invoice, is_open=False),
        }
    elif target == InvoiceStatus.APPLIED:
        updates |= open_fields(invoice, is_open=False)
    return updates


def open_amount(invoice) -> Decimal:
    """
    What an open item still counts in the vendor's balance: an invoice its
    total, a credit note minus what it still has open (`credit_open`).
    """
    if invoice.document_type == DocumentType.CREDIT_NOTE:
        if invoice.credit_open_amount is None:
            return -invoice.total_amount
        return -invoice.credit_open_amount
    return invoice.total_amount


# --- The ledger's own entries -----------------------------------------------


def void_reversal_add(*, transaction, invoice, on_date: dt.date) -> None:
    """
    Add to the void's `transaction` the reversal of a posted document, on
    `on_date`: its total back out of the vendor's ledger (nothing for a
    document never posted).
    """
    if not is_posted(invoice):
        return
    transaction.save(void_reversal(invoice, on_date=on_date))


def void_reversal(invoice, *, on_date: dt.date) -> LedgerEntry:
    day = on_date.isoformat()
    return LedgerEntry(
        LedgerEntry.reversal_key(invoice.id),
        ledger_vendor=invoice.vendor_id,
        posting_key=posting_key(day, f"void-{invoice.id}"),
        posting_date=day,
        currency=invoice.currency,
        entry_kind=LedgerEntryKind.VOID_REVERSAL.value,
        amount=invoice.total_amount,
        reference=invoice.invoice_number,
        document_id=invoice.id,
        document_type=invoice.document_kind.value,
        created_at=dynamo.utcnow(),
    )


def ledger_payment(
    *,
    run_id: str,
    run_number: str,
    vendor_id: str,
    currency: str,
    amount: Decimal,
    discount: Decimal,
    on_date: dt.date,
) -> LedgerEntry:
    """
    One confirmed run's payment to one vendor in one currency: `amount` what
    the bank transferred (the invoices' amounts after discount, less the
    credit notes applied), `discount` the discount taken, both debits.
    """
    day = on_date.isoformat()
    entry_id = LedgerEntry.payment_key(run_id, vendor_id, currency)
    return LedgerEntry(
        entry_id,
        ledger_vendor=vendor_id,
        posting_key=posting_key(day, f"payment-{run_id}-{currency}"),
        posting_date=day,
        currency=currency,
        entry_kind=LedgerEntryKind.PAYMENT.value,
        amount=amount,
        discount=discount,
        reference=run_number,
        payment_run_id=run_id,
        created_at=dynamo.utcnow(),
    )


def ledger_payments_record(entries: list[LedgerEntry]) -> None:
    """
    Keep a confirmed run's payments in the vendors' ledgers. Each has the id of
    its run, vendor and currency, so recording them again (a confirmation
    finished after an interruption, the backfill) writes the same items.
    """
    with LedgerEntry.batch_write() as batch:
        for entry in entries:
            batch.save(entry)


# --- Backfill ------------------------------------------------------------------


def postings_backfill(*, dry_run: bool = False, on_date: dt.date | None = None) -> int:
    """
    Post each payable, scheduled, paid or applied document stored before
    posting existed; return how many lacked their posting fields.

    Reads the documents through the status index's partitions (never the
    whole table): an operator's one-off (`manage.py backfill_postings`).
    Like the other key backfills (`core.writes.derived_keys_backfill`) the
    fields are written through a key-only view, on condition that the status
    is still the one read and the document is still unposted, and without an
    audit entry per document: they are derived from what the trail already
    holds (its match, approval or payment). A paid document's `paid_on` is the
    day of its last change, its `paid_amount` its total unless the payments
    backfill (`ledger_payments_backfill`) knows better.
    """
    now = dynamo.utcnow()

    def change(invoice):
        updates = posting_fields(invoice, now=now)
        if invoice.status in _CLOSING:
            updates |= open_fields(invoice, is_open=False)
        if invoice.status == InvoiceStatus.PAID:
            updates |= {
                "paid_on": invoice.updated_at.date().isoformat(),
                "paid_amount": invoice.total_amount,
                "discount_taken": Decimal(0),
            }
        actions = [
            getattr(Invoice, name).remove()
            if value is None
            else getattr(Invoice, name).set(value)
            for name, value in updates.items()
        ]
        condition = (
            InvoicePostingKeys.status == invoice.status
        ) & InvoicePostingKeys.posting_key.does_not_exist()
        return InvoicePostingKeys(invoice.id), actions, condition

    def unposted():
        for status in POSTED_STATUSES:
            yield from Invoice.status_index.query(
                status.value,
                filter_condition=Invoice.posting_key.does_not_exist(),
            )

    return derived_keys_backfill(unposted(), change, dry_run=dry_run)


def paid_amounts_backfill(
    *, settled: dict[str, tuple[Decimal, Decimal, dt.date]], dry_run: bool = False
) -> int:
    """
    Give paid documents the amount, discount and day their confirmed run paid
    them (`settled`: id -> (amount, discount, day)) where the posting backfill
    could only guess; return how many changed.
    """
    if not settled:
        return 0
    invoices = Invoice.batch_get(list(settled))

    def change(invoice):
        if invoice.status != InvoiceStatus.PAID:
            return None
        amount, discount, day = settled[invoice.id]
        if (
            invoice.paid_amount == amount
            and invoice.discount_taken == discount
            and invoice.paid_on == day.isoformat()
        ):
            return None
        actions = [
            Invoice.paid_amount.set(amount),
            Invoice.discount_taken.set(discount),
            Invoice.paid_on.set(day.isoformat()),
        ]
        condition = InvoicePostingKeys.status == InvoiceStatus.PAID.value
        return InvoicePostingKeys(invoice.id), actions, condition

    return derived_keys_backfill(invoices, change, dry_run=dry_run)
