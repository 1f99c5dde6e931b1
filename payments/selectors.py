"""Reads of payment runs, and the proposal a new run starts from."""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from accounts.roles import require_reader
from core import dynamo
from core.errors import NotFound
from core.exports import Export, every_item, iso_date
from invoicing.models import Invoice
from invoicing.selectors import invoices_payable
from payments import checks, netting, rules
from payments.models import (
    BANK_STATEMENT_LISTING,
    LISTING,
    BankStatement,
    PaymentRun,
    PaymentRunStatus,
    RunFile,
)
from vendors.bank_details import IbanSharing, bank_details_problem
from vendors.models import Vendor, VendorStatus
from vendors.selectors import iban_sharings, vendors_get_many


def payment_run_get(*, run_id: str) -> PaymentRun | None:
    if not run_id or len(run_id) > 100:
        return None
    try:
        run = PaymentRun.get(run_id, consistent_read=True)
    except PaymentRun.DoesNotExist:
        return None
    # The table also holds idempotency records, which are no run.
    return run if run.number is not None else None


def payment_runs_get_many(*, run_ids: set[str]) -> dict[str, PaymentRun]:
    """Return the payment runs with these ids, read consistently in batches of 100."""
    if not run_ids:
        return {}
    runs = PaymentRun.batch_get(list(run_ids), consistent_read=True)
    return {run.id: run for run in runs if run.number is not None}


def payment_run_get_or_404(*, run_id: str) -> PaymentRun:
    run = payment_run_get(run_id=run_id)
    if run is None:
        raise NotFound(f"There is no payment run with id '{run_id}'.")
    return run


def payment_run_list(
    *, status: str | None = None, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return a page of payment runs, newest first."""
    if status:
        return dynamo.query_page(
            PaymentRun.status_index, status, cursor=cursor, limit=limit
        )
    return dynamo.query_page(
        PaymentRun.listing_index, LISTING, cursor=cursor, limit=limit
    )


def payment_run_export(*, status: str | None = None) -> Export:
    """
    Return every payment run the list shows with this filter, for download.

    One row per run and currency, so each amount is in one currency; a run
    without payments has one row with no currency.
    """
    runs = every_item(payment_run_list, status=status)
    return Export(
        name="payment-runs",
        header=[
            "Run", "Payment date", "Status", "Currency", "Payments", "Invoices",
            "Amount", "Discount", "Built by", "Created", "Approved by",
            "Exported by", "Confirmed by", "Cancelled by", "Cancel reason", "Id",
        ],
        rows=(
            [
                run.number, iso_date(run.payment_date), run.status, currency,
                row.get("payments"), row.get("invoices"), row.get("amount"),
                row.get("discount"), run.created_by, run.created_at,
                run.approved_by, run.exported_by, run.confirmed_by,
                run.cancelled_by, run.cancel_reason, run.id,
            ]
            for run in runs
            for currency, row in (run.totals() or {None: {}}).items()
        ),
    )  # fmt: skip


def payment_run_search(*, text: str, limit: int = 10) -> dynamo.Page:
    """Return runs whose number starts with `text` (any case), the exact number first."""
    return dynamo.prefix_page(
        PaymentRun.listing_number_index,
        LISTING,
        PaymentRun.number,
        text.strip().upper(),
        limit=limit,
    )


def payment_run_file(*, run: PaymentRun, user, name: str) -> RunFile:
    """Return the run's file called `name`, for the roles that may download it."""
    checks.role_check(user, "download")
    for run_file in run.files:
        if run_file.name == name:
            return run_file
    raise NotFound(f"Payment run {run.number} has no file called '{name}'.")


# --- The proposal -----------------------------------------------------------


@dataclass
class ProposedInvoice:
    invoice: Invoice
    settlement: rules.Settlement


def open_credit(credit: Invoice) -> netting.OpenCredit:
    return netting.OpenCredit(
        credit_id=credit.id,
        number=credit.invoice_number,
        credit_date=dt.date.fromisoformat(credit.invoice_date),
        open_amount=credit.credit_open,
    )


def credits_netted(
    invoices: list[ProposedInvoice], credits: list[Invoice], currency: str
) -> netting.Netting:
    """The credit notes `credits` applied, oldest first, to `invoices`."""
    return netting.net_credits(
        invoices_amount=sum((i.settlement.amount for i in invoices), Decimal(0)),
        credits=[open_credit(c) for c in credits],
        currency=currency,
    )


@dataclass
class ProposedPayment:
    """
    What one vendor would be paid in one currency: its invoices less the
    open credit notes (`credits`, oldest first) netted against them.
    """

    vendor: Vendor
    currency: str
    invoices: list[ProposedInvoice] = field(default_factory=list)
    # Why the vendor's bank details cannot be paid; such a payment blocks the run.
    problem: str | None = None
    # The vendor's open credit notes in this currency (payments.netting).
    credits: list[Invoice] = field(default_factory=list)

    @property
    def netted(self) -> netting.Netting:
        return credits_netted(self.invoices, self.credits, self.currency)

    @property
    def credits_applied(self) -> list[tuple[Invoice, netting.CreditApplication]]:
        """Each credit note the payment would net, with how much of it."""
        by_id = {c.id: c for c in self.credits}
        return [(by_id[a.credit_id], a) for a in self.netted.applications]

    @property
    def invoiced(self) -> Decimal:
        return sum((i.settlement.amount for i in self.invoices), Decimal(0))

    @property
    def amount(self) -> Decimal:
        """The transfer: the invoices less the credits netted."""
        return self.netted.transfer

    @property
    def discount(self) -> Decimal:
        return sum((i.settlement.discount for i in self.invoices), Decimal(0))

    # The proposal page's ticks (issue 17): None until `Proposal.tick`, when
    # every invoice is ticked but those of a vendor that cannot be paid.
    ticked: set[str] | None = None

    @property
    def ticked_invoices(self) -> list[ProposedInvoice]:
        if self.ticked is None:
            return [] if self.problem else list(self.invoices)
        return [i for i in self.invoices if i.invoice.id in self.ticked]

    @property
    def ticked_ids(self) -> set[str]:
        return {i.invoice.id for i in self.ticked_invoices}

    @property
    def ticked_netting(self) -> netting.Netting:
        return credits_netted(self.ticked_invoices, self.credits, self.currency)

    @property
    def ticked_credits(self) -> list[tuple[Invoice, Decimal]]:
        """Each open credit note, oldest first, with what the ticked invoices use."""
        applied = {a.credit_id: a.amount for a in self.ticked_netting.applications}
        return [(c, applied.get(c.id, Decimal(0))) for c in self.credits]


@dataclass
class SkippedVendor:
    """A vendor with payable invoices that no run may pay today, and why."""

    vendor_id: str
    vendor_name: str
    reason: str
    invoice_count: int


@dataclass
class Proposal:
    payment_date: dt.date
    currency: str | None
    payments: list[ProposedPayment]
    skipped: list[SkippedVendor]

    @property
    def blocking(self) -> list[ProposedPayment]:
        return [p for p in self.payments if p.problem]

    def invoices(self) -> dict[str, ProposedInvoice]:
        return {i.invoice.id: i for p in self.payments for i in p.invoices}

    def credits(self) -> dict[tuple[str, str], list[Invoice]]:
        """Each payment's open credit notes, by vendor and currency."""
        return {(p.vendor.id, p.currency): p.credits for p in self.payments}

    def totals(self) -> dict[str, Decimal]:
        result: dict[str, Decimal] = {}
        for payment in self.payments:
            result[payment.currency] = result.get(payment.currency, 0) + payment.amount
        return dict(sorted(result.items()))

    def tick(self, invoice_ids) -> None:
        """Tick only `invoice_ids` (the page's "Recalculate", without JavaScript)."""
        chosen = set(invoice_ids)
        for payment in self.payments:
            payment.ticked = chosen

    def ticked_totals(self) -> dict[str, Decimal]:
        """Per currency, what the ticked invoices transfer net of credits."""
        result: dict[str, Decimal] = {
            payment.currency: Decimal(0) for payment in self.payments
        }
        for payment in self.payments:
            result[payment.currency] += payment.ticked_netting.transfer
        return dict(sorted(result.items()))


def payable(invoice: Invoice) -> rules.PayableInvoice:
    return rules.PayableInvoice(
        total=invoice.total_amount,
        currency=invoice.currency,
        due_date=dt.date.fromisoformat(invoice.due_date),
        discount_date=(
            dt.date.fromisoformat(invoice.discount_date)
            if invoice.discount_date
            else None
        ),
        discount_percent=invoice.discount_percent,
        net=invoice.net_total,
        discount_base=settings.DISCOUNT_BASE,
    )


def _skip_reason(vendor: Vendor | None, payment_date: dt.date) -> str | None:
    if vendor is None:
        return "The vendor no longer exists."
    if vendor.status != VendorStatus.ACTIVE:
        return f"The vendor is {vendor.status}; only active vendors are paid."
    if vendor.bank_details_awaiting_confirmation:
        return "New bank details await a second user's confirmation."
    if vendor.on_payment_hold(payment_date):
        return f"On payment hold: {vendor.payment_hold_reason or 'no reason given'}."
    return None


def vendor_payment_problem(vendor: Vendor) -> str | None:
    return bank_details_problem(
        iban=vendor.iban,
        bic=vendor.bic,
        account_number=vendor.account_number,
        routing_number=vendor.routing_number,
    )


def payment_run_proposal(
    *, user, payment_date: dt.date, currency: str | None = None
) -> Proposal:
    """
    Propose a run: every matched invoice due (or earning its discount) by
    `payment_date` and not on hold then, one payment per vendor and
    currency, skipping vendors that are not active or are on payment hold.

    Reads the `matched` partition of the status index, so its cost follows
    the number of invoices waiting to be paid, not the size of the table.
    """
    require_reader(user)
    payable_now = [
        invoice
        for invoice in invoices_payable(day=payment_date)
        if currency is None or invoice.currency == currency
    ]
    # An open credit note nets whenever its vendor is paid, due or not.
    credits: dict[tuple[str, str], list[Invoice]] = {}
    for credit in (i for i in payable_now if i.is_credit_note):
        if credit.credit_open > 0:
            credits.setdefault((credit.vendor_id, credit.currency), []).append(credit)
    due = [
        invoice
        for invoice in payable_now
        if not invoice.is_credit_note
        and rules.is_payable(payable(invoice), payment_date)
    ]
    vendors = vendors_get_many(vendor_ids={i.vendor_id for i in due})
    payments: dict[tuple[str, str], ProposedPayment] = {}
    skipped: dict[str, SkippedVendor] = {}
    for invoice in due:
        vendor = vendors.get(invoice.vendor_id)
        if reason := _skip_reason(vendor, payment_date):
            entry = skipped.setdefault(
                invoice.vendor_id,
                SkippedVendor(invoice.vendor_id, invoice.vendor_name, reason, 0),
            )
            entry.invoice_count += 1
            continue
        key = (vendor.id, invoice.currency)
        if key not in payments:
            payments[key] = ProposedPayment(
                vendor=vendor,
                currency=invoice.currency,
                problem=vendor_payment_problem(vendor),
                credits=sorted(
                    credits.get(key, []),
                    key=lambda c: (c.invoice_date, c.invoice_number, c.id),
                ),
            )
        payments[key].invoices.append(
            ProposedInvoice(invoice, rules.settlement(payable(invoice), payment_date))
        )
    ordered = sorted(
        payments.values(), key=lambda p: (p.vendor.name.casefold(), p.currency)
    )
    for payment in ordered:
        payment.invoices.sort(
            key=lambda i: (i.invoice.due_date, i.invoice.invoice_number)
        )
    return Proposal(
        payment_date=payment_date,
        currency=currency,
        payments=ordered,
        skipped=sorted(skipped.values(), key=lambda s: s.vendor_name.casefold()),
    )


def payment_run_actions(*, run: PaymentRun, user) -> dict[str, str | None]:
    """
    For each button, None when the user may press it, else why not: the
    refusal the service would give, from the same check (payments.checks).
    """
    today = checks.local_today()
    return {
        "approve": checks.refusal(checks.approve_check, run, user=user, today=today),
        "return": checks.refusal(checks.return_check, run, user=user),
        "resubmit": checks.refusal(checks.resubmit_check, run, user=user, today=today),
        "export": checks.refusal(checks.export_check, run, user=user, today=today),
        "confirm": checks.refusal(checks.confirm_check, run, user=user),
        "cancel": checks.refusal(checks.cancel_check, run, user=user),
        "download": checks.refusal(checks.role_check, user, "download"),
    }


def payment_run_iban_flags(*, run: PaymentRun) -> dict[str, IbanSharing]:
    """
    The run's payments whose IBAN another vendor or the company itself has,
    by payment id (vendors.selectors.iban_sharings: one vendor-index and one
    account-index query per distinct IBAN the run pays).
    """
    sharings = iban_sharings(ibans={p.vendor_id: p.iban for p in run.payments})
    return {
        payment.id: sharing
        for payment in run.payments
        if (sharing := sharings.get(payment.vendor_id)) and sharing.flagged
    }


def payment_run_ids_numbered(*, number: str) -> list[str]:
    """The id of the run with this number (any case): the audit trail's lookup."""
    number = number.strip().upper()
    if not number or len(number.encode()) > dynamo.SORT_KEY_MAX_BYTES:
        return []
    return [
        run.id
        for run in PaymentRun.listing_number_index.query(
            LISTING, PaymentRun.number == number, limit=5
        )
    ]


def payment_runs_confirmed_between(
    *, start: dt.date, end: dt.date
) -> Iterator[PaymentRun]:
    """
    The runs confirmed on `start`..`end` (the site's days), through the status
    index's confirmed partition: runs created by `end`, filtered on when they
    were confirmed (a run is confirmed after it is created).
    """
    zone = timezone.get_default_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    last = dt.datetime.combine(end, dt.time.max, tzinfo=zone)
    yield from PaymentRun.status_index.query(
        PaymentRunStatus.CONFIRMED.value,
        range_key_condition=PaymentRun.created_at <= last,
        filter_condition=PaymentRun.confirmed_at.between(first, last),
    )


# --- The bank's answer (issue 17) ---------------------------------------------

# A pain.001's MsgId starts with its run's number (payments.files.message_id).
_RUN_NUMBER = re.compile(r"^(PR-\d{8}-[0-9A-Z]{6})")


def bank_statement_get(*, statement_id: str) -> BankStatement | None:
    """The imported bank file with this id (the SHA-256 of its content)."""
    if not statement_id or len(statement_id) > 100:
        return None
    try:
        return BankStatement.get(statement_id, consistent_read=True)
    except BankStatement.DoesNotExist:
        return None


def bank_statement_get_or_404(*, statement_id: str) -> BankStatement:
    statement = bank_statement_get(statement_id=statement_id)
    if statement is None:
        raise NotFound(f"There is no imported bank file with id '{statement_id}'.")
    return statement


def bank_statement_list(*, cursor: str | None = None, limit: int = 50) -> dynamo.Page:
    """Return a page of imported bank files, newest first."""
    return dynamo.query_page(
        BankStatement.listing_index,
        BANK_STATEMENT_LISTING,
        cursor=cursor,
        limit=limit,
    )


def payment_runs_answerable(*, since: dt.datetime) -> list[PaymentRun]:
    """
    The runs a bank file may answer: every exported run, and the confirmed
    runs created since `since` (a return after booking, a statement that
    repeats what a notification said), through the status index.
    """
    runs = list(PaymentRun.status_index.query(PaymentRunStatus.EXPORTED.value))
    runs += PaymentRun.status_index.query(
        PaymentRunStatus.CONFIRMED.value,
        range_key_condition=PaymentRun.created_at >= since,
    )
    return runs


def payment_run_with_message(*, message_id: str) -> PaymentRun | None:
    """The run one of whose files has this MsgId (a pain.002's OrgnlMsgId)."""
    found = _RUN_NUMBER.match(message_id or "")
    if found is None:
        return None
    for run_id in payment_run_ids_numbered(number=found.group(1)):
        run = payment_run_get(run_id=run_id)
        if run and any(f.message_id == message_id for f in run.files):
            return run
    return None
