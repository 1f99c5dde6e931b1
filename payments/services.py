"""
Every write to payment runs: build, approve or return, export, confirm, cancel.

A run and the invoices it moves change in the same conditional transactions,
each with its audit entries, so an invoice is never in two runs. A run of up
to `CHUNK_INVOICES` invoices is written in one transaction; a larger one in
several, each leaving run and invoices consistent (the run lists exactly the
invoices scheduled for it), see `payment_run_create`.

Credit notes (issue 15) move with the invoices they net: a run reserves each
open credit note of a vendor it pays that nets something against the chosen
invoices (payments.netting, oldest first), in the transaction that schedules
the first of those invoices, conditioned like an invoice on its status and
version as read; two runs built at once reserve it once. A credit note
counts as an invoice in a chunk; a vendor's credit notes and invoices share
a chunk whenever they fit in one. Confirming applies them
(invoicing.credit_applications), cancelling releases them whole.

Who may do what, and when, is decided in `payments.checks`; what a build
request may ask for in `payments.inputs`; the files an export stores in
`payments.files`; the audit entries in `payments.events`.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from audit.entries import actor_id, audit_entry_add, audit_heads_prefetch, entity_key
from audit.models import AuditAction, AuditEntry
from core import documents, dynamo, search_index
from core.days import site_date, site_today
from core.errors import InvalidTransition, StaleRecord, ValidationFailed
from core.text import clean_reason
from core.versions import check_version
from core.writes import (
    MAX_ATTEMPTS,
    audited_update,
    audited_update_add,
    retry_pause,
    search_index_change,
)
from invoicing.credit_applications import (
    credit_note_apply_add,
    credit_note_release_add,
    credit_note_reserve_add,
)
from invoicing.models import PAYABLE_STATUSES, Invoice, InvoiceStatus
from invoicing.posting import (
    ledger_payment,
    ledger_payments_record,
    paid_amounts_backfill,
)
from invoicing.selectors import invoices_get_many
from invoicing.services import invoice_payment_move_add
from payments import checks, events, inputs, notifications, rules
from payments.builder import RunBuilder, build_refusals
from payments.files import (
    message_id,
    pain001_file_details,
    paying_account_ids,
    payment_files,
)
from payments.models import (
    BankStatus,
    IdempotencyRecord,
    PaymentRun,
    PaymentRunStatus,
    RunFile,
)
from payments.refusals import refusal_recorded
from payments.selectors import (
    ProposedInvoice,
    credits_netted,
    payable,
    payment_run_get,
    payment_run_get_or_404,
    payment_run_proposal,
    vendor_payment_problem,
)
from treasury.selectors import bank_account_list, bank_accounts_by_id
from vendors.models import VendorStatus
from vendors.selectors import vendors_get_many

# DynamoDB takes at most 100 items per transaction. Each invoice, and each
# credit note, is three (the record, its audit entry and that entry's chain
# head); the run brings
# itself, its entry, its chain head, the idempotency record and at most its
# search tokens (search_index.MAX_TERMS + MAX_ACCOUNTS): 4 + 14 = 18, so 27
# invoices (81 items) leave room.
TRANSACTION_ITEMS = 100
RUN_ITEMS = 4 + search_index.MAX_TERMS + search_index.MAX_ACCOUNTS
CHUNK_INVOICES = (TRANSACTION_ITEMS - RUN_ITEMS) // 3


# --- Build --------------------------------------------------------------------


def _idempotent_replay(user, key: str | None, fingerprint: str) -> PaymentRun | None:
    """Return the run an earlier request with this key created, if any."""
    if key is None:
        return None
    try:
        record = IdempotencyRecord.get(
            IdempotencyRecord.key(actor_id(user), key), consistent_read=True
        )
    except IdempotencyRecord.DoesNotExist:
        return None
    if record.fingerprint != fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used with a different request; "
            "use a new key for a new payment run.",
            {"idempotency_key": "Already used with a different request."},
        )
    return payment_run_get_or_404(run_id=record.run_id)


@dataclass(frozen=True)
class BuiltRun:
    """What building a run did: the run, whether this call created it (not an
    idempotent replay), and the invoices another run took meanwhile."""

    run: PaymentRun
    created: bool
    left_out: tuple[str, ...] = ()


@refusal_recorded(AuditAction.CREATE)
def payment_run_create(
    *,
    user,
    payment_date: Any,
    currency: Any = None,
    invoice_ids: Sequence[str] | None = None,
    idempotency_key: str | None = None,
) -> BuiltRun:
    """
    Build a draft run (Treasurer) paying the chosen invoices on `payment_date`.

    `invoice_ids` None takes every proposed invoice. Each chunk of invoices
    moves to `scheduled` in the transaction that adds them to the run, each
    conditioned on the invoice still being `matched` as read: two treasurers
    building at once never schedule an invoice twice; an invoice another run
    took meanwhile is left out and listed in `left_out`. The open credit
    notes that net the chosen invoices are reserved the same way, in the
    chunk of their vendor's first invoices (see the module docstring).
    """
    checks.role_check(user, "build")
    date = inputs.parse_payment_date(payment_date)
    run_currency = inputs.clean_run_currency(currency)
    inputs.clean_idempotency_key(idempotency_key)
    fingerprint = inputs.request_fingerprint(
        payment_date=date,
        currency=run_currency,
        invoice_ids=sorted(invoice_ids) if invoice_ids is not None else None,
    )
    # A retry answers with its run even after the payment date has passed.
    if replay := _idempotent_replay(user, idempotency_key, fingerprint):
        return BuiltRun(replay, created=False)
    # Weekends first (no read needed), then the holidays of what it pays.
    inputs.clean_payment_date(
        date, today=checks.local_today(), currencies=[run_currency]
    )
    proposal = payment_run_proposal(user=user, payment_date=date, currency=run_currency)
    chosen = inputs.invoices_selected(
        proposal, invoice_ids, limit=settings.PAYMENT_RUN_MAX_INVOICES
    )
    inputs.clean_execution_date(
        date, currencies={item.invoice.currency for item in chosen}
    )
    chosen.sort(key=lambda i: (i.invoice.vendor_id, i.invoice.currency, i.invoice.id))
    now = dynamo.utcnow()
    run_id = uuid.uuid4().hex
    run = PaymentRun(
        run_id,
        number=f"PR-{date:%Y%m%d}-{run_id[:6].upper()}",
        payment_date=date.isoformat(),
        currency=run_currency,
        status=PaymentRunStatus.DRAFT.value,
        payments=[],
        invoice_count=0,
        files=[],
        created_by=actor_id(user),
        created_at=now,
        updated_at=now,
    )
    builder = RunBuilder(proposal, paying_accounts=_paying_accounts(proposal, chosen))
    pending = _chunks(chosen, _credits_to_reserve(proposal, chosen), CHUNK_INVOICES)
    saved = False
    while pending:
        (chunk, credits), pending = pending[0], pending[1:]
        try:
            saved = _write_chunk(
                run, builder, chunk, credits, user, saved, idempotency_key, fingerprint
            )
        except _RunChangedWhileBuilding:
            unwritten = [chunk] + [invoices for invoices, _ in pending]
            builder.left_out += [
                i.invoice.invoice_number for invoices in unwritten for i in invoices
            ]
            break
    if not saved:
        if replay := _idempotent_replay(user, idempotency_key, fingerprint):
            return BuiltRun(replay, created=False)
        raise StaleRecord(
            "Every chosen invoice was taken by another payment run meanwhile; "
            "reload the proposal."
        )
    return BuiltRun(run, created=True, left_out=tuple(builder.left_out))


def _paying_accounts(proposal, chosen: list[ProposedInvoice]) -> dict:
    """
    The company account paying each currency of the chosen invoices, by
    currency; refuse a currency no usable account pays and a creditor
    without the address its transfer needs (payments.builder).
    """
    accounts = bank_account_list()
    vendors = {p.vendor.id: p.vendor for p in proposal.payments}
    by_currency: dict[str, dict] = {}
    for item in chosen:
        vendor = vendors[item.invoice.vendor_id]
        by_currency.setdefault(item.invoice.currency, {})[vendor.id] = vendor
    if problems := build_refusals(
        vendors_by_currency={c: list(v.values()) for c, v in by_currency.items()},
        accounts=accounts,
    ):
        raise ValidationFailed(
            "The payment run was not built: " + "; ".join(problems) + ".",
            {"paying_accounts": "; ".join(problems)},
        )
    if not accounts:
        return {}
    usable = sorted((a for a in accounts if a.usable), key=lambda a: a.name)
    return {c: next(a for a in usable if a.currency == c) for c in by_currency}


class _RunChangedWhileBuilding(Exception):
    pass


def _credits_to_reserve(
    proposal, chosen: list[ProposedInvoice]
) -> dict[tuple[str, str], list[Invoice]]:
    """Per vendor and currency, the open credit notes that net the chosen invoices."""
    grouped: dict[tuple[str, str], list[ProposedInvoice]] = {}
    for item in chosen:
        grouped.setdefault((item.invoice.vendor_id, item.invoice.currency), [])
        grouped[(item.invoice.vendor_id, item.invoice.currency)].append(item)
    open_credits = proposal.credits()
    result = {}
    for key, items in grouped.items():
        credits = {c.id: c for c in open_credits.get(key, [])}
        netted = credits_netted(items, list(credits.values()), key[1])
        if netted.applications:
            result[key] = [credits[a.credit_id] for a in netted.applications]
    return result


def _chunks(
    chosen: list[ProposedInvoice],
    credits: dict[tuple[str, str], list[Invoice]],
    size: int,
) -> list[tuple[list[ProposedInvoice], list[Invoice]]]:
    """
    Cut the chosen invoices (sorted by vendor and currency) and the credit
    notes to reserve into chunks of at most `size` records: a vendor's credit
    notes first, with its invoices, in one chunk when they fit in one, else
    starting a chunk of their own.
    """
    groups: dict[tuple[str, str], list] = {}
    for item in chosen:
        key = (item.invoice.vendor_id, item.invoice.currency)
        groups.setdefault(key, list(credits.get(key, []))).append(item)
    chunks: list[list] = []
    current: list = []
    for group in groups.values():
        if current and len(current) + len(group) > size:
            chunks.append(current)
            current = []
        for record in group:
            if len(current) == size:
                chunks.append(current)
                current = []
            current.append(record)
    if current:
        chunks.append(current)
    return [
        (
            [r for r in chunk if isinstance(r, ProposedInvoice)],
            [r for r in chunk if not isinstance(r, ProposedInvoice)],
        )
        for chunk in chunks
    ]


def _write_chunk(
    run, builder, chunk, credits, user, saved, idempotency_key, fingerprint
) -> bool:
    """
    Schedule one chunk's invoices into the run, reserving its credit notes;
    return whether the run exists.
    """
    for attempt in range(MAX_ATTEMPTS):
        credits = _with_invoices(credits, chunk, builder)
        if not chunk and not credits:
            return saved
        payments = builder.payments(chunk, credits)
        count = len(builder.included) + len(chunk)
        scheduled = {
            "run": run,
            "user": user,
            "invoice_numbers": [i.invoice.invoice_number for i in chunk],
            "payments": payments,
        }
        committed = None
        try:
            with dynamo.write_transaction() as transaction:
                _heads_prefetch(transaction, run, [i.invoice for i in chunk] + credits)
                if not saved:
                    run.payments, run.invoice_count = payments, count
                    transaction.save(run, condition=PaymentRun.id.does_not_exist())
                    if idempotency_key is not None:
                        transaction.save(
                            IdempotencyRecord(
                                IdempotencyRecord.key(actor_id(user), idempotency_key),
                                run_id=run.id,
                                fingerprint=fingerprint,
                            ),
                            condition=IdempotencyRecord.id.does_not_exist(),
                        )
                    audit_entry_add(
                        transaction, events.payment_run_created_event(**scheduled)
                    )
                    search_index_change(transaction, after=run)
                else:
                    committed = audited_update_add(
                        transaction,
                        run,
                        {
                            "payments": payments,
                            "invoice_count": count,
                            "updated_at": dynamo.utcnow(),
                        },
                        entry=events.payment_run_invoices_added_event(**scheduled),
                        condition=PaymentRun.status == PaymentRunStatus.DRAFT.value,
                    )
                for item in chunk:
                    invoice_payment_move_add(
                        transaction=transaction,
                        invoice=item.invoice,
                        target=InvoiceStatus.SCHEDULED,
                        run_id=run.id,
                        run_number=run.number,
                        user=user,
                        payment_date=builder.payment_date,
                    )
                for credit in credits:
                    credit_note_reserve_add(
                        transaction=transaction,
                        credit=credit,
                        run_id=run.id,
                        run_number=run.number,
                        user=user,
                        payment_date=builder.payment_date,
                    )
        except StaleRecord:
            retry_pause(attempt)
            chunk = _still_matched(chunk, builder)
            credits = _still_open(credits, builder)
            if saved:
                current = payment_run_get(run_id=run.id)
                if current is None or current.status != PaymentRunStatus.DRAFT:
                    raise _RunChangedWhileBuilding from None
                run.version = current.version
            elif idempotency_key is not None and _idempotent_replay(
                user, idempotency_key, fingerprint
            ):
                return False
            continue
        if committed is not None:
            committed()
        builder.included += chunk
        builder.included_credits += credits
        return True
    raise StaleRecord("Invoices kept changing while the run was built; try again.")


def _heads_prefetch(transaction, run: PaymentRun, invoices: list[Invoice]) -> None:
    """One read for the audit chains of the run and every invoice it moves."""
    audit_heads_prefetch(
        transaction,
        [entity_key("payment_run", run.id)]
        + [entity_key("invoice", invoice.id) for invoice in invoices],
    )


def _still_matched(chunk: list[ProposedInvoice], builder) -> list[ProposedInvoice]:
    """Re-read a chunk after a conflict; note the invoices taken or held meanwhile."""
    fresh = invoices_get_many(invoice_ids={i.invoice.id for i in chunk})
    kept = []
    for item in chunk:
        invoice = fresh.get(item.invoice.id)
        if (
            invoice is None
            or invoice.status not in PAYABLE_STATUSES
            or invoice.on_hold(builder.payment_date)
        ):
            builder.left_out.append(item.invoice.invoice_number)
        else:
            settlement = rules.settlement(payable(invoice), builder.payment_date)
            kept.append(ProposedInvoice(invoice, settlement))
    return kept


def _with_invoices(credits: list[Invoice], chunk, builder) -> list[Invoice]:
    """The credit notes of vendors this chunk or an earlier one pays: only
    those net anything (a vendor whose invoices were all taken gets none)."""
    paid = {(i.invoice.vendor_id, i.invoice.currency) for i in builder.included + chunk}
    return [c for c in credits if (c.vendor_id, c.currency) in paid]


def _still_open(credits: list[Invoice], builder) -> list[Invoice]:
    """Re-read credit notes after a conflict; note those another run took meanwhile."""
    fresh = invoices_get_many(invoice_ids={c.id for c in credits})
    kept = []
    for credit in credits:
        current = fresh.get(credit.id)
        if (
            current is None
            or current.status not in PAYABLE_STATUSES
            or current.on_hold(builder.payment_date)
            or current.credit_open <= 0
        ):
            builder.left_out.append(credit.invoice_number)
        else:
            kept.append(current)
    return kept


# --- Approve ------------------------------------------------------------------


def _moved_to(target: PaymentRunStatus, fields: dict[str, Any]) -> dict[str, Any]:
    """The updates moving a run to `target`, setting `fields` as well."""
    return {"status": target.value, "updated_at": dynamo.utcnow(), **fields}


def _status_as_read(run: PaymentRun):
    """The condition a move sets out from: the run still has the status read."""
    return PaymentRun.status == run.status


def _move(run: PaymentRun, target: PaymentRunStatus, fields, *, entry) -> PaymentRun:
    """Move the run as read to `target`, with its audit `entry`, in one transaction."""
    return audited_update(
        run, _moved_to(target, fields), entry=entry, condition=_status_as_read(run)
    )


@refusal_recorded(AuditAction.APPROVE)
def payment_run_approve(*, run_id: str, user, version: int | None = None) -> PaymentRun:
    """Approve a draft run (Approver or Treasurer); never by the one who built it."""
    checks.role_check(user, "approve")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    checks.approve_check(run, user=user, today=checks.local_today())
    run = _move(
        run,
        PaymentRunStatus.APPROVED,
        {"approved_by": actor_id(user), "approved_at": dynamo.utcnow()},
        entry=events.payment_run_approved_event(run=run, user=user),
    )
    notifications.notify_payment_run_approved(run)
    return run


@refusal_recorded(AuditAction.REJECT)
def payment_run_return(
    *, run_id: str, user, reason: str, version: int | None = None
) -> PaymentRun:
    """
    Send a draft run back to its builder instead of approving it (Approver or
    Treasurer, never its builder), saying why; its invoices stay scheduled
    for it until the builder sends it again or cancels it.
    """
    checks.role_check(user, "return")
    reason = clean_reason(reason, missing="Say why the run goes back to its builder.")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    checks.return_check(run, user=user)
    run = _move(
        run,
        PaymentRunStatus.RETURNED,
        {
            "returned_by": actor_id(user),
            "returned_at": dynamo.utcnow(),
            "return_reason": reason,
        },
        entry=events.payment_run_returned_event(run=run, user=user, reason=reason),
    )
    notifications.notify_payment_run_returned(run)
    return run


@refusal_recorded(AuditAction.SEND_TO_APPROVAL)
def payment_run_resubmit(
    *, run_id: str, user, version: int | None = None
) -> PaymentRun:
    """Send a returned run for approval again (its builder): a draft once more."""
    checks.role_check(user, "resubmit")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    checks.resubmit_check(run, user=user, today=checks.local_today())
    return _move(
        run,
        PaymentRunStatus.DRAFT,
        {},
        entry=events.payment_run_resubmitted_event(run=run, user=user),
    )


# --- Export ---------------------------------------------------------------------


def _export_problems(run: PaymentRun) -> list[str]:
    """Vendors whose state changed since the run was built in a way that forbids paying."""
    vendors = vendors_get_many(vendor_ids={p.vendor_id for p in run.payments})
    problems = []
    for payment in run.payments:
        vendor = vendors.get(payment.vendor_id)
        if vendor is None:
            problems.append(f"{payment.vendor_name}: the vendor no longer exists")
            continue
        used = (
            payment.iban,
            payment.bic,
            payment.account_number,
            payment.routing_number,
        )
        current = (
            vendor.iban,
            vendor.bic,
            None if vendor.iban else vendor.account_number,
            None if vendor.iban else vendor.routing_number,
        )
        if used != current:
            problems.append(
                f"{vendor.name}: bank details changed after the run was built"
            )
        elif vendor.status != VendorStatus.ACTIVE:
            problems.append(f"{vendor.name}: the vendor is {vendor.status}")
        elif vendor.on_payment_hold(checks.local_today()):
            problems.append(f"{vendor.name}: on payment hold")
        elif problem := vendor_payment_problem(vendor):
            problems.append(f"{vendor.name}: {problem}")
    return problems


@refusal_recorded(AuditAction.EXPORT)
def payment_run_export(*, run_id: str, user, version: int | None = None) -> PaymentRun:
    """
    Write the run's pain.001 files and JSON summary (Treasurer), after the
    XSD accepted every file, and mark the run exported; then each vendor
    paid is sent its remittance advice (payments.notifications).

    Files go under a key of their own per export attempt, so nothing is ever
    overwritten; an attempt that loses a race leaves unreferenced files only.
    """
    checks.role_check(user, "export")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    checks.export_check(run, user=user, today=checks.local_today())
    if problems := _export_problems(run):
        raise ValidationFailed(
            f"Payment run {run.number} cannot be exported: "
            + "; ".join(problems)
            + ". Cancel the run and build a new one."
        )
    now = dynamo.utcnow()
    attempt = uuid.uuid4().hex[:8]
    contents = payment_files(
        run,
        user=user,
        created_at=now,
        attempt=attempt,
        paying_accounts=bank_accounts_by_id(account_ids=paying_account_ids(run)),
    )
    details = pain001_file_details(run)
    year = run.payment_date[:4]
    stored = []
    for name, content in contents.items():
        is_xml = name.endswith(".xml")
        saved = documents.document_save(
            key=f"payments/{year}/{run.id}/{attempt}-{name}",
            content=content,
            content_type="application/xml" if is_xml else "application/json",
        )
        stored.append(
            RunFile(
                kind="pain001" if is_xml else "summary",
                currency=name[8:11] if is_xml else None,
                message_id=(
                    message_id(run, currency=name[8:11], attempt=attempt)
                    if is_xml
                    else None
                ),
                paying_account_id=details.get(name, {}).get("paying_account_id"),
                execution_date=details.get(name, {}).get("execution_date"),
                key=saved.key,
                name=name,
                content_type="application/xml" if is_xml else "application/json",
                sha256=saved.sha256,
                size=saved.size,
                version_id=saved.version_id,
            )
        )
    run = audited_update(
        run,
        _moved_to(
            PaymentRunStatus.EXPORTED,
            {"files": stored, "exported_by": actor_id(user), "exported_at": now},
        ),
        entry=events.payment_run_exported_event(run=run, user=user, files=stored),
        condition=_status_as_read(run),
    )
    notifications.notify_remittance_advice(run)
    return run


# --- Confirm and cancel -----------------------------------------------------------


def _finish(
    run: PaymentRun,
    *,
    user,
    target: PaymentRunStatus,
    event: Callable[[PaymentRun], AuditEntry],
    invoice_target: InvoiceStatus,
    fields: dict[str, Any],
    verb: str,
) -> PaymentRun:
    """
    Move the run to `target` (setting `fields`, writing the entry `event`
    builds from the run as read), its scheduled invoices to
    `invoice_target` and its reserved credit notes with them (applied on a
    confirmation, released on a cancellation).

    The run's change rides in the first transaction with the first chunk of
    invoices and credit notes; any further chunk is conditioned on the run
    having reached `target`. Calling again on a run already at `target`
    finishes records left behind by an interrupted call, and otherwise is
    refused.
    """
    for attempt in range(MAX_ATTEMPTS):
        records = _scheduled_invoices(run) + _reserved_credits(run)
        if run.status == target:
            if not records:
                raise InvalidTransition(
                    f"Payment run {run.number} is already {run.status}."
                )
        else:
            checks.move_check(run, target=target, verb=verb)
        first = run.status != target
        try:
            for start in range(0, max(len(records), 1), CHUNK_INVOICES):
                chunk = records[start : start + CHUNK_INVOICES]
                with dynamo.write_transaction() as transaction:
                    _heads_prefetch(transaction, run, chunk)
                    if first:
                        committed = audited_update_add(
                            transaction,
                            run,
                            _moved_to(target, fields),
                            entry=event(run),
                            condition=_status_as_read(run),
                        )
                    else:
                        transaction.condition_check(
                            PaymentRun,
                            run.id,
                            condition=PaymentRun.status == target.value,
                        )
                    records_move_add(
                        transaction,
                        run,
                        chunk,
                        user=user,
                        pay=invoice_target == InvoiceStatus.PAID,
                    )
                if first:
                    committed()
                    first = False
        except StaleRecord:
            retry_pause(attempt)
            run = payment_run_get_or_404(run_id=run.id)
            continue
        if target == PaymentRunStatus.CONFIRMED:
            ledger_payments_record(run_ledger_payments(run, on_date=site_today()))
        return run
    raise StaleRecord(f"Payment run {run.number} kept changing; try again.")


def records_move_add(
    transaction,
    run: PaymentRun,
    records: Sequence[Invoice],
    *,
    user,
    pay: bool,
    paid_on: dt.date | None = None,
) -> None:
    """
    Add to `transaction` the moves of the run's `records` (invoices and credit
    notes it holds, as read), each with its audit entry: paid (on `paid_on`,
    None: today) and applied when `pay`, else released (matched again, open
    again whole). An invoice of a payment the bank booked is paid on its
    booking date whatever `paid_on` says.

    What the run does per record on a confirmation or a cancellation, and
    what a bank's answer does to one payment's records (payments.bank_answers).
    """
    applied = {c.credit_note_id: c.amount for c in run.credit_applications().values()}
    settled = {i.invoice_id: i for p in run.payments for i in p.invoices}
    booked = {
        i.invoice_id: dt.date.fromisoformat(p.booked_on)
        for p in run.payments
        if p.booked_on
        for i in p.invoices
    }
    moved = {
        "transaction": transaction,
        "run_id": run.id,
        "run_number": run.number,
        "user": user,
    }
    for record in records:
        if not record.is_credit_note:
            paid = settled.get(record.id)
            invoice_payment_move_add(
                invoice=record,
                target=InvoiceStatus.PAID if pay else InvoiceStatus.MATCHED,
                paid_amount=paid and paid.amount,
                discount_taken=paid and paid.discount,
                paid_on=(booked.get(record.id) or paid_on) if pay else None,
                **moved,
            )
        elif pay:
            credit_note_apply_add(credit=record, amount=applied[record.id], **moved)
        else:
            credit_note_release_add(credit=record, **moved)


def run_ledger_payments(run: PaymentRun, *, on_date: dt.date) -> list:
    """
    The run's payments as its vendors' ledgers show them: per vendor and
    currency one debit of what the bank transferred (net of the credit notes
    applied, which the ledger shows as debits of their own) and the discount
    taken.

    A payment the bank booked is on its booking date; one it rejected is not
    in the ledger (its invoices are open again); any other on `on_date`.
    """
    return [
        payment_ledger_entry(run, payment, on_date=on_date)
        for payment in run.payments
        if payment.bank_status != BankStatus.REJECTED
    ]


def payment_ledger_entry(run: PaymentRun, payment, *, on_date: dt.date):
    """One payment of the run as its vendor's ledger shows it (see run_ledger_payments)."""
    if payment.booked_on:
        on_date = dt.date.fromisoformat(payment.booked_on)
    return ledger_payment(
        run_id=run.id,
        run_number=run.number,
        vendor_id=payment.vendor_id,
        currency=payment.currency,
        amount=payment.amount,
        discount=payment.discount,
        on_date=on_date,
    )


def payment_records(run: PaymentRun, payment) -> list[Invoice]:
    """The invoices and credit notes of one payment the run still holds, freshly read."""
    return _still_scheduled(
        run,
        {i.invoice_id for i in payment.invoices}
        | {c.credit_note_id for c in payment.credits_applied},
    )


def _scheduled_invoices(run: PaymentRun) -> list[Invoice]:
    """The run's invoices still scheduled for it, freshly read."""
    return _still_scheduled(run, set(run.invoice_ids()))


def _reserved_credits(run: PaymentRun) -> list[Invoice]:
    """The credit notes the run still holds reserved, freshly read."""
    return _still_scheduled(run, set(run.credit_applications()))


def _still_scheduled(run: PaymentRun, record_ids: set[str]) -> list[Invoice]:
    fresh = invoices_get_many(invoice_ids=record_ids)
    return sorted(
        (
            i
            for i in fresh.values()
            if i.status == InvoiceStatus.SCHEDULED and i.payment_run_id == run.id
        ),
        key=lambda i: i.id,
    )


@refusal_recorded(AuditAction.CONFIRM)
def payment_run_confirm(*, run_id: str, user, version: int | None = None) -> PaymentRun:
    """
    Record that the bank executed the exported run (Treasurer): its invoices
    are paid, its credit notes applied (what one did not use stays open).

    For banks that send nothing back: the payments a bank file already
    answered (payments.bank_answers) keep what it did (booked ones were
    paid on their booking date, rejected ones released); the confirmation
    finishes every payment not yet answered.
    """
    checks.role_check(user, "confirm")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    return _finish(
        run,
        user=user,
        target=PaymentRunStatus.CONFIRMED,
        event=lambda run: events.payment_run_confirmed_event(run=run, user=user),
        invoice_target=InvoiceStatus.PAID,
        fields={"confirmed_by": actor_id(user), "confirmed_at": dynamo.utcnow()},
        verb="confirmed",
    )


def payment_run_settle(*, run: PaymentRun, user, event) -> PaymentRun:
    """
    Confirm an exported run (as read) whose every transfer the bank answered
    (payments.bank_answers): the confirmation's work for what is left (the
    payments credits settle alone, records an interrupted answer left), with
    `event(run)` as the run's entry. The caller checked who may.
    """
    return _finish(
        run,
        user=user,
        target=PaymentRunStatus.CONFIRMED,
        event=event,
        invoice_target=InvoiceStatus.PAID,
        fields={"confirmed_by": actor_id(user), "confirmed_at": dynamo.utcnow()},
        verb="confirmed",
    )


@refusal_recorded(AuditAction.CANCEL)
def payment_run_cancel(
    *, run_id: str, user, reason: str, version: int | None = None
) -> PaymentRun:
    """
    Cancel a draft, returned or approved run (Treasurer): its invoices
    return to matched, its credit notes are released whole.
    """
    checks.role_check(user, "cancel")
    reason = clean_reason(reason, missing="Say why the run is cancelled.")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    return _finish(
        run,
        user=user,
        target=PaymentRunStatus.CANCELLED,
        event=lambda run: events.payment_run_cancelled_event(
            run=run, user=user, reason=reason
        ),
        invoice_target=InvoiceStatus.MATCHED,
        fields={
            "cancelled_by": actor_id(user),
            "cancelled_at": dynamo.utcnow(),
            "cancel_reason": reason,
        },
        verb="cancelled",
    )


# --- Backfill -------------------------------------------------------------------


def ledger_payments_backfill(*, dry_run: bool = False) -> tuple[int, int]:
    """
    Put each confirmed run's payments in its vendors' ledgers and give its
    paid invoices what it paid for each; return (payments, invoices changed).

    For runs confirmed before the sub-ledger existed (`manage.py
    backfill_postings`, after the documents are posted). Reads the confirmed
    runs through the status index, never the whole table; the entries have
    ids of their own run, vendor and currency, so running it again writes
    the same items. The day of a payment is the day the run was confirmed.
    """
    payments, settled = [], {}
    for run in PaymentRun.status_index.query(PaymentRunStatus.CONFIRMED.value):
        day = site_date(run.confirmed_at or run.updated_at)
        payments += run_ledger_payments(run, on_date=day)
        for payment in run.payments:
            if payment.bank_status == BankStatus.REJECTED:
                continue  # the bank sent it back: its invoices are not paid by it
            for invoice in payment.invoices:
                settled[invoice.invoice_id] = (invoice.amount, invoice.discount, day)
    changed = paid_amounts_backfill(settled=settled, dry_run=dry_run)
    if not dry_run:
        ledger_payments_record(payments)
    return len(payments), changed
