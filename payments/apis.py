"""The payment runs API (/api/v1/payment-runs)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import ConfigDict, Field, field_validator

from accounts.roles import require_reader
from core import documents
from core.api_fields import WholeNumber, refuse_unknown_filters
from core.money import MoneyError, validate_currency
from core.versions import version_from_request
from payments import bank_answers, services
from payments.selectors import (
    payment_run_file,
    payment_run_get_or_404,
    payment_run_list,
)
from treasury.selectors import bank_account_list, paying_account_shown
from vendors.apis import BankAccountShown

router = Router(tags=["payment runs"])

RunStatusName = Literal[
    "draft", "returned", "approved", "exported", "confirmed", "cancelled"
]


class SettledInvoiceOut(Schema):
    invoice_id: str
    invoice_number: str
    due_date: dt.date
    total_amount: Decimal
    discount: Decimal
    amount: Decimal


class AppliedCreditOut(Schema):
    credit_note_id: str
    credit_note_number: str
    open_amount: Decimal = Field(description="What the credit note had open.")
    amount: Decimal = Field(description="What this payment nets of it.")


class PayingAccountOut(Schema):
    id: str
    name: str
    currency: str
    number: str | None = Field(
        description="The account's IBAN or account number, masked to its last four."
    )


def _paying_account(account_id: str | None, context) -> dict | None:
    """The company account `account_id`, read once per request for every payment."""
    if not account_id:
        return None
    request = context.get("request") if context else None
    cache = getattr(request, "_paying_accounts", None)
    if cache is None:
        cache = {a.id: a for a in bank_account_list()}
        if request is not None:
            request._paying_accounts = cache
    account = cache.get(account_id)
    return paying_account_shown(account) if account else None


class VendorPaymentOut(BankAccountShown):
    id: str = Field(description="The payment's EndToEndId in the bank file.")
    vendor_id: str
    vendor_name: str
    currency: str
    iban: str | None
    bic: str | None
    account_number: str | None
    routing_number: str | None
    amount: Decimal = Field(
        description="The transfer: the invoices less the credits applied; "
        "0 when credits settle them alone (no transfer in the bank file)."
    )
    discount: Decimal
    invoices: list[SettledInvoiceOut]
    credits_applied: list[AppliedCreditOut] = Field(
        default_factory=list,
        description="The vendor's credit notes this payment nets, oldest first.",
    )
    paying_account: PayingAccountOut | None = Field(
        None,
        description="The company account paying it; null on runs built before "
        "paying accounts (paid from the payer in settings).",
    )

    @staticmethod
    def resolve_paying_account(obj, context):
        return _paying_account(obj.paying_account_id, context)


class RunFileOut(Schema):
    name: str
    kind: str
    currency: str | None
    sha256: str
    size: int
    version_id: str | None
    execution_date: dt.date | None = Field(
        None, description="The execution date a pain.001 requests."
    )
    paying_account: PayingAccountOut | None = Field(
        None, description="The company account a pain.001 pays from."
    )

    @staticmethod
    def resolve_paying_account(obj, context):
        return _paying_account(obj.paying_account_id, context)


class PaymentRunOut(Schema):
    id: str
    number: str
    payment_date: dt.date
    currency: str | None
    status: str
    invoice_count: int
    payments: list[VendorPaymentOut]
    files: list[RunFileOut]
    created_by: str
    created_at: dt.datetime
    approved_by: str | None
    exported_by: str | None
    confirmed_by: str | None
    cancelled_by: str | None
    cancel_reason: str | None
    returned_by: str | None = Field(
        default=None, description="The approver who last returned it to its builder."
    )
    return_reason: str | None = Field(
        default=None, description="Why it was returned (kept once sent again)."
    )
    left_out: list[str] = Field(
        default_factory=list,
        description="Invoice (and credit note) numbers another run took while "
        "this one was built.",
    )
    version: int


class PaymentRunSummaryOut(Schema):
    id: str
    number: str
    payment_date: dt.date
    status: str
    invoice_count: int
    created_by: str
    created_at: dt.datetime
    version: int


class PaymentRunPage(Schema):
    items: list[PaymentRunSummaryOut]
    next_cursor: str | None


class PaymentRunCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    payment_date: dt.date
    # Sizes are bounded here, before the service sees (and records) a refusal.
    currency: str | None = Field(
        default=None,
        max_length=3,
        pattern="^[A-Za-z]{3}$",
        description="An ISO 4217 code; omit for every currency.",
    )
    invoice_ids: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None,
        max_length=1000,
        description="The invoices to pay; omit to pay every proposed invoice.",
    )

    @field_validator("currency")
    @classmethod
    def _supported_currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return validate_currency(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from None


class RunListQuery(Schema):
    status: RunStatusName | None = None
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


class RunDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: WholeNumber | None = None


class RunCancelIn(RunDecisionIn):
    reason: str


class RunReturnIn(RunDecisionIn):
    reason: str = Field(description="Why the run goes back to its builder.")


@router.post(
    "",
    response={201: PaymentRunOut, 200: PaymentRunOut},
    summary="Build a payment run (send an Idempotency-Key header to retry safely)",
    description="A `payment_date` on a weekend or a holiday of the settlement "
    "calendar of a currency the run pays (TARGET2 for EUR, the Federal Reserve "
    "for USD) answers 422 with the next business day in `next_business_day`.",
)
def create_payment_run(request, payload: PaymentRunCreateIn):
    key = request.headers.get("Idempotency-Key")
    built = services.payment_run_create(
        user=request.auth,
        payment_date=payload.payment_date,
        currency=payload.currency,
        invoice_ids=payload.invoice_ids,
        idempotency_key=key,
    )
    # A replay answers 200 with the run the first request created.
    built.run.left_out = list(built.left_out)
    return Status(201 if built.created else 200, built.run)


@router.get("", response=PaymentRunPage, summary="List payment runs, newest first")
def list_payment_runs(request, filters: Query[RunListQuery]):
    require_reader(request.auth)
    refuse_unknown_filters(request, RunListQuery.model_fields)
    page = payment_run_list(**filters.model_dump())
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{run_id}", response=PaymentRunOut, summary="Get a payment run")
def get_payment_run(request, run_id: str):
    require_reader(request.auth)
    return payment_run_get_or_404(run_id=run_id)


@router.put(
    "/{run_id}/approve", response=PaymentRunOut, summary="Approve (not by its builder)"
)
def approve_payment_run(request, run_id: str, payload: RunDecisionIn | None = None):
    return services.payment_run_approve(
        run_id=run_id,
        user=request.auth,
        version=version_from_request(request, payload.version if payload else None),
    )


@router.post(
    "/{run_id}/export", response=PaymentRunOut, summary="Write the pain.001 file"
)
def export_payment_run(request, run_id: str, payload: RunDecisionIn | None = None):
    return services.payment_run_export(
        run_id=run_id,
        user=request.auth,
        version=version_from_request(request, payload.version if payload else None),
    )


@router.get(
    "/{run_id}/file",
    response={200: None},
    summary="Download a file of the run (the pain.001 by default)",
)
def download_payment_file(request, run_id: str, name: str | None = None):
    run = payment_run_get_or_404(run_id=run_id)
    if name is None:
        pain = [f.name for f in run.files if f.kind == "pain001"]
        name = pain[0] if pain else "pain001.xml"
    run_file = payment_run_file(run=run, user=request.auth, name=name)
    return documents.document_download(
        key=run_file.key,
        filename=f"{run.number}-{run_file.name}",
        content_type=run_file.content_type,
    )


@router.put(
    "/{run_id}/confirm", response=PaymentRunOut, summary="Confirm the bank executed it"
)
def confirm_payment_run(request, run_id: str, payload: RunDecisionIn | None = None):
    return services.payment_run_confirm(
        run_id=run_id,
        user=request.auth,
        version=version_from_request(request, payload.version if payload else None),
    )


@router.put("/{run_id}/cancel", response=PaymentRunOut, summary="Cancel, with a reason")
def cancel_payment_run(request, run_id: str, payload: RunCancelIn):
    return services.payment_run_cancel(
        run_id=run_id,
        user=request.auth,
        reason=payload.reason,
        version=version_from_request(request, payload.version),
    )


@router.put(
    "/{run_id}/return",
    response=PaymentRunOut,
    summary="Return a draft to its builder instead of approving it, with a reason",
)
def return_payment_run(request, run_id: str, payload: RunReturnIn):
    return services.payment_run_return(
        run_id=run_id,
        user=request.auth,
        reason=payload.reason,
        version=version_from_request(request, payload.version),
    )


@router.put(
    "/{run_id}/resubmit",
    response=PaymentRunOut,
    summary="Send a returned run for approval again (its builder)",
)
def resubmit_payment_run(request, run_id: str, payload: RunDecisionIn | None = None):
    return services.payment_run_resubmit(
        run_id=run_id,
        user=request.auth,
        version=version_from_request(request, payload.version if payload else None),
    )


# --- Bank statements (issue 17): /api/v1/bank-statements ----------------------

bank_statement_router = Router(tags=["bank statements"])


class BankStatementImportOut(Schema):
    id: str = Field(description="The SHA-256 of the file: its id on the import page.")
    message_type: str = Field(description="pain.002, camt.054 or camt.053.")
    entries: int = Field(description="The transfers the file speaks of.")
    confirmed: int = Field(description="Payments it booked: their invoices are paid.")
    returned: int = Field(
        description="Payments it rejected or returned: their invoices are matched "
        "again and the vendor is on payment hold."
    )
    unmatched: int = Field(
        description="Entries that changed no payment, listed on the import's page "
        "for a person to resolve."
    )
    already_imported: bool = Field(
        description="The same file was imported before: nothing changed, every "
        "count is 0."
    )


@bank_statement_router.post(
    "",
    response={201: BankStatementImportOut, 200: BankStatementImportOut},
    summary="Import a bank's answer: a pain.002, camt.054 or camt.053 file "
    "(multipart `file`); 200 when the same file was imported before",
)
def import_bank_statement(request, file: File[UploadedFile]):
    # One byte past the limit is enough to refuse a file as too large.
    content = file.read(bank_answers.max_bytes() + 1)
    result = bank_answers.bank_statement_import(
        content=content, filename=file.name, user=request.auth, source="api"
    )
    return Status(200 if result.already_imported else 201, result)
