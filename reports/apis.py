"""The reports API (/api/v1/reports)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from core.api_fields import refuse_unknown_filters
from reports import journal
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
