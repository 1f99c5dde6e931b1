"""The reports' API: the journal of a period, a vendor's ledger and the AP ageing report."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from core.api_fields import refuse_unknown_filters
from core.errors import ValidationFailed
from reports import journal, selectors
from reports.views import file_response

router = Router(tags=["reports"])


class JournalQuery(Schema):
    model_config = ConfigDict(populate_by_name=True)

    start: dt.date = Field(alias="from", description="The period's first day.")
    end: dt.date = Field(alias="to", description="The period's last day.")
    format: Literal["json", "csv", "datev"] = Field(
        "json",
        description="json: the entries; csv: one row per line; datev: DATEV's "
        "booking batch (EXTF, Windows-1252). A csv or datev file is recorded as "
        "an export of the period.",
    )


class JournalLineOut(Schema):
    account: str
    debit: Decimal
    credit: Decimal
    cost_centre: str | None
    tax_code: str | None
    document: str
    vendor: str
    text: str


class JournalEntryOut(Schema):
    id: str
    date: dt.date
    kind: str = Field(description="invoice, credit_note, void or payment.")
    document: str
    vendor: str
    vendor_id: str
    currency: str
    text: str
    debit_total: Decimal
    credit_total: Decimal
    late_posting: str | None = Field(
        description="Why the entry is a late posting: posted after its period "
        "was exported; None otherwise."
    )
    lines: list[JournalLineOut]


class CurrencyTotalOut(Schema):
    currency: str
    debit: Decimal
    credit: Decimal


class JournalOut(Schema):
    start: dt.date = Field(serialization_alias="from")
    end: dt.date = Field(serialization_alias="to")
    entries: list[JournalEntryOut]
    totals: list[CurrencyTotalOut]
    late_postings: int


def journal_out(period: journal.Journal) -> dict:
    return {
        "start": period.start,
        "end": period.end,
        "entries": [
            {
                **{
                    name: getattr(entry, name)
                    for name in (
                        "id",
                        "date",
                        "kind",
                        "document",
                        "vendor",
                        "vendor_id",
                        "currency",
                        "text",
                        "debit_total",
                        "credit_total",
                    )
                },
                "late_posting": entry.late,
                "lines": [line.__dict__ for line in entry.lines],
            }
            for entry in period.entries
        ],
        "totals": [
            {"currency": currency, "debit": debit, "credit": credit}
            for currency, (debit, credit) in period.totals.by_currency.items()
        ],
        "late_postings": period.late_count,
    }


@router.get(
    "/journal",
    response={200: JournalOut},
    by_alias=True,
    summary="The journal of a period (JSON, CSV or DATEV)",
)
def get_journal(request, query: Query[JournalQuery]):
    """
    Balanced double-entry lines of every posting in the period: invoices and
    credit notes on their posting date, voids on their void date, payments on
    the day their run was confirmed. Finance roles only (Treasurer, AP Clerk,
    Auditor, Admin).
    """
    refuse_unknown_filters(request, ("from", "to", "format"))
    if query.format == "json":
        period = journal.journal_for_period(
            user=request.auth, start=query.start, end=query.end
        )
        return journal_out(period)
    exported = journal.journal_export(
        user=request.auth, start=query.start, end=query.end, fmt=query.format
    )
    response: HttpResponse = file_response(exported)
    return response


# Mounted at /vendors beside vendors' own router, and at /reports.
vendor_router = Router(tags=["vendors"])


class LedgerEntryOut(Schema):
    date: dt.date
    document: str = Field(
        description="invoice, credit_note, payment, discount_taken or void_reversal"
    )
    reference: str
    document_id: str | None
    currency: str
    debit: Decimal
    credit: Decimal
    balance: Decimal = Field(
        description="Debits less credits so far: minus what is owed."
    )


class OpenItemOut(Schema):
    document: str
    reference: str
    document_id: str
    posting_date: dt.date
    due_date: dt.date
    currency: str
    amount: Decimal = Field(description="Open amount; a credit note's is negative.")
    bucket: str


class AgeingOut(Schema):
    buckets: dict[str, Decimal]
    total: Decimal


class VendorLedgerOut(Schema):
    vendor_id: str
    from_: dt.date | None = Field(alias="from")
    to: dt.date | None
    entries: list[LedgerEntryOut]
    next_cursor: str | None
    open_items: list[OpenItemOut]
    balance: dict[str, Decimal]
    ageing: dict[str, AgeingOut] = Field(description="Per currency, as of today.")
    as_of: dt.date


def _period(start, end):
    if start and end and start > end:
        message = f"The period ends ({end}) before it starts ({start})."
        raise ValidationFailed(message, {"to": message})


@vendor_router.get(
    "/{vendor_id}/ledger",
    response=VendorLedgerOut,
    by_alias=True,
    summary="A vendor's ledger: entries of a period, open items, ageing",
)
def vendor_ledger(
    request,
    vendor_id: str,
    start: dt.date | None = Query(None, alias="from"),
    end: dt.date | None = Query(None, alias="to"),
    cursor: str | None = None,
    limit: int = Query(500, ge=1, le=1000),
):
    """
    Every posted document, payment and void reversal of the period, oldest
    first, with the running balance per currency (exact across pages: follow
    `next_cursor`). Finance staff only.
    """
    refuse_unknown_filters(request, ("from", "to", "cursor", "limit"))
    _period(start, end)
    ledger = selectors.vendor_ledger(
        user=request.auth, vendor_id=vendor_id, start=start, end=end,
        cursor=cursor, limit=limit, newest_first=False,
    )  # fmt: skip
    return {
        "vendor_id": ledger.vendor.id,
        "from": start,
        "to": end,
        "entries": [
            {
                "date": row.date,
                "document": row.document,
                "reference": row.reference,
                "document_id": row.document_id,
                "currency": row.currency,
                "debit": row.debit,
                "credit": row.credit,
                "balance": row.balance,
            }
            for row in ledger.rows
        ],
        "next_cursor": ledger.next_cursor,
        "open_items": [item.__dict__ for item in ledger.open_items],
        "balance": ledger.balance,
        "ageing": ledger.ageing,
        "as_of": ledger.as_of,
    }


class AgeingVendorOut(Schema):
    vendor_id: str
    vendor_name: str
    currency: str
    buckets: dict[str, Decimal]
    total: Decimal


class AgeingCurrencyOut(Schema):
    currency: str
    vendors: list[AgeingVendorOut]
    buckets: dict[str, Decimal]
    total: Decimal


class AgeingReportOut(Schema):
    as_of: dt.date
    items_as_of: dt.date | None = Field(
        description="The day the open items were read (the summary's computation)."
    )
    computed_at: dt.datetime | None
    vendors: list[AgeingVendorOut]
    total: Decimal | None = Field(
        description="The total when one currency is shown; else see `currencies`."
    )
    currencies: list[AgeingCurrencyOut]


@router.get(
    "/ageing",
    response=AgeingReportOut,
    summary="The AP ageing report per vendor and currency, as of a date",
)
def ageing_report(
    request,
    as_of: dt.date | None = None,
    currency: str | None = Query(None, min_length=3, max_length=3),
):
    """Computed from the kept summary of open items; finance staff only."""
    refuse_unknown_filters(request, ("as_of", "currency"))
    report = selectors.ageing_report(
        user=request.auth, as_of=as_of, currency=currency and currency.upper()
    )
    currencies = [
        {
            "currency": code,
            "vendors": [{**v, "currency": code} for v in part["vendors"]],
            "buckets": part["buckets"],
            "total": part["total"],
        }
        for code, part in report.by_currency.items()
    ]
    return {
        "as_of": report.as_of,
        "items_as_of": report.items_as_of,
        "computed_at": report.computed_at,
        "vendors": [v for part in currencies for v in part["vendors"]],
        "total": currencies[0]["total"] if len(currencies) == 1 else None,
        "currencies": currencies,
    }
