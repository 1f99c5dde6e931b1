"""
Every write to payment runs: build, approve, export, confirm, cancel.

A run and the invoices it moves change in the same conditional transactions,
each with its audit entries, so an invoice is never in two runs. A run of up
to `CHUNK_INVOICES` invoices is written in one transaction; a larger one in
several, each leaving run and invoices consistent (the run lists exactly the
invoices scheduled for it), see `payment_run_create`.
"""

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts.roles import Role, require_role
from audit.entries import (
    actor_id,
    audit_entry_add,
    audit_heads_prefetch,
    entity_key,
    payment_run_entry,
)
from audit.models import AuditAction
from core import documents, dynamo
from core.errors import (
    ApplicationError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    StaleRecord,
    ValidationFailed,
)
from core.money import MoneyError, validate_currency
from core.text import TextError, clean_text
from core.versions import check_version
from invoicing.models import Invoice, InvoiceStatus
from invoicing.selectors import invoices_get_many
from invoicing.services import invoice_payment_move_add
from payments import notifications, pain001, rules
from payments.models import (
    PAYMENT_RUN_TRANSITIONS,
    REFUSED_BUILD_PREFIX,
    IdempotencyRecord,
    PaymentRun,
    PaymentRunStatus,
    RunFile,
    SettledInvoice,
    VendorPayment,
)
from payments.selectors import (
    ProposedInvoice,
    payable,
    payment_run_get,
    payment_run_get_or_404,
    payment_run_proposal,
    vendor_payment_problem,
)
from vendors.models import VendorStatus
from vendors.selectors import vendors_get_many

# Three items per invoice (the invoice, its audit entry and that entry's
# chain head) plus the run, its entry, its chain head and the idempotency
# record stay within DynamoDB's 100 items per transaction.
CHUNK_INVOICES = 30
MAX_ATTEMPTS = 6
MAX_DAYS_AHEAD = 366
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,100}$")


def local_today() -> dt.date:
    return timezone.localdate()


# --- Refusals on the audit trail ---------------------------------------------


def _refusal_recorded(action: AuditAction):
    """
    Record a refused attempt on the run's audit trail, then re-raise it, so
    an auditor sees what was tried (approve by the builder, confirm twice...).
    """

    def decorate(service: Callable) -> Callable:
        def wrapper(*, user, run_id: str | None = None, **kwargs):
            try:
                if run_id is None:
                    return service(user=user, **kwargs)
                return service(user=user, run_id=run_id, **kwargs)
            except ApplicationError as exc:
                if isinstance(exc, NotFound | StaleRecord | ServiceUnavailable):
                    raise
                if run_id is None:
                    # A refused build has no run: it gets an id of its own.
                    _refusal_save(
                        action,
                        f"{REFUSED_BUILD_PREFIX}{uuid.uuid4().hex[:12]}",
                        None,
                        user,
                        exc,
                    )
                elif (run := payment_run_get(run_id=run_id)) is not None:
                    _refusal_save(action, run_id, run.number, user, exc)
                raise

        wrapper.__name__ = service.__name__
        wrapper.__doc__ = service.__doc__
        return wrapper

    return decorate


def _refusal_save(
    action: AuditAction, run_id: str, label: str | None, user, exc: ApplicationError
):
    entry = payment_run_entry(
        action=AuditAction.REFUSED,
        run_id=run_id,
        label=label,
        user=user,
        details={"attempted": str(action), "reason": exc.message},
    )
    try:
        with dynamo.write_transaction() as transaction:
            audit_entry_add(transaction, entry)
    except Exception:  # noqa: BLE001 - the refusal itself must still reach the user
        pass


# --- Build --------------------------------------------------------------------


def parse_payment_date(value: Any) -> dt.date:
    """Accept a date or an ISO string."""
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            "The payment date must be a date like 2026-12-01.",
            {"payment_date": "Enter a date like 2026-12-01."},
        ) from None


def clean_payment_date(value: Any) -> dt.date:
    """Accept a date or an ISO string, today or later (within a year)."""
    date = parse_payment_date(value)
    today = local_today()
    if date < today:
        message = f"The payment date {date} is in the past; pick {today} or later."
        raise ValidationFailed(message, {"payment_date": message})
    if date > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        message = "The payment date is more than a year ahead."
        raise ValidationFailed(message, {"payment_date": message})
    return date


def clean_run_currency(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return validate_currency(str(value))
    except MoneyError as exc:
        raise ValidationFailed(str(exc), {"currency": str(exc)}) from None


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


def request_fingerprint(**fields: Any) -> str:
    canonical = json.dumps(fields, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _selected(proposal, invoice_ids: Sequence[str] | None) -> list[ProposedInvoice]:
    proposed = proposal.invoices()
    if invoice_ids is None:
        chosen = list(proposed.values())
    else:
        unknown = [i for i in dict.fromkeys(invoice_ids) if i not in proposed]
        if unknown:
            raise ValidationFailed(
                "These invoices cannot be paid by this run (not matched, already "
                "in a run, not due, or their vendor is on hold): " + ", ".join(unknown),
                {"invoice_ids": "Some invoices are not payable in this run."},
            )
        chosen = [proposed[i] for i in dict.fromkeys(invoice_ids)]
    if not chosen:
        message = "There is nothing to pay: no matched invoice is due by this date."
        raise ValidationFailed(message, {"invoice_ids": message})
    chosen_ids = {c.invoice.id for c in chosen}
    blocking = [
        p
        for p in proposal.blocking
        if any(i.invoice.id in chosen_ids for i in p.invoices)
    ]
    if blocking:
        error = ValidationFailed(
            "These vendors cannot be paid until their bank details are fixed; "
            "fix them or leave their invoices out: "
            + "; ".join(f"{p.vendor.name}: {p.problem}" for p in blocking),
            {"invoice_ids": "Some vendors have no valid bank details."},
        )
        error.extra["blocking_vendors"] = [
            {"vendor_id": p.vendor.id, "name": p.vendor.name, "problem": p.problem}
            for p in blocking
        ]
        raise error
    limit = settings.PAYMENT_RUN_MAX_INVOICES
    if len(chosen) > limit:
        message = f"A run pays at most {limit} invoices; {len(chosen)} are selected."
        raise ValidationFailed(message, {"invoice_ids": message})
    return chosen


class _RunBuilder:
    """The run's payments, grown chunk by chunk as invoices are scheduled."""

    def __init__(self, proposal, chosen: list[ProposedInvoice]):
        self.payment_date = proposal.payment_date
        self.vendors = {p.vendor.id: p.vendor for p in proposal.payments}
        self.payment_ids: dict[tuple[str, str], str] = {}
        self.included: list[ProposedInvoice] = []
        self.left_out: list[str] = []

    def payments(self, extra: list[ProposedInvoice]) -> list[VendorPayment]:
        grouped: dict[tuple[str, str], list[ProposedInvoice]] = {}
        for item in self.included + extra:
            key = (item.invoice.vendor_id, item.invoice.currency)
            grouped.setdefault(key, []).append(item)
        result = []
        for (vendor_id, currency), items in grouped.items():
            vendor = self.vendors[vendor_id]
            payment_id = self.payment_ids.setdefault(
                (vendor_id, currency), uuid.uuid4().hex
            )
            result.append(
                VendorPayment(
                    id=payment_id,
                    vendor_id=vendor_id,
                    vendor_name=vendor.name,
                    currency=currency,
                    iban=vendor.iban,
                    bic=vendor.bic,
                    account_number=None if vendor.iban else vendor.account_number,
                    routing_number=None if vendor.iban else vendor.routing_number,
                    amount=sum((i.settlement.amount for i in items), Decimal(0)),
                    discount=sum((i.settlement.discount for i in items), Decimal(0)),
                    invoices=[
                        SettledInvoice(
                            invoice_id=i.invoice.id,
                            invoice_number=i.invoice.invoice_number,
                            due_date=i.invoice.due_date,
                            total_amount=i.invoice.total_amount,
                            discount=i.settlement.discount,
                            amount=i.settlement.amount,
                        )
                        for i in items
                    ],
                )
            )
        result.sort(key=lambda p: (p.vendor_name.casefold(), p.currency))
        return result


@dataclass(frozen=True)
class BuiltRun:
    """What building a run did: the run, whether this call created it (not an
    idempotent replay), and the invoices another run took meanwhile."""

    run: PaymentRun
    created: bool
    left_out: tuple[str, ...] = ()


@_refusal_recorded(AuditAction.CREATE)
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
    took meanwhile is left out and listed in `left_out`.
    """
    require_role(user, Role.TREASURER, action="build payment runs")
    date = parse_payment_date(payment_date)
    run_currency = clean_run_currency(currency)
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise ValidationFailed(
            "An Idempotency-Key is 1 to 100 printable characters without spaces.",
            {"idempotency_key": "Invalid key."},
        )
    fingerprint = request_fingerprint(
        payment_date=date,
        currency=run_currency,
        invoice_ids=sorted(invoice_ids) if invoice_ids is not None else None,
    )
    # A retry answers with its run even after the payment date has passed.
    if replay := _idempotent_replay(user, idempotency_key, fingerprint):
        return BuiltRun(replay, created=False)
    clean_payment_date(date)
    proposal = payment_run_proposal(user=user, payment_date=date, currency=run_currency)
    chosen = _selected(proposal, invoice_ids)
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
    builder = _RunBuilder(proposal, chosen)
    pending = list(chosen)
    saved = False
    while pending:
        chunk, pending = pending[:CHUNK_INVOICES], pending[CHUNK_INVOICES:]
        try:
            saved = _write_chunk(
                run, builder, chunk, user, saved, idempotency_key, fingerprint
            )
        except _RunChangedWhileBuilding:
            builder.left_out += [i.invoice.invoice_number for i in chunk + pending]
            break
    if not saved:
        if replay := _idempotent_replay(user, idempotency_key, fingerprint):
            return BuiltRun(replay, created=False)
        raise StaleRecord(
            "Every chosen invoice was taken by another payment run meanwhile; "
            "reload the proposal."
        )
    return BuiltRun(run, created=True, left_out=tuple(builder.left_out))


class _RunChangedWhileBuilding(Exception):
    pass


def _write_chunk(
    run, builder, chunk, user, saved, idempotency_key, fingerprint
) -> bool:
    """Schedule one chunk's invoices into the run; return whether the run exists."""
    for _ in range(MAX_ATTEMPTS):
        if not chunk:
            return saved
        payments = builder.payments(chunk)
        count = len(builder.included) + len(chunk)
        numbers = [i.invoice.invoice_number for i in chunk]
        try:
            with dynamo.write_transaction() as transaction:
                _heads_prefetch(transaction, run, [i.invoice for i in chunk])
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
                    action = AuditAction.CREATE
                else:
                    transaction.update(
                        run,
                        actions=[
                            PaymentRun.payments.set(payments),
                            PaymentRun.invoice_count.set(count),
                            PaymentRun.updated_at.set(dynamo.utcnow()),
                        ],
                        condition=PaymentRun.status == PaymentRunStatus.DRAFT.value,
                    )
                    action = AuditAction.ADD_INVOICES
                audit_entry_add(
                    transaction,
                    payment_run_entry(
                        action=action,
                        run_id=run.id,
                        label=run.number,
                        user=user,
                        details={
                            "number": run.number,
                            "payment_date": run.payment_date,
                            "currency": run.currency,
                            "invoices": numbers,
                            "invoice_count": count,
                            "totals": _totals(payments),
                        },
                    ),
                )
                for item in chunk:
                    invoice_payment_move_add(
                        transaction=transaction,
                        invoice=item.invoice,
                        target=InvoiceStatus.SCHEDULED,
                        run_id=run.id,
                        run_number=run.number,
                        user=user,
                    )
        except StaleRecord:
            chunk = _still_matched(chunk, builder)
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
        if saved:
            run.payments, run.invoice_count = payments, count
        builder.included += chunk
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
    """Re-read a chunk after a conflict; note the invoices another run took."""
    fresh = invoices_get_many(invoice_ids={i.invoice.id for i in chunk})
    kept = []
    for item in chunk:
        invoice = fresh.get(item.invoice.id)
        if invoice is None or invoice.status != InvoiceStatus.MATCHED:
            builder.left_out.append(item.invoice.invoice_number)
        else:
            settlement = rules.settlement(payable(invoice), builder.payment_date)
            kept.append(ProposedInvoice(invoice, settlement))
    return kept


def _totals(payments: list[VendorPayment]) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for payment in payments:
        totals[payment.currency] = totals.get(payment.currency, 0) + payment.amount
    return {currency: str(amount) for currency, amount in sorted(totals.items())}


# --- Approve ------------------------------------------------------------------


def _payment_date_check(run: PaymentRun, verb: str) -> None:
    """A run whose payment date has passed would ask the bank to pay in the past."""
    if dt.date.fromisoformat(run.payment_date) < local_today():
        raise InvalidTransition(
            f"Payment run {run.number} was for {run.payment_date}, which has passed, "
            f"so it cannot be {verb}: its discounts and due dates were worked out "
            "for that day. Cancel it and build a new run."
        )


def _transition_check(run: PaymentRun, target: PaymentRunStatus, verb: str) -> None:
    if target not in PAYMENT_RUN_TRANSITIONS[PaymentRunStatus(run.status)]:
        allowed = {
            PaymentRunStatus.APPROVED: "draft",
            PaymentRunStatus.EXPORTED: "approved",
            PaymentRunStatus.CONFIRMED: "exported",
            PaymentRunStatus.CANCELLED: "draft or approved",
        }[target]
        raise InvalidTransition(
            f"Payment run {run.number} is {run.status}; only a {allowed} run can be "
            f"{verb}."
        )


def _run_move_add(
    transaction, run: PaymentRun, target, action, user, fields, details
) -> Callable[[], None]:
    """
    Add the run's move to `target` (with `fields`) and its audit entry to the
    transaction, conditioned on the status and version read; return what
    brings `run` up to date once committed.
    """
    transaction.update(
        run,
        actions=[
            PaymentRun.status.set(target.value),
            PaymentRun.updated_at.set(dynamo.utcnow()),
            *[getattr(PaymentRun, name).set(value) for name, value in fields.items()],
        ],
        condition=PaymentRun.status == run.status,
    )
    audit_entry_add(
        transaction,
        payment_run_entry(
            action=action,
            run_id=run.id,
            label=run.number,
            user=user,
            details={
                "before": {"status": run.status},
                "after": {"status": target.value},
                **details,
            },
        ),
    )

    def committed() -> None:
        run.status = target.value
        for name, value in fields.items():
            setattr(run, name, value)

    return committed


def _simple_transition(
    run: PaymentRun,
    target: PaymentRunStatus,
    action: AuditAction,
    user,
    fields,
    details,
) -> PaymentRun:
    """Move the run alone (no invoice changes) with its audit entry."""
    with dynamo.write_transaction() as transaction:
        committed = _run_move_add(
            transaction, run, target, action, user, fields, details
        )
    committed()
    return run


@_refusal_recorded(AuditAction.APPROVE)
def payment_run_approve(*, run_id: str, user, version: int | None = None) -> PaymentRun:
    """Approve a draft run (Approver or Treasurer); never by the one who built it."""
    require_role(user, Role.APPROVER, Role.TREASURER, action="approve payment runs")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    _transition_check(run, PaymentRunStatus.APPROVED, "approved")
    _payment_date_check(run, "approved")
    if run.created_by == actor_id(user):
        raise PermissionDenied(
            f"You built payment run {run.number}; another user must approve it "
            "(nobody approves a run they built)."
        )
    run = _simple_transition(
        run,
        PaymentRunStatus.APPROVED,
        AuditAction.APPROVE,
        user,
        {"approved_by": actor_id(user), "approved_at": dynamo.utcnow()},
        {},
    )
    notifications.notify_payment_run_approved(run)
    return run


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
        elif vendor.on_payment_hold(local_today()):
            problems.append(f"{vendor.name}: on payment hold")
        elif problem := vendor_payment_problem(vendor):
            problems.append(f"{vendor.name}: {problem}")
    return problems


def payment_files(
    run: PaymentRun, *, user, created_at: dt.datetime
) -> dict[str, bytes]:
    """Return the run's files by name: one pain.001 per currency and the JSON summary."""
    files: dict[str, bytes] = {}
    for currency in run.totals():
        payments = [p for p in run.payments if p.currency == currency]
        document = pain001.PaymentFile(
            message_id=run.id,
            created_at=created_at,
            initiating_party=settings.PAYER_NAME,
            payment_info_id=f"{run.number}-{currency}",
            execution_date=dt.date.fromisoformat(run.payment_date),
            currency=currency,
            debtor_name=settings.PAYER_NAME,
            debtor_iban=settings.PAYER_IBAN,
            debtor_bic=settings.PAYER_BIC or None,
            transfers=tuple(
                pain001.CreditTransfer(
                    end_to_end_id=p.id,
                    amount=p.amount,
                    creditor_name=p.vendor_name,
                    invoice_numbers=tuple(i.invoice_number for i in p.invoices),
                    iban=p.iban,
                    bic=p.bic,
                    account_number=p.account_number,
                    aba_routing_number=p.routing_number,
                )
                for p in payments
            ),
        )
        xml = pain001.pain001_xml(document)
        if errors := pain001.pain001_errors(xml):
            raise ValidationFailed(
                f"The {currency} payment file does not pass the pain.001.001.09 "
                "schema, so nothing was stored: " + "; ".join(errors[:5])
            )
        files[f"pain001-{currency}.xml"] = xml
    files["summary.json"] = _summary(run, user=user, created_at=created_at)
    return files


def _summary(run: PaymentRun, *, user, created_at: dt.datetime) -> bytes:
    summary = {
        "run_id": run.id,
        "number": run.number,
        "payment_date": run.payment_date,
        "created_by": run.created_by,
        "approved_by": run.approved_by,
        "exported_by": actor_id(user),
        "exported_at": created_at.isoformat(timespec="seconds"),
        "payer": {
            "name": settings.PAYER_NAME,
            "iban": settings.PAYER_IBAN,
            "bic": settings.PAYER_BIC,
        },
        "totals": {
            currency: {k: str(v) for k, v in row.items()}
            for currency, row in run.totals().items()
        },
        "payments": [
            {
                "end_to_end_id": p.id,
                "vendor_id": p.vendor_id,
                "vendor_name": p.vendor_name,
                "currency": p.currency,
                "amount": str(p.amount),
                "discount": str(p.discount),
                "iban": p.iban,
                "bic": p.bic,
                "account_number": p.account_number,
                "routing_number": p.routing_number,
                "invoices": [
                    {
                        "invoice_id": i.invoice_id,
                        "invoice_number": i.invoice_number,
                        "total_amount": str(i.total_amount),
                        "discount": str(i.discount),
                        "amount": str(i.amount),
                    }
                    for i in p.invoices
                ],
            }
            for p in run.payments
        ],
    }
    return json.dumps(summary, indent=2, sort_keys=True).encode()


@_refusal_recorded(AuditAction.EXPORT)
def payment_run_export(*, run_id: str, user, version: int | None = None) -> PaymentRun:
    """
    Write the run's pain.001 files and JSON summary (Treasurer), after the
    XSD accepted every file, and mark the run exported.

    Files go under a key of their own per export attempt, so nothing is ever
    overwritten; an attempt that loses a race leaves unreferenced files only.
    """
    require_role(user, Role.TREASURER, action="export payment runs")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    _transition_check(run, PaymentRunStatus.EXPORTED, "exported")
    _payment_date_check(run, "exported")
    if problems := _export_problems(run):
        raise ValidationFailed(
            f"Payment run {run.number} cannot be exported: "
            + "; ".join(problems)
            + ". Cancel the run and build a new one."
        )
    now = dynamo.utcnow()
    contents = payment_files(run, user=user, created_at=now)
    attempt = uuid.uuid4().hex[:8]
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
                key=saved.key,
                name=name,
                content_type="application/xml" if is_xml else "application/json",
                sha256=saved.sha256,
                size=saved.size,
                version_id=saved.version_id,
            )
        )
    return _simple_transition(
        run,
        PaymentRunStatus.EXPORTED,
        AuditAction.EXPORT,
        user,
        {"files": stored, "exported_by": actor_id(user), "exported_at": now},
        {
            "files": [
                {"name": f.name, "key": f.key, "sha256": f.sha256, "size": f.size}
                for f in stored
            ]
        },
    )


# --- Confirm and cancel -----------------------------------------------------------


def _finish(
    run: PaymentRun,
    *,
    user,
    target: PaymentRunStatus,
    action: AuditAction,
    invoice_target: InvoiceStatus,
    fields: dict[str, Any],
    details: dict[str, Any],
    verb: str,
) -> PaymentRun:
    """
    Move the run to `target` and its scheduled invoices to `invoice_target`.

    The run's change rides in the first transaction with the first chunk of
    invoices; any further chunk is conditioned on the run having reached
    `target`. Calling again on a run already at `target` finishes invoices
    left behind by an interrupted call, and otherwise is refused.
    """
    for _ in range(MAX_ATTEMPTS):
        invoices = _scheduled_invoices(run)
        if run.status == target:
            if not invoices:
                raise InvalidTransition(
                    f"Payment run {run.number} is already {run.status}."
                )
        else:
            _transition_check(run, target, verb)
        first = run.status != target
        try:
            for start in range(0, max(len(invoices), 1), CHUNK_INVOICES):
                chunk = invoices[start : start + CHUNK_INVOICES]
                with dynamo.write_transaction() as transaction:
                    _heads_prefetch(transaction, run, chunk)
                    if first:
                        committed = _run_move_add(
                            transaction,
                            run,
                            target,
                            action,
                            user,
                            fields,
                            {"invoices": run.invoice_count, **details},
                        )
                    else:
                        transaction.condition_check(
                            PaymentRun,
                            run.id,
                            condition=PaymentRun.status == target.value,
                        )
                    for invoice in chunk:
                        invoice_payment_move_add(
                            transaction=transaction,
                            invoice=invoice,
                            target=invoice_target,
                            run_id=run.id,
                            run_number=run.number,
                            user=user,
                        )
                if first:
                    committed()
                    first = False
        except StaleRecord:
            run = payment_run_get_or_404(run_id=run.id)
            continue
        return run
    raise StaleRecord(f"Payment run {run.number} kept changing; try again.")


def _scheduled_invoices(run: PaymentRun) -> list[Invoice]:
    """The run's invoices still scheduled for it, freshly read."""
    fresh = invoices_get_many(invoice_ids=set(run.invoice_ids()))
    return sorted(
        (
            i
            for i in fresh.values()
            if i.status == InvoiceStatus.SCHEDULED and i.payment_run_id == run.id
        ),
        key=lambda i: i.id,
    )


@_refusal_recorded(AuditAction.CONFIRM)
def payment_run_confirm(*, run_id: str, user, version: int | None = None) -> PaymentRun:
    """Record that the bank executed the exported run (Treasurer): its invoices are paid."""
    require_role(user, Role.TREASURER, action="confirm payment runs")
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    return _finish(
        run,
        user=user,
        target=PaymentRunStatus.CONFIRMED,
        action=AuditAction.CONFIRM,
        invoice_target=InvoiceStatus.PAID,
        fields={"confirmed_by": actor_id(user), "confirmed_at": dynamo.utcnow()},
        details={},
        verb="confirmed",
    )


@_refusal_recorded(AuditAction.CANCEL)
def payment_run_cancel(
    *, run_id: str, user, reason: str, version: int | None = None
) -> PaymentRun:
    """Cancel a draft or approved run (Treasurer): its invoices return to matched."""
    require_role(user, Role.TREASURER, action="cancel payment runs")
    try:
        reason = clean_text(reason, max_length=1000)
    except TextError as exc:
        raise ValidationFailed(f"The reason: {exc}", {"reason": str(exc)}) from None
    if not reason:
        raise ValidationFailed("Say why the run is cancelled.", {"reason": "Required."})
    run = payment_run_get_or_404(run_id=run_id)
    check_version(run, version)
    return _finish(
        run,
        user=user,
        target=PaymentRunStatus.CANCELLED,
        action=AuditAction.CANCEL,
        invoice_target=InvoiceStatus.MATCHED,
        fields={
            "cancelled_by": actor_id(user),
            "cancelled_at": dynamo.utcnow(),
            "cancel_reason": reason,
        },
        details={"reason": reason},
        verb="cancelled",
    )
