"""
The journal of a period (reports.journal): read from the posted documents and
confirmed runs, exported, recorded and audited, late postings flagged; its
page, API and command.

Until the ledger's part sets the posting fields in the status changes, `post`
sets them on a document the way it will (posting date, posted at, the sparse
index keys), together with the coding and tax lines a coded document has.
"""

import csv
import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from audit.selectors import audit_history
from core.errors import PermissionDenied, ValidationFailed
from invoicing.models import (
    OPEN_LISTING,
    POSTED_LISTING,
    Invoice,
    InvoiceLine,
    TaxLine,
    posting_key,
)
from invoicing.selectors import (
    invoice_get,
    invoices_posted_between,
    invoices_voided_between,
)
from payments.models import (
    PaymentRun,
    PaymentRunStatus,
    SettledInvoice,
    VendorPayment,
)
from payments.selectors import payment_runs_confirmed_between
from reports import journal
from reports.models import JournalExport
from tests.api_client import bearer
from tests.conftest import make_user

D = Decimal
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
UTC = dt.UTC


def post(
    invoice,
    *,
    on: str,
    at: dt.datetime | None = None,
    coding=None,
    tax=None,
    voided_on: str | None = None,
):
    """
    Set the posting fields on `invoice` (as the ledger's status changes will)
    and, when given, its lines' coding [(gl, cost centre, tax code)] and its
    tax lines [(code, rate, category, base, amount, printed)].
    """
    invoice = invoice_get(invoice_id=invoice.id)
    actions = [
        Invoice.posting_date.set(on),
        Invoice.posted_at.set(at or dt.datetime(2026, 3, 10, 12, tzinfo=UTC)),
        Invoice.posting_key.set(posting_key(on, invoice.id)),
        Invoice.ledger_vendor.set(invoice.vendor_id),
        Invoice.posted_listing.set(POSTED_LISTING),
        # Entered the day before it posted, as a real one would be.
        Invoice.submitted_at.set(
            dt.datetime.fromisoformat(on).replace(tzinfo=UTC) - dt.timedelta(days=1)
        ),
    ]
    if not voided_on:
        actions.append(Invoice.open_listing.set(OPEN_LISTING))
    if coding is not None:
        items = []
        for line, (gl, cc, code) in zip(invoice.items, coding, strict=True):
            items.append(
                InvoiceLine(
                    **{
                        **line.as_dict(),
                        "gl_account": gl,
                        "cost_centre": cc,
                        "tax_code": code,
                    }
                )
            )
        actions.append(Invoice.items.set(items))
    if tax is not None:
        tax_lines = [
            TaxLine(
                tax_code=code,
                rate=D(rate),
                category=category,
                base=D(base),
                amount=D(amount),
                printed=None if printed is None else D(printed),
            )
            for code, rate, category, base, amount, printed in tax
        ]
        tax_total = sum(
            (t.printed if t.printed is not None else t.amount for t in tax_lines), D(0)
        )
        actions += [
            Invoice.tax_lines.set(tax_lines),
            Invoice.tax_amount.set(tax_total),
            Invoice.total_amount.set(invoice.net_total + tax_total),
        ]
    if voided_on:
        actions += [
            Invoice.voided_on.set(voided_on),
            Invoice.status.set("void"),
        ]
    invoice.update(actions=actions)
    return invoice_get(invoice_id=invoice.id)


def confirmed_run(invoice, *, confirmed_at, discount="0.00", number="PR-2026-000001"):
    """A confirmed run paying `invoice` (less `discount`), as payments keeps one."""
    discount = D(discount)
    run = PaymentRun(
        id=uuid.uuid4().hex,
        number=number,
        payment_date=confirmed_at.date().isoformat(),
        currency=invoice.currency,
        status=PaymentRunStatus.CONFIRMED.value,
        payments=[
            VendorPayment(
                id="E2E-1",
                vendor_id=invoice.vendor_id,
                vendor_name=invoice.vendor_name,
                currency=invoice.currency,
                iban="DE89370400440532013000",
                amount=invoice.total_amount - discount,
                discount=discount,
                invoices=[
                    SettledInvoice(
                        invoice_id=invoice.id,
                        invoice_number=invoice.invoice_number,
                        due_date=invoice.due_date,
                        total_amount=invoice.total_amount,
                        discount=discount,
                        amount=invoice.total_amount - discount,
                    )
                ],
            )
        ],
        invoice_count=1,
        created_by="treasurer",
        created_at=confirmed_at - dt.timedelta(days=2),
        confirmed_by="treasurer",
        confirmed_at=confirmed_at,
        updated_at=confirmed_at,
    )
    run.save()
    return run


@pytest.fixture
def coded_invoice(tax_codes, matched_invoice, active_vendor):
    """A matched 150.00 invoice, two lines coded 19% and 7%, posted on 5 March."""

    def make(number="INV-100", on="2026-03-05", at=None):
        invoice = matched_invoice(active_vendor, "150.00", number=number)
        invoice = invoice_get(invoice_id=invoice.id)
        first = invoice.items[0]
        invoice.update(
            actions=[
                Invoice.items.set(
                    [
                        InvoiceLine(**{**first.as_dict(), "total_amount": D("100.00")}),
                        InvoiceLine(
                            **{
                                **first.as_dict(),
                                "line_number": 2,
                                "total_amount": D("50.00"),
                            }
                        ),
                    ]
                )
            ]
        )
        return post(
            invoice,
            on=on,
            at=at,
            coding=[("4930", "1000", "V19"), ("4930", "1000", "V7")],
            tax=[
                ("V19", "19", "S", "100.00", "19.00", None),
                ("V7", "7", "S", "50.00", "3.50", None),
            ],
        )

    return make


@pytest.fixture
def treasurer_user(db):
    return make_user("treasurer-j", "Treasurer")


def lines(entry):
    return [
        (ln.account, str(ln.debit), str(ln.credit), ln.tax_code) for ln in entry.lines
    ]


# --- The selectors ------------------------------------------------------------


def test_posted_between_reads_one_key_range_in_posting_order(
    matched_invoice, active_vendor
):
    a = post(matched_invoice(active_vendor, number="A"), on="2026-03-31")
    b = post(matched_invoice(active_vendor, number="B"), on="2026-03-01")
    post(matched_invoice(active_vendor, number="C"), on="2026-04-01")
    post(matched_invoice(active_vendor, number="D"), on="2026-02-28")
    matched_invoice(active_vendor, number="E")  # never posted
    found = [
        i.invoice_number for i in invoices_posted_between(start=MARCH[0], end=MARCH[1])
    ]
    assert found == [b.invoice_number, a.invoice_number]


def test_voided_between_finds_posted_documents_voided_in_the_period(
    matched_invoice, active_vendor
):
    post(
        matched_invoice(active_vendor, number="A"),
        on="2026-02-10",
        voided_on="2026-03-03",
    )
    post(
        matched_invoice(active_vendor, number="B"),
        on="2026-02-10",
        voided_on="2026-04-03",
    )
    found = [
        i.invoice_number for i in invoices_voided_between(start=MARCH[0], end=MARCH[1])
    ]
    assert found == ["A"]


def test_runs_confirmed_between_leave_out_runs_confirmed_after_the_period(
    matched_invoice, active_vendor
):
    invoice = matched_invoice(active_vendor)
    confirmed_run(invoice, confirmed_at=dt.datetime(2026, 3, 20, 10, tzinfo=UTC))
    confirmed_run(
        invoice,
        confirmed_at=dt.datetime(2026, 4, 2, 10, tzinfo=UTC),
        number="PR-2026-000002",
    )
    found = [
        r.number for r in payment_runs_confirmed_between(start=MARCH[0], end=MARCH[1])
    ]
    assert found == ["PR-2026-000001"]


# --- The service ----------------------------------------------------------------


def test_a_coded_invoice_posts_expense_input_vat_and_ap_control(
    coded_invoice, treasurer_user
):
    invoice = coded_invoice()
    period = journal.journal_for_period(
        user=treasurer_user, start=MARCH[0], end=MARCH[1]
    )
    [entry] = period.entries
    assert entry.document == invoice.invoice_number
    assert lines(entry) == [
        ("4930", "100.00", "0.00", "V19"),
        ("4930", "50.00", "0.00", "V7"),
        ("1576", "19.00", "0.00", "V19"),
        ("1571", "3.50", "0.00", "V7"),
        ("1600", "0.00", "172.50", None),
    ]
    assert period.totals.by_currency == {"EUR": (D("172.50"), D("172.50"))}


def test_an_old_invoice_without_codes_posts_to_suspense_and_the_default_vat_account(
    tax_codes, matched_invoice, active_vendor, auditor, settings
):
    settings.DEFAULT_TAX_CODE = ""  # documents entered as before tax codes
    invoice = matched_invoice(active_vendor, "200.00")
    invoice.update(
        actions=[
            Invoice.tax_amount.set(D("38.00")),
            Invoice.total_amount.set(D("238.00")),
        ]
    )
    settings.DEFAULT_TAX_CODE = "V19"  # the company's default since
    post(invoice, on="2026-03-02")
    [entry] = journal.journal_for_period(
        user=auditor, start=MARCH[0], end=MARCH[1]
    ).entries
    assert lines(entry) == [
        ("1590", "200.00", "0.00", None),
        ("1576", "38.00", "0.00", "V19"),
        ("1600", "0.00", "238.00", None),
    ]


def test_a_void_reverses_in_the_period_it_was_voided(
    tax_codes, matched_invoice, active_vendor, clerk, settings
):
    settings.DEFAULT_TAX_CODE = ""  # documents entered as before tax codes
    post(
        matched_invoice(active_vendor, "100.00"),
        on="2026-02-20",
        voided_on="2026-03-04",
    )
    [entry] = journal.journal_for_period(
        user=clerk, start=MARCH[0], end=MARCH[1]
    ).entries
    assert entry.kind == "void" and entry.date == "2026-03-04"
    assert lines(entry) == [
        ("1590", "0.00", "100.00", None),
        ("1600", "100.00", "0.00", None),
    ]


def test_a_confirmed_payment_with_discount_posts_bank_and_discounts_received(
    tax_codes, matched_invoice, active_vendor, treasurer_user, settings
):
    settings.DEFAULT_TAX_CODE = ""  # documents entered as before tax codes
    invoice = matched_invoice(active_vendor, "119.00")
    confirmed_run(
        invoice, confirmed_at=dt.datetime(2026, 3, 20, 10, tzinfo=UTC), discount="2.38"
    )
    [entry] = journal.journal_for_period(
        user=treasurer_user, start=MARCH[0], end=MARCH[1]
    ).entries
    assert entry.kind == "payment" and entry.date == "2026-03-20"
    assert lines(entry) == [
        ("1600", "119.00", "0.00", None),
        ("3730", "0.00", "2.38", None),
        ("1200", "0.00", "116.62", None),
    ]


def test_only_finance_roles_may_read_or_export_the_journal(requester, approver):
    for user in (requester, approver):
        with pytest.raises(PermissionDenied) as refused:
            journal.journal_export(user=user, start=MARCH[0], end=MARCH[1], fmt="csv")
        assert "Treasurer or AP Clerk or Auditor" in refused.value.message
    assert JournalExport.count() == 0


def test_a_reversed_period_is_refused_naming_the_field(clerk):
    with pytest.raises(ValidationFailed) as refused:
        journal.journal_for_period(user=clerk, start=MARCH[1], end=MARCH[0])
    assert refused.value.field_errors == {"to": "The period ends before it starts."}


def test_a_datev_export_across_two_years_is_refused(clerk):
    with pytest.raises(ValidationFailed) as refused:
        journal.journal_export(
            user=clerk,
            start=dt.date(2025, 12, 1),
            end=dt.date(2026, 1, 31),
            fmt="datev",
        )
    assert "one calendar year" in refused.value.message
    assert JournalExport.count() == 0


def test_an_export_is_recorded_with_its_digest_and_audit_entry(coded_invoice, clerk):
    coded_invoice()
    exported = journal.journal_export(
        user=clerk, start=MARCH[0], end=MARCH[1], fmt="datev"
    )
    record = JournalExport.get(exported.export.id)
    assert (record.period_start, record.period_end, record.format) == (
        "2026-03-01",
        "2026-03-31",
        "datev",
    )
    assert record.exported_by == "clerk"
    assert record.entry_count == 1 and record.line_count == 5
    import hashlib

    assert record.sha256 == hashlib.sha256(exported.content).hexdigest()
    [entry] = audit_history(entity_type="journal_export", entity_id=record.id).items
    assert entry.action == "EXPORT"
    assert entry.type == "JOURNAL_EXPORT_ACTION"
    assert entry.details["sha256"] == record.sha256
    assert entry.user_id == "clerk"


def test_a_document_posted_into_an_exported_period_afterwards_is_flagged(
    coded_invoice, clerk
):
    coded_invoice("INV-100")
    journal.journal_export(user=clerk, start=MARCH[0], end=MARCH[1], fmt="csv")
    coded_invoice(
        "INV-LATE", on="2026-03-15", at=dt.datetime.now(UTC) + dt.timedelta(minutes=1)
    )
    period = journal.journal_for_period(user=clerk, start=MARCH[0], end=MARCH[1])
    flags = {entry.document: entry.late for entry in period.entries}
    assert flags["INV-100"] is None
    assert flags["INV-LATE"].startswith("Late posting: posted ")
    assert "exported (CSV)" in flags["INV-LATE"] and "by clerk" in flags["INV-LATE"]
    again = journal.journal_export(user=clerk, start=MARCH[0], end=MARCH[1], fmt="csv")
    rows = list(csv.DictReader(io.StringIO(again.content.decode("utf-8-sig"))))
    assert {r["Document"] for r in rows if r["Late posting"]} == {"INV-LATE"}
    assert again.export.late_count == 1


# --- The page -------------------------------------------------------------------


def test_journal_page_shows_entries_balanced_and_offers_both_downloads(
    coded_invoice, clerk
):
    coded_invoice()
    client = Client()
    client.force_login(clerk)
    page = client.get("/reports/journal/", {"from": "2026-03-01", "to": "2026-03-31"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "debits 172.50 = credits 172.50" in html
    assert "1576" in html and "INV-100" in html
    assert "Download CSV" in html and "Download DATEV (EXTF)" in html
    assert "/reports/journal/file.datev?from=2026-03-01&amp;to=2026-03-31" in html


def test_journal_page_without_a_period_asks_for_one(clerk):
    client = Client()
    client.force_login(clerk)
    page = client.get("/reports/journal/")
    assert page.status_code == 200
    assert 'name="from"' in page.content.decode()


def test_journal_page_is_refused_to_a_requester(requester):
    client = Client()
    client.force_login(requester)
    assert client.get("/reports/journal/").status_code == 403


def test_downloading_datev_from_the_page_records_the_export(coded_invoice, clerk):
    coded_invoice()
    client = Client()
    client.force_login(clerk)
    response = client.get(
        "/reports/journal/file.datev", {"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=windows-1252"
    assert (
        "EXTF_Buchungsstapel_20260301_20260331.csv" in response["Content-Disposition"]
    )
    assert response.content.startswith(b'"EXTF";700;21;"Buchungsstapel";13;')
    assert JournalExport.count() == 1


def test_a_refused_download_comes_back_to_the_page_with_the_reason(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get(
        "/reports/journal/file.datev",
        {"from": "2025-12-01", "to": "2026-01-31"},
        follow=True,
    )
    assert "covers one calendar year" in response.content.decode()
    assert JournalExport.count() == 0


# --- The API ----------------------------------------------------------------------


def test_api_returns_the_entries_with_their_lines_as_json(coded_invoice, clerk):
    invoice = coded_invoice()
    response = Client().get(
        "/api/v1/reports/journal",
        {"from": "2026-03-01", "to": "2026-03-31"},
        **bearer(clerk),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2026-03-01" and body["late_postings"] == 0
    [entry] = body["entries"]
    assert entry["document"] == invoice.invoice_number
    assert entry["debit_total"] == entry["credit_total"] == "172.50"
    assert entry["lines"][2] == {
        "account": "1576",
        "debit": "19.00",
        "credit": "0.00",
        "cost_centre": None,
        "tax_code": "V19",
        "document": invoice.invoice_number,
        "vendor": invoice.vendor_name,
        "text": "Input VAT V19",
    }
    assert body["totals"] == [
        {"currency": "EUR", "debit": "172.50", "credit": "172.50"}
    ]
    assert JournalExport.count() == 0


def test_api_csv_is_a_recorded_export(coded_invoice, clerk):
    coded_invoice()
    response = Client().get(
        "/api/v1/reports/journal",
        {"from": "2026-03-01", "to": "2026-03-31", "format": "csv"},
        **bearer(clerk),
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 5
    assert JournalExport.count() == 1


def test_api_refuses_a_requester_an_unknown_filter_and_a_missing_period(
    requester, clerk
):
    client = Client()
    refused = client.get(
        "/api/v1/reports/journal",
        {"from": "2026-03-01", "to": "2026-03-31"},
        **bearer(requester),
    )
    assert refused.status_code == 403
    unknown = client.get(
        "/api/v1/reports/journal",
        {"from": "2026-03-01", "to": "2026-03-31", "vendor": "x"},
        **bearer(clerk),
    )
    assert unknown.status_code == 422
    missing = client.get(
        "/api/v1/reports/journal", {"from": "2026-03-01"}, **bearer(clerk)
    )
    assert missing.status_code == 422
    assert "to" in missing.json()["errors"]


def test_api_journal_is_in_the_openapi_document():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    parameters = {
        p["name"] for p in paths["/api/v1/reports/journal"]["get"]["parameters"]
    }
    assert parameters == {"from", "to", "format"}


# --- The command ------------------------------------------------------------------


def test_command_writes_the_file_and_records_only_when_told(
    coded_invoice, clerk, tmp_path
):
    coded_invoice()
    target = tmp_path / "march.csv"
    out = io.StringIO()
    call_command(
        "export_journal",
        "--from=2026-03-01",
        "--to=2026-03-31",
        f"--output={target}",
        "--user=clerk",
        stdout=out,
    )
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert len(rows) == 5
    assert "1 entries, 5 lines" in out.getvalue() and "not recorded" in out.getvalue()
    assert JournalExport.count() == 0
    call_command(
        "export_journal",
        "--from=2026-03-01",
        "--to=2026-03-31",
        "--format=datev",
        f"--output={target}",
        "--record",
        "--user=clerk",
        stdout=io.StringIO(),
    )
    assert target.read_bytes().startswith(b'"EXTF";700;21;')
    [record] = list(JournalExport.scan())
    assert record.format == "datev" and record.exported_by == "clerk"
    assert audit_history(entity_type="journal_export", entity_id=record.id).items


def test_command_refuses_a_user_without_a_finance_role(requester):
    with pytest.raises(CommandError, match="Only Treasurer or AP Clerk or Auditor"):
        call_command(
            "export_journal",
            "--from=2026-03-01",
            "--to=2026-03-31",
            "--user=requester",
            stdout=io.StringIO(),
        )
