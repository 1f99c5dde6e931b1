"""The invoices API (/api/v1/invoices), with the original field names."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from accounts.roles import require_reader
from core.api_fields import (
    DecimalInput,
    LineCodingIn,
    LineCodingOut,
    WholeNumber,
    refuse_unknown_filters,
)
from core.errors import ValidationFailed
from core.lines import CODE_FIELDS
from core.versions import version_from_request
from invoicing import (
    coding,
    credit_notes,
    holds,
    reconciliation,
    services,
    variances,
    without_po,
)
from invoicing.selectors import (
    invoice_get_or_404,
    invoice_list,
    invoices_awaiting_approval_by,
    invoices_similar,
)

router = Router(tags=["invoices"])

InvoiceStatusName = Literal[
    "received",
    "awaiting_approval",
    "matched",
    "approved",
    "rejected",
    "scheduled",
    "paid",
    "applied",
    "void",
]


class InvoiceLineOut(LineCodingOut):
    line_number: int
    po_line_number: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    total_amount: Decimal


class TaxLineOut(Schema):
    tax_code: str
    rate: Decimal = Field(description="Percent.")
    category: str = Field(description="EN 16931 VAT category: S, Z, E, AE, K, G, O.")
    base: Decimal = Field(description="The lines' net of this code.")
    amount: Decimal = Field(description="The tax computed: base x rate, rounded once.")
    printed: Decimal | None = Field(
        default=None, description="The tax printed on the vendor's document."
    )


class InvoiceApprovalOut(Schema):
    approver: str
    approved_at: dt.datetime
    limit_used: Decimal = Field(description="The approver's limit, in base_currency.")
    base_currency: str
    base_amount: Decimal = Field(description="The invoice's worth in base_currency.")
    exchange_rate: Decimal | None = None
    rate_valid_from: dt.date | None = None


class AcceptanceOut(Schema):
    by: str = Field(description="The approver who accepted the variance.")
    at: dt.datetime
    reason: str
    codes: list[str] = Field(description="The finding codes accepted.")


class SentToApprovalOut(Schema):
    by: str = Field(description="The clerk who sent it.")
    at: dt.datetime
    to: str | None = Field(description="The approver asked; none: any approver.")
    note: str


class InvoiceOut(Schema):
    id: str
    document_type: Literal["invoice", "credit_note"] = "invoice"
    credited_invoice_id: str | None = Field(
        default=None, description="A credit note's invoice, when it corrects one."
    )
    credited_invoice_number: str | None = None
    po_id: str | None = Field(default=None, description="None: an invoice without PO.")
    po_number: str | None = None
    vendor_id: str
    vendor_name: str
    invoice_number: str
    items: list[InvoiceLineOut]
    currency: str
    net_total: Decimal
    tax_amount: Decimal = Field(
        description="The tax as printed (per code where printed, else computed)."
    )
    total_amount: Decimal = Field(description="Gross: net_total + tax_amount.")
    amount_due: Decimal | None = Field(
        default=None,
        description="What the document says is due (an e-invoice's BT-115, after "
        "prepaid amounts); none for an invoice typed in.",
    )
    source_sha256: str | None = Field(
        default=None,
        description="SHA-256 of the e-invoice file it was imported from, if any.",
    )
    tax_lines: list[TaxLineOut] | None = Field(
        default=None,
        description="The VAT breakdown per tax code; none when the lines name no "
        "tax code.",
    )
    status: str
    invoice_date: dt.date
    due_date: dt.date
    discount_date: dt.date | None
    discount_percent: Decimal | None
    report: dict[str, Any] | None
    submitted_at: dt.datetime
    updated_at: dt.datetime
    version: int
    on_hold: bool = Field(
        default=False, description="On hold today: no payment run proposes it."
    )
    hold_reason: str | None = None
    hold_until: dt.date | None = Field(
        default=None, description="The hold's last day; none: until released."
    )
    held_by: str | None = None
    approvals: list[InvoiceApprovalOut] = Field(
        default_factory=list,
        description="An invoice without PO's approvals so far, oldest first.",
    )
    approvals_required: int | None = Field(
        default=None, description="Approvals an invoice without PO needs (1 or 2)."
    )
    rejection_reason: str | None = None
    decided_by: str | None = Field(
        default=None, description="Who approved or rejected an invoice without PO."
    )

    @staticmethod
    def resolve_approvals(obj) -> list:
        return list(obj.approvals or [])

    acceptance: AcceptanceOut | None = Field(
        default=None, description="The variance an approver accepted, if any."
    )
    sent_to_approval: SentToApprovalOut | None = Field(
        default=None,
        description="While a rejected invoice waits for an approver's acceptance.",
    )

    @staticmethod
    def resolve_acceptance(obj) -> dict | None:
        return obj.acceptance

    @staticmethod
    def resolve_sent_to_approval(obj) -> dict | None:
        if not obj.variance_queue:
            return None
        return {
            "by": obj.variance_sent_by,
            "at": obj.variance_sent_at,
            "to": obj.variance_sent_to,
            "note": obj.variance_note,
        }

    @staticmethod
    def resolve_document_type(obj) -> str:
        return obj.document_kind.value

    @staticmethod
    def resolve_on_hold(obj) -> bool:
        return obj.on_hold()

    @staticmethod
    def resolve_hold_reason(obj) -> str | None:
        return obj.hold_reason if obj.on_hold() else None

    @staticmethod
    def resolve_hold_until(obj) -> str | None:
        return obj.hold_until if obj.on_hold() else None

    @staticmethod
    def resolve_held_by(obj) -> str | None:
        return obj.held_by if obj.on_hold() else None


class InvoiceDetailOut(InvoiceOut):
    possible_duplicates: list[str] = Field(
        default_factory=list,
        description="Ids of invoices with the same vendor, date and total (a warning).",
    )

    @staticmethod
    def resolve_possible_duplicates(obj):
        return [other.id for other in invoices_similar(invoice=obj)]


class InvoicePage(Schema):
    items: list[InvoiceOut]
    next_cursor: str | None


class InvoiceLineIn(LineCodingIn):
    model_config = ConfigDict(extra="forbid")

    description: str
    quantity: DecimalInput
    unit_price: DecimalInput
    po_line_number: WholeNumber | None = Field(
        default=None,
        description="The PO line billed; without it lines pair by position.",
    )


class PrintedTaxIn(Schema):
    model_config = ConfigDict(extra="forbid")

    tax_code: str = Field(max_length=20, description="A tax code of the lines.")
    amount: DecimalInput = Field(description="The tax printed for it.")


class InvoiceFields(Schema):
    model_config = ConfigDict(extra="forbid")

    invoice_number: str
    invoice_date: dt.date
    items: list[InvoiceLineIn]
    tax_amount: DecimalInput | None = Field(
        default=None,
        description="The tax printed on the document. With coded lines and no "
        "printed_tax: one code's tax, or several codes' total (checked as a sum).",
    )
    printed_tax: list[PrintedTaxIn] | None = Field(
        default=None,
        description="The tax printed per tax code (lines with tax codes only); "
        "a code left out takes the computed tax.",
    )
    total_amount: DecimalInput | None = Field(
        default=None, description="Optional; must equal the lines plus tax."
    )


class InvoiceCreateIn(InvoiceFields):
    po_id: str | None = Field(
        default=None,
        description="The PO billed; omit it (and give vendor_id) for none.",
    )
    vendor_id: str | None = Field(
        default=None,
        description="Without PO: the vendor (an invoice then awaits approval; a "
        "credit note stands alone).",
    )
    document_type: Literal["invoice", "credit_note"] = Field(
        default="invoice",
        description="`credit_note`: positive quantities and prices, a credit.",
    )
    credited_invoice_id: str | None = Field(
        default=None,
        max_length=100,
        description="A credit note's invoice (same vendor); omit for a standalone "
        "credit (then po_id or vendor_id).",
    )


class InvoiceUpdateIn(InvoiceFields):
    version: WholeNumber | None = None


class InvoiceListQuery(Schema):
    status: InvoiceStatusName | None = None
    po_id: str | None = Field(default=None, min_length=1, max_length=100)
    vendor_id: str | None = Field(default=None, min_length=1, max_length=100)
    submitted_from: dt.date | None = Field(
        default=None, description="First day entered (YYYY-MM-DD), inclusive."
    )
    submitted_to: dt.date | None = Field(
        default=None, description="Last day entered (YYYY-MM-DD), inclusive."
    )
    held: bool = Field(default=False, description="Only invoices on hold today.")
    awaiting: Literal["me"] | None = Field(
        default=None,
        description="`me`: invoices without PO awaiting my approval (alone).",
    )
    document_type: Literal["invoice", "credit_note"] | None = Field(
        default=None, description="Only invoices, or only credit notes."
    )
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


class HoldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, description="Required: why it is held.")
    until: dt.date | None = Field(
        default=None,
        description="The hold's last day (YYYY-MM-DD); none: until released.",
    )
    version: WholeNumber | None = None


class ReleaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: WholeNumber | None = None


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: WholeNumber | None = Field(
        default=None, description="The version you decided on; 409 if corrected since."
    )


class RejectIn(DecisionIn):
    reason: str | None = Field(default=None, description="Required: why.")


class AcceptVarianceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(
        default=None, description="Required: why the findings are accepted."
    )
    version: WholeNumber | None = None


class SendToApprovalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, description="Required: for the approver.")
    approver: str | None = Field(
        default=None,
        max_length=150,
        description="The approver's username; none: any approver whose limit covers it.",
    )
    version: WholeNumber | None = None


class RecodeLineIn(LineCodingIn):
    line_number: WholeNumber = Field(description="The invoice line recoded.")


class RecodeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lines: list[RecodeLineIn] = Field(
        description="Each line recoded: a code left out is kept, null clears it."
    )
    version: WholeNumber | None = Field(
        default=None, description="The version you read; 409 if changed since."
    )


class ReconcileOut(Schema):
    invoice: InvoiceOut
    report: dict[str, Any]


def _lines(items: list[InvoiceLineIn]) -> list[dict]:
    # A coding field not sent is left out (core.lines passes a code only when
    # the line has the key, and the line then inherits it), as an old
    # client's line always did.
    return [
        item.model_dump(exclude=set(CODE_FIELDS) - item.model_fields_set)
        for item in items
    ]


def _printed(printed_tax: list[PrintedTaxIn] | None) -> list[dict] | None:
    if printed_tax is None:
        return None
    return [row.model_dump() for row in printed_tax]


@router.post("", response={201: InvoiceDetailOut}, summary="Enter a vendor invoice")
def create_invoice(request, payload: InvoiceCreateIn):
    """
    An invoice against a PO, one without PO (`vendor_id`, it awaits
    approval), or (`document_type` `credit_note`) a credit note.
    """
    if payload.document_type == "credit_note":
        return Status(201, _create_credit_note(request, payload))
    if payload.credited_invoice_id:
        message = "Only a credit note (document_type credit_note) credits an invoice."
        raise ValidationFailed(message, {"credited_invoice_id": message})
    if payload.po_id is None:
        return Status(201, _create_without_po(request, payload))
    invoice = services.invoice_create(
        user=request.auth,
        po_id=payload.po_id,
        invoice_number=payload.invoice_number,
        invoice_date=payload.invoice_date,
        lines=_lines(payload.items),
        tax_amount=payload.tax_amount,
        printed_tax=_printed(payload.printed_tax),
        total_amount=payload.total_amount,
    )
    return Status(201, invoice)


def _create_without_po(request, payload: InvoiceCreateIn):
    if not payload.vendor_id:
        message = "Give the PO billed (po_id) or, for an invoice without PO, vendor_id."
        raise ValidationFailed(message, {"vendor_id": message})
    return without_po.invoice_without_po_create(
        user=request.auth,
        vendor_id=payload.vendor_id,
        invoice_number=payload.invoice_number,
        invoice_date=payload.invoice_date,
        lines=_lines(payload.items),
        tax_amount=payload.tax_amount,
        printed_tax=_printed(payload.printed_tax),
        total_amount=payload.total_amount,
    )


def _create_credit_note(request, payload: InvoiceCreateIn):
    return credit_notes.credit_note_create(
        user=request.auth,
        credited_invoice_id=payload.credited_invoice_id,
        po_id=payload.po_id,
        vendor_id=payload.vendor_id,
        invoice_number=payload.invoice_number,
        invoice_date=payload.invoice_date,
        lines=_lines(payload.items),
        tax_amount=payload.tax_amount,
        printed_tax=_printed(payload.printed_tax),
        total_amount=payload.total_amount,
    )


@router.get("", response=InvoicePage, summary="List invoices, newest first")
def list_invoices(request, filters: Query[InvoiceListQuery]):
    require_reader(request.auth)
    refuse_unknown_filters(request, InvoiceListQuery.model_fields)
    criteria = filters.model_dump()
    if criteria.pop("awaiting"):
        page = invoices_awaiting_approval_by(
            user=request.auth, cursor=filters.cursor, limit=filters.limit
        )
        return {"items": page.items, "next_cursor": page.next_cursor}
    page = invoice_list(**criteria)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{invoice_id}", response=InvoiceDetailOut, summary="Get an invoice")
def get_invoice(request, invoice_id: str):
    require_reader(request.auth)
    return invoice_get_or_404(invoice_id=invoice_id)


@router.put("/{invoice_id}", response=InvoiceDetailOut, summary="Correct and resubmit")
def update_invoice(request, invoice_id: str, payload: InvoiceUpdateIn):
    return services.invoice_resubmit(
        invoice_id=invoice_id,
        user=request.auth,
        version=version_from_request(request, payload.version, required=False),
        invoice_number=payload.invoice_number,
        invoice_date=payload.invoice_date,
        lines=_lines(payload.items),
        tax_amount=payload.tax_amount,
        printed_tax=_printed(payload.printed_tax),
        total_amount=payload.total_amount,
    )


@router.delete(
    "/{invoice_id}", response={204: None}, summary="Void an invoice (frees its number)"
)
def delete_invoice(
    request,
    invoice_id: str,
    version: WholeNumber | None = None,
    reason: str | None = None,
):
    services.invoice_void(
        invoice_id=invoice_id,
        user=request.auth,
        reason=reason or "Deleted through the API",
        version=version_from_request(request, version, required=False),
    )
    return Status(204, None)


@router.put(
    "/{invoice_id}/coding",
    response=InvoiceDetailOut,
    summary="Recode lines (tax code, GL account, cost centre) before matching",
)
def recode_invoice(request, invoice_id: str, payload: RecodeIn):
    """Refused (409) once the invoice is matched, approved, scheduled or paid."""
    return coding.invoice_recode(
        invoice=invoice_get_or_404(invoice_id=invoice_id),
        user=request.auth,
        lines=[line.model_dump(exclude_unset=True) for line in payload.lines],
        version=version_from_request(request, payload.version, required=False),
    )


@router.put(
    "/{invoice_id}/reconcile",
    response=ReconcileOut,
    summary="Reconcile; returns the report",
)
def reconcile_invoice(request, invoice_id: str):
    invoice, report = reconciliation.invoice_reconcile(
        invoice_id=invoice_id, user=request.auth
    )
    return {
        "invoice": invoice,
        "report": reconciliation.report_as_dict(report),
    }


@router.put(
    "/{invoice_id}/hold",
    response=InvoiceDetailOut,
    summary="Put a payable invoice on hold (reason, optional until)",
)
def hold_invoice(request, invoice_id: str, payload: HoldIn):
    return holds.invoice_hold(
        invoice_id=invoice_id,
        user=request.auth,
        reason=payload.reason,
        until=payload.until,
        version=version_from_request(request, payload.version, required=False),
    )


@router.put(
    "/{invoice_id}/release",
    response=InvoiceDetailOut,
    summary="Release an invoice's hold",
)
def release_invoice(request, invoice_id: str, payload: ReleaseIn | None = None):
    return holds.invoice_release(
        invoice_id=invoice_id,
        user=request.auth,
        version=version_from_request(
            request, payload.version if payload else None, required=False
        ),
    )


@router.put(
    "/{invoice_id}/approve",
    response=InvoiceDetailOut,
    summary="Approve an invoice without PO",
)
def approve_invoice(request, invoice_id: str, payload: DecisionIn | None = None):
    return without_po.invoice_approve(
        invoice_id=invoice_id,
        user=request.auth,
        version=payload.version if payload else None,
    )


@router.put(
    "/{invoice_id}/reject",
    response=InvoiceDetailOut,
    summary="Reject an invoice without PO, with a reason",
)
def reject_invoice(request, invoice_id: str, payload: RejectIn):
    return without_po.invoice_reject(
        invoice_id=invoice_id,
        user=request.auth,
        reason=payload.reason,
        version=payload.version,
    )


@router.put(
    "/{invoice_id}/accept-variance",
    response=InvoiceDetailOut,
    summary="Accept a rejected invoice's variance (Approver; reason)",
)
def accept_variance(request, invoice_id: str, payload: AcceptVarianceIn):
    return variances.invoice_variance_accept(
        invoice_id=invoice_id,
        user=request.auth,
        reason=payload.reason,
        version=version_from_request(request, payload.version, required=False),
    )


@router.put(
    "/{invoice_id}/send-to-approval",
    response=InvoiceDetailOut,
    summary="Send a rejected invoice to approval (note, optional approver)",
)
def send_to_approval(request, invoice_id: str, payload: SendToApprovalIn):
    return variances.invoice_send_to_approval(
        invoice_id=invoice_id,
        user=request.auth,
        note=payload.note,
        approver=payload.approver,
        version=version_from_request(request, payload.version, required=False),
    )
