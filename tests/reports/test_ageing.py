"""
The AP ageing report (issue 16): from the kept summary of open items, per
currency and vendor; its totals are the vendors' open items to the cent, its
buckets are right for any as-of date; the page drills down to a vendor's
open items; CSV and XLSX exports; the API; finance staff only.
"""

import csv
import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from invoicing.posting import postings_backfill
from invoicing.selectors import invoice_get
from invoicing.services import invoice_void
from payments import services as payments
from reports import rules
from reports.selectors import ageing_report, vendor_ledger
from reports.services import ageing_refresh
from tests.api_client import bearer
from tests.conftest import TODAY

# Net 30 invoices dated this many days ago: due 30 days later, so as of
# today one is not due, then 15, 45, 80 and 120 days past due.
OPEN_AGES = {0: "not_due", 45: "1_30", 75: "31_60", 110: "61_90", 150: "over_90"}


def expected_bucket(due: dt.date, as_of: dt.date) -> str:
    """The report's buckets, written out here again: days past the due date."""
    late = (as_of - due).days
    for limit, bucket in ((0, "not_due"), (30, "1_30"), (60, "31_60"), (90, "61_90")):
        if late <= limit:
            return bucket
    return "over_90"


@pytest.fixture
def vendors(three_vendors):
    """Acme and Bureau in EUR, Globex in USD."""
    return three_vendors


@pytest.fixture
def books(vendors, clerk, treasurer, approver, matched_invoice, credit_note):
    """
    Generated documents of three vendors in two currencies: invoices paid by
    a confirmed run (one netting a credit note), invoices open in every
    bucket, a void one and an open credit note. Returns what should be open,
    per vendor id: {document id: (due date, open amount)}.
    """
    rng = random.Random(1616)

    def amount():
        return f"{rng.randint(100, 99999) / 100:.2f}"

    acme, bureau, globex = vendors
    paid = [
        matched_invoice(v, amount(), invoice_date=TODAY - dt.timedelta(days=40))
        for v in vendors
    ]
    credit_note(acme, "12.34", days_ago=10)  # netted by the run
    postings_backfill()
    run = payments.payment_run_create(
        user=treasurer, payment_date=TODAY, invoice_ids=[i.id for i in paid]
    ).run
    payments.payment_run_approve(run_id=run.id, user=approver)
    payments.payment_run_export(run_id=run.id, user=treasurer)
    payments.payment_run_confirm(run_id=run.id, user=treasurer)
    for invoice in paid:
        assert invoice_get(invoice_id=invoice.id).status == "paid"

    expected: dict[str, dict] = {v.id: {} for v in vendors}
    for vendor in vendors:
        for days in OPEN_AGES:
            invoice = matched_invoice(
                vendor, amount(), invoice_date=TODAY - dt.timedelta(days=days)
            )
            expected[vendor.id][invoice.id] = (
                dt.date.fromisoformat(invoice.due_date),
                invoice.total_amount,
            )
    voided = matched_invoice(
        bureau, "500.00", invoice_date=TODAY - dt.timedelta(days=60)
    )
    invoice_void(invoice_id=voided.id, user=clerk, reason="Entered twice")
    note = credit_note(bureau, "77.77", days_ago=40)
    postings_backfill()
    expected[bureau.id][note.id] = (
        TODAY - dt.timedelta(days=40),
        Decimal("-77.77"),
    )
    ageing_refresh()
    return expected


def _sum(values):
    return sum(values, Decimal("0.00"))


def test_totals_are_the_vendors_open_items_to_the_cent(books, vendors, auditor):
    report = ageing_report(user=auditor)
    assert set(report.by_currency) == {"EUR", "USD"}
    for currency, part in report.by_currency.items():
        in_currency = [v for v in vendors if v.currency == currency]
        assert [r["vendor_id"] for r in part["vendors"]] == [v.id for v in in_currency]
        expected_total = _sum(
            amount for v in in_currency for _, amount in books[v.id].values()
        )
        assert part["total"] == expected_total
        assert _sum(part["buckets"].values()) == expected_total
        for row in part["vendors"]:
            ledger = vendor_ledger(user=auditor, vendor_id=row["vendor_id"])
            assert {i.document_id for i in ledger.open_items} == set(
                books[row["vendor_id"]]
            )  # the paid and the void ones are not open
            assert row["total"] == _sum(i.amount for i in ledger.open_items)
            assert row["total"] == _sum(a for _, a in books[row["vendor_id"]].values())
            assert row["items"] == len(books[row["vendor_id"]])


def test_buckets_for_today_and_another_as_of_date(books, vendors, auditor):
    acme, bureau, globex = vendors
    report = ageing_report(user=auditor)
    [acme_row] = [
        r for r in report.by_currency["EUR"]["vendors"] if r["vendor_id"] == acme.id
    ]
    # One invoice per bucket, each bucket holding exactly it.
    amounts = sorted(a for _, a in books[acme.id].values())
    assert sorted(acme_row["buckets"].values()) == amounts
    for as_of in (TODAY, TODAY + dt.timedelta(days=31), TODAY - dt.timedelta(days=50)):
        report = ageing_report(user=auditor, as_of=as_of)
        for part in report.by_currency.values():
            for row in part["vendors"]:
                buckets = rules.empty_buckets()
                for due, amount in books[row["vendor_id"]].values():
                    buckets[expected_bucket(due, as_of)] += amount
                assert row["buckets"] == buckets, (as_of, row["vendor_name"])
    later = ageing_report(user=auditor, as_of=TODAY + dt.timedelta(days=31))
    assert later.by_currency["USD"]["buckets"]["not_due"] == 0
    assert ageing_report(user=auditor, as_of=TODAY - dt.timedelta(days=1)).past


@pytest.mark.parametrize(
    "late, bucket",
    [(0, "not_due"), (1, "1_30"), (30, "1_30"), (31, "31_60"), (60, "31_60"),
     (61, "61_90"), (90, "61_90"), (91, "over_90")],
)  # fmt: skip
def test_bucket_edges(late, bucket):
    due = dt.date(2026, 3, 31)
    assert rules.ageing_bucket(due, due + dt.timedelta(days=late)) == bucket
    assert expected_bucket(due, due + dt.timedelta(days=late)) == bucket


def test_the_page_shows_the_figures_and_drills_down(books, vendors, auditor):
    acme, bureau, globex = vendors
    client = Client()
    client.force_login(auditor)
    html = client.get("/reports/ageing/").content.decode()
    report = ageing_report(user=auditor)
    for currency in ("EUR", "USD"):
        total = report.by_currency[currency]["total"]
        assert f"{currency} {total:,.2f}" in html
    for vendor in vendors:
        assert vendor.name in html
        assert f"/reports/ageing/vendors/{vendor.id}/" in html

    html = client.get("/reports/ageing/?currency=USD").content.decode()
    assert "Globex Corp" in html and "Acme Supplies GmbH" not in html

    response = client.get(
        f"/reports/ageing/vendors/{bureau.id}/?as_of={TODAY.isoformat()}"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open items of Bureau Fournitures SA" in html
    for document_id, (_, amount) in books[bureau.id].items():
        assert f"/invoices/{document_id}/" in html
        assert f"EUR {amount:,.2f}" in html
    assert "Credit note" in html and "Over 90 days" in html


def _export(client, fmt, query=""):
    response = client.get(f"/reports/ageing/export.{fmt}{query}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_csv_and_xlsx_exports(books, vendors, auditor):
    client = Client()
    client.force_login(auditor)
    report = ageing_report(user=auditor)
    header = ["Currency", "Vendor", "Vendor id"]
    header += [rules.BUCKET_LABELS[b] for b in rules.BUCKETS] + ["Total"]

    rows = list(csv.reader(io.StringIO(_export(client, "csv").decode("utf-8-sig"))))
    assert rows[0] == header
    totals = {r[0]: Decimal(r[-1]) for r in rows[1:] if r[1] == "Total"}
    assert totals == {c: p["total"] for c, p in report.by_currency.items()}
    for row in rows[1:]:
        assert Decimal(row[-1]) == _sum(Decimal(v) for v in row[3:-1])

    sheet = load_workbook(io.BytesIO(_export(client, "xlsx"))).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == header
    for row in values[1:]:
        assert all(isinstance(v, int | float) for v in row[3:])
    xlsx_totals = {r[0]: Decimal(str(r[-1])) for r in values[1:] if r[1] == "Total"}
    assert xlsx_totals == totals

    rows = list(
        csv.reader(io.StringIO(_export(client, "csv", "?currency=USD").decode()))
    )
    assert {r[0] for r in rows[1:]} == {"USD"}


def api_get(url, user):
    response = Client().get(url, **bearer(user))
    return response.status_code, response.json()


def test_the_api_answers_per_currency_as_of_a_date(books, vendors, auditor):
    acme, bureau, globex = vendors
    as_of = TODAY + dt.timedelta(days=31)
    status, body = api_get(
        f"/api/v1/reports/ageing?as_of={as_of.isoformat()}&currency=usd", auditor
    )
    assert status == 200
    assert body["as_of"] == as_of.isoformat()
    [row] = body["vendors"]
    assert row["vendor_id"] == globex.id and row["currency"] == "USD"
    expected = _sum(a for _, a in books[globex.id].values())
    assert Decimal(body["total"]) == Decimal(row["total"]) == expected
    for bucket, value in row["buckets"].items():
        assert Decimal(value) == _sum(
            a for due, a in books[globex.id].values()
            if expected_bucket(due, as_of) == bucket
        )  # fmt: skip

    status, body = api_get("/api/v1/reports/ageing", auditor)
    assert status == 200 and body["total"] is None
    assert {c["currency"] for c in body["currencies"]} == {"EUR", "USD"}
    status, body = api_get("/api/v1/reports/ageing?as_of=soon", auditor)
    assert status == 422


def test_roles_without_access_get_403(books, vendors, requester):
    status, body = api_get("/api/v1/reports/ageing", requester)
    assert status == 403 and "AP Clerk" in body["detail"]
    client = Client()
    client.force_login(requester)
    assert client.get("/reports/ageing/").status_code == 403
    assert client.get("/reports/ageing/export.csv").status_code == 403
    assert client.get(f"/reports/ageing/vendors/{vendors[0].id}/").status_code == 403
    assert client.post("/reports/ageing/refresh").status_code == 403


def test_a_summary_bigger_than_an_item_is_kept_in_parts_and_read_whole(
    books, auditor, monkeypatch
):
    from invoicing.models import AgeingSummary, AgeingSummaryPart

    whole = ageing_report(user=auditor)
    monkeypatch.setattr(AgeingSummary, "PART_CHARACTERS", 300)
    first = ageing_refresh()
    assert first.figures_json is None and first.parts > 2
    second = ageing_refresh()  # a new generation: the first one's parts go
    gone = AgeingSummaryPart.key(first.generation, 0)
    assert list(AgeingSummaryPart.batch_get([gone])) == []
    assert second.generation != first.generation
    again = ageing_report(user=auditor)
    assert again.by_currency == whole.by_currency
