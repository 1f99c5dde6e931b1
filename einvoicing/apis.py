"""
The e-invoice API: `POST /api/v1/invoices/import` (multipart `file`) and the
intake inbox, `GET /api/v1/einvoice-inbox`.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from accounts.roles import require_reader
from core.api_fields import refuse_unknown_filters
from einvoicing import batch, services
from einvoicing.selectors import intake_list
from invoicing.apis import InvoiceDetailOut

import_router = Router(tags=["e-invoices"])
inbox_router = Router(tags=["e-invoices"])


class IntakeOut(Schema):
    """An e-invoice waiting in the inbox for its vendor or PO."""

    id: str
    status: Literal["needs_vendor", "needs_po", "imported", "discarded"]
    reason: str | None = Field(default=None, description="Why it waits, in words.")
    file_name: str
    source_sha256: str
    document_type: Literal["invoice", "credit_note"]
    invoice_number: str
    issue_date: dt.date
    seller_name: str
    seller_vat_id: str | None
    order_reference: str | None
    vendor_id: str | None = Field(
        default=None, description="The vendor found, while it waits for its PO."
    )
    currency: str
    net_total: Decimal
    tax_amount: Decimal
    total_amount: Decimal
    amount_due: Decimal
    invoice_id: str | None = Field(default=None, description="Once imported.")
    received_at: dt.datetime
    version: int


class RuleFailureOut(Schema):
    rule: str = Field(description="The EN 16931 rule id, e.g. BR-CO-15.")
    flag: str
    message: str


class RefusalOut(Schema):
    detail: str


class InvalidOut(RefusalOut):
    errors: list[RuleFailureOut] | dict[str, str] = Field(
        default_factory=list,
        description="Each fatal EN 16931 rule the document broke.",
    )


class DuplicateOut(RefusalOut):
    existing_invoice_id: str | None = None
    existing_intake_id: str | None = None
    already_imported: bool = Field(
        default=False, description="This very file (its SHA-256) was taken in before."
    )


@import_router.post(
    "/import",
    response={
        201: InvoiceDetailOut,
        202: IntakeOut,
        409: DuplicateOut,
        413: RefusalOut,
        422: InvalidOut,
    },
    summary="Import an e-invoice (multipart `file`: UBL or CII XML, Factur-X PDF)",
)
def import_einvoice(request, file: File[UploadedFile]):
    """
    201 with the invoice (or credit note) it became, 202 with the inbox item
    when its vendor or PO is not found, 409 when the vendor's number is
    entered already or this very file was imported before, 422 with `errors`
    (each failed EN 16931 rule) for an invalid document, 413 when too large.
    """
    # One byte past the limit is enough to refuse a file as too large.
    content = file.read(batch.max_bytes() + 1)
    batch.refuse_too_large(content)
    outcome = services.einvoice_import(
        user=request.auth, filename=file.name or "upload", content=content
    )
    if outcome.invoice is not None:
        return Status(201, outcome.invoice)
    return Status(202, outcome.intake)


class IntakePage(Schema):
    items: list[IntakeOut]
    next_cursor: str | None


class IntakeListQuery(Schema):
    all: bool = Field(
        default=False, description="Every item taken in (imported, discarded too)."
    )
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


@inbox_router.get(
    "", response=IntakePage, summary="List the e-invoice inbox, newest first"
)
def list_inbox(request, filters: Query[IntakeListQuery]):
    require_reader(request.auth)
    refuse_unknown_filters(request, IntakeListQuery.model_fields)
    page = intake_list(
        waiting_only=not filters.all, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}
