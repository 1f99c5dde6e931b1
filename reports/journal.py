"""
The journal of a period, read across the apps (accounting.journal's rules on
invoicing's posted documents and payments' confirmed runs), and its export:
a file for the general ledger, recorded as a JournalExport with its audit
entry in one transaction.

Reads go through indexes only: the posted documents of a period are one key
range of invoicing's posted index, voids the void partition of its status
index, payments the confirmed partition of the runs' status index.

A document whose posting date falls in a period already exported, but which
was posted after that export, is a late posting: the general ledger has the
period without it. The page, the JSON and both files say so per entry.
"""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, replace

from django.conf import settings

from accounting import journal
from accounting.journal_files import (
    DatevHeader,
    datev_bookings,
    datev_csv,
    datev_file_name,
    datev_period_problem,
    journal_csv,
)
from accounting.selectors import tax_codes_by_code
from accounting.tax import TaxLine
from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry, audit_entry_add
from audit.models import AuditAction
from core import dynamo
from core.days import site_date
from core.errors import ValidationFailed
from invoicing.selectors import invoices_posted_between, invoices_voided_between
from payments.selectors import payment_runs_confirmed_between
from reports.models import EXPORT_LISTING, JournalExport

FORMATS = ("csv", "datev")
# Who may read and export the journal (the superuser may too).
JOURNAL_ROLES = (Role.TREASURER, Role.AP_CLERK, Role.AUDITOR)
# A period longer than this is refused: split it (a year is the most DATEV takes).
MAX_PERIOD_DAYS = 366


def require_journal_reader(user, *, action: str = "read the journal") -> None:
    require_role(user, *JOURNAL_ROLES, action=action)


def journal_accounts() -> journal.JournalAccounts:
    """The accounts the journal posts to, from settings and the tax codes."""
    codes = tax_codes_by_code()
    default_code = settings.DEFAULT_TAX_CODE or None
    default_account = codes[default_code].gl_account if default_code in codes else None
    return journal.JournalAccounts(
        ap_control=settings.AP_CONTROL_ACCOUNT,
        discount_received=settings.DISCOUNT_RECEIVED_ACCOUNT,
        suspense=settings.JOURNAL_SUSPENSE_ACCOUNT,
        bank_by_currency=dict(settings.BANK_GL_ACCOUNTS),
        tax_codes={
            code: journal.TaxAccounts(c.gl_account, c.reverse_charge_account)
            for code, c in codes.items()
        },
        legacy_input_vat=settings.JOURNAL_LEGACY_TAX_ACCOUNT
        or default_account
        or settings.JOURNAL_SUSPENSE_ACCOUNT,
        legacy_tax_code=default_code,
    )


def posted_document(invoice) -> journal.PostedDocument:
    """An invoice or credit note as the journal's rules read it."""
    tax_lines = None
    if invoice.tax_lines is not None:
        tax_lines = tuple(
            TaxLine(
                tax_code=t.tax_code,
                rate=t.rate,
                category=t.category,
                base=t.base,
                amount=t.amount,
                printed=t.printed,
            )
            for t in invoice.tax_lines
        )
    return journal.PostedDocument(
        id=invoice.id,
        number=invoice.invoice_number,
        kind=journal.CREDIT_NOTE if invoice.is_credit_note else journal.INVOICE,
        vendor_id=invoice.vendor_id,
        vendor_name=invoice.vendor_name,
        currency=invoice.currency,
        posting_date=invoice.posting_date,
        lines=tuple(
            journal.PostedLine(
                net=line.total_amount,
                gl_account=line.gl_account,
                cost_centre=line.cost_centre,
                tax_code=line.tax_code,
            )
            for line in invoice.items
        ),
        tax_amount=invoice.tax_amount,
        total_amount=invoice.total_amount,
        tax_lines=tax_lines,
        voided_on=invoice.voided_on,
        posted_at=invoice.posted_at.isoformat() if invoice.posted_at else None,
    )


def confirmed_payments(run) -> list[journal.ConfirmedPayment]:
    """The vendor payments of a confirmed run, dated the site's day it was confirmed."""
    day = site_date(run.confirmed_at).isoformat()
    return [
        journal.ConfirmedPayment(
            id=f"{run.id}/{payment.id}",
            run_number=run.number,
            vendor_id=payment.vendor_id,
            vendor_name=payment.vendor_name,
            currency=payment.currency,
            date=day,
            transferred=payment.amount,
            items=(
                *(
                    journal.SettledItem(
                        document=i.invoice_number,
                        total=i.total_amount,
                        discount=i.discount,
                    )
                    for i in payment.invoices
                ),
                *(
                    journal.SettledItem(
                        document=c.credit_note_number, total=c.amount, credit=True
                    )
                    for c in payment.credits_applied
                ),
            ),
        )
        for payment in run.payments
    ]


def journal_exports_overlapping(*, start: dt.date, end: dt.date) -> list[JournalExport]:
    """The recorded exports whose period overlaps `start`..`end`, oldest first."""
    exports = JournalExport.period_index.query(
        EXPORT_LISTING,
        range_key_condition=JournalExport.period_end >= start.isoformat(),
        filter_condition=JournalExport.period_start <= end.isoformat(),
    )
    return sorted(exports, key=lambda export: export.exported_at)


def _late(entry: journal.JournalEntry, exports: list[JournalExport]) -> str | None:
    """Why `entry` is a late posting (the last export it missed), or None."""
    if entry.kind not in (journal.INVOICE, journal.CREDIT_NOTE) or not entry.posted_at:
        return None
    posted_at = dt.datetime.fromisoformat(entry.posted_at)
    missed = [
        export
        for export in exports
        if export.period_start <= entry.date <= export.period_end
        and export.exported_at < posted_at
    ]
    if not missed:
        return None
    export = missed[-1]
    return (
        f"Late posting: posted {posted_at:%Y-%m-%d %H:%M} UTC into "
        f"{export.period_start} to {export.period_end}, exported "
        f"({export.format.upper()}) on {export.exported_at:%Y-%m-%d %H:%M} UTC "
        f"by {export.exported_by}."
    )


@dataclass(frozen=True)
class Journal:
    start: dt.date
    end: dt.date
    entries: list[journal.JournalEntry]
    totals: journal.JournalTotals
    exports: list[JournalExport]

    @property
    def late_count(self) -> int:
        return sum(1 for entry in self.entries if entry.late)

    @property
    def line_count(self) -> int:
        return sum(len(entry.lines) for entry in self.entries)


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """Refuse a missing, reversed or over-long period, naming the field."""
    if start is None or end is None:
        field = "from" if start is None else "to"
        message = "Choose the period's first and last day."
        raise ValidationFailed(message, {field: message})
    if end < start:
        message = "The period ends before it starts."
        raise ValidationFailed(message, {"to": message})
    if (end - start).days >= MAX_PERIOD_DAYS:
        message = f"A journal covers at most {MAX_PERIOD_DAYS} days: split the period."
        raise ValidationFailed(message, {"to": message})
    return start, end


def journal_for_period(*, user, start: dt.date, end: dt.date) -> Journal:
    """The journal of `start`..`end`: every entry, late postings flagged."""
    require_journal_reader(user)
    start, end = check_period(start, end)
    documents = {inv.id: inv for inv in invoices_posted_between(start=start, end=end)}
    for invoice in invoices_voided_between(start=start, end=end):
        documents.setdefault(invoice.id, invoice)
    payments = [
        payment
        for run in payment_runs_confirmed_between(start=start, end=end)
        for payment in confirmed_payments(run)
    ]
    entries = journal.period_entries(
        documents=[posted_document(inv) for inv in documents.values()],
        payments=payments,
        accounts=journal_accounts(),
        start=start.isoformat(),
        end=end.isoformat(),
    )
    exports = journal_exports_overlapping(start=start, end=end)
    entries = [replace(entry, late=_late(entry, exports)) for entry in entries]
    return Journal(
        start=start,
        end=end,
        entries=entries,
        totals=journal.journal_totals(entries),
        exports=exports,
    )


@dataclass(frozen=True)
class JournalFile:
    name: str
    content_type: str
    content: bytes
    sha256: str
    journal: Journal
    export: JournalExport | None


def datev_header(*, start: dt.date, end: dt.date, user) -> DatevHeader:
    month, day = (int(part) for part in settings.DATEV_FISCAL_YEAR_START.split("-"))
    fiscal_start = dt.date(start.year, month, day)
    if fiscal_start > start:
        fiscal_start = dt.date(start.year - 1, month, day)
    return DatevHeader(
        consultant=settings.DATEV_CONSULTANT_NUMBER,
        client=settings.DATEV_CLIENT_NUMBER,
        fiscal_year_start=fiscal_start,
        account_length=settings.DATEV_ACCOUNT_LENGTH,
        start=start,
        end=end,
        created=dt.datetime.now(),
        label=f"AP journal {start:%m/%Y}",
        chart=settings.DATEV_CHART,
        currency=settings.BASE_CURRENCY,
        exported_by=actor_id(user),
    )


def journal_export_event(*, export: JournalExport, user):
    return audit_entry(
        entity_type="journal_export",
        entity_id=export.id,
        action=AuditAction.EXPORT,
        user=user,
        details={
            "period_start": export.period_start,
            "period_end": export.period_end,
            "format": export.format,
            "file_name": export.file_name,
            "entry_count": export.entry_count,
            "line_count": export.line_count,
            "late_count": export.late_count,
            "sha256": export.sha256,
            "exported_at": export.exported_at.isoformat(),
        },
        label=export.label,
    )


def journal_export(
    *, user, start: dt.date, end: dt.date, fmt: str, record: bool = True
) -> JournalFile:
    """
    Write the journal of `start`..`end` as `fmt` ("csv" or "datev"); with
    `record`, keep it as a JournalExport with its audit entry (both or
    neither), so later postings into the period are flagged.
    """
    require_journal_reader(user, action="export the journal")
    if fmt not in FORMATS:
        message = f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}."
        raise ValidationFailed(message, {"format": message})
    period = journal_for_period(user=user, start=start, end=end)
    if fmt == "datev":
        header = datev_header(start=period.start, end=period.end, user=user)
        if problem := datev_period_problem(header):
            raise ValidationFailed(problem, {"to": problem})
        content = datev_csv(
            datev_bookings(
                period.entries,
                ap_control=settings.AP_CONTROL_ACCOUNT,
                tax_keys=dict(settings.DATEV_TAX_KEYS),
            ),
            header,
        )
        name, content_type = datev_file_name(header), "text/csv; charset=windows-1252"
    else:
        content = journal_csv(period.entries)
        name = f"journal_{period.start:%Y%m%d}_{period.end:%Y%m%d}.csv"
        content_type = "text/csv; charset=utf-8"
    digest = hashlib.sha256(content).hexdigest()
    export = None
    if record:
        export = JournalExport(
            id=uuid.uuid4().hex,
            period_start=period.start.isoformat(),
            period_end=period.end.isoformat(),
            format=fmt,
            file_name=name,
            sha256=digest,
            entry_count=len(period.entries),
            line_count=period.line_count,
            late_count=period.late_count,
            exported_by=actor_id(user),
            exported_at=dynamo.utcnow(),
        )
        with dynamo.write_transaction() as transaction:
            transaction.save(export, condition=JournalExport.id.does_not_exist())
            audit_entry_add(transaction, journal_export_event(export=export, user=user))
    return JournalFile(
        name=name,
        content_type=content_type,
        content=content,
        sha256=digest,
        journal=period,
        export=export,
    )
