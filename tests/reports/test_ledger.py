"""
The vendor ledger (issue 16): every posted document and payment with its
running balance, exact across pages; the balance is minus the open items to
the cent; open items, ageing, exports and the API; finance staff only.
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
from invoicing.services import invoice_void
from reports import rules
from reports.selectors import vendor_ledger, vendor_ledger_export
from tests.api_client import bearer
from tests.conftest import TODAY
from tests.ledger import confirmed_run


def api_get(url, user):
    response = Client().get(url, **bearer(user))
    return response.status_code, response.json()


@pytest.fixture
def history(clerk, treasurer, approver, acme, bureau, matched_invoice, credit_note):
    """
    Generated documents of two vendors: invoices (some earning a discount),
    credit notes netted whole and in part, a confirmed run, invoices posted
    after it (some past due), and a void.
    """
    rng = random.Random(16)

    def amount():
        return f"{rng.randint(100, 99999) / 100:.2f}"

    for vendor in (acme, bureau):
        for days in (1, 5, 45):
            matched_invoice(
                vendor, amount(), invoice_date=TODAY - dt.timedelta(days=days)
            )
    credit_note(acme, "75.55", days_ago=20)
    credit_note(bureau, "99999.99", days_ago=25)  # more than it can net: in part
    postings_backfill()  # the stored credit notes
    run = confirmed_run(treasurer, approver)
    later = [
        matched_invoice(vendor, amount(), invoice_date=TODAY - dt.timedelta(days=days))
        for vendor in (acme, bureau)
        for days in (0, 40, 75, 130)
    ]
    invoice_void(invoice_id=later[1].id, user=clerk, reason="Entered twice")
    credit_note(acme, "10.01", days_ago=2)
    postings_backfill()
    return run


def test_the_balance_is_minus_the_open_items_to_the_cent(
    history, auditor, acme, bureau
):
    for vendor in (acme, bureau):
        ledger = vendor_ledger(user=auditor, vendor_id=vendor.id, limit=1000)
        open_total = sum((i.amount for i in ledger.open_items), Decimal(0))
        assert ledger.balance == {"EUR": -open_total}
        # Newest first, the first row's balance is the balance now; oldest
        # first from nothing, the last row's is too: the entries add up.
        assert ledger.rows[0].balance == -open_total
        oldest = vendor_ledger(
            user=auditor, vendor_id=vendor.id, limit=1000, newest_first=False
        )
        assert oldest.opening == {"EUR": Decimal("0.00")}
        assert oldest.rows[-1].balance == -open_total
        running = Decimal(0)
        for row in oldest.rows:
            running += row.debit - row.credit
            assert row.balance == running


def test_a_payment_shows_what_the_bank_transferred_and_the_discount_taken(
    history, auditor, bureau
):
    ledger = vendor_ledger(user=auditor, vendor_id=bureau.id, limit=1000)
    [payment] = [p for p in history.payments if p.vendor_id == bureau.id]
    shown = {(r.document, r.reference): r for r in ledger.rows}
    assert payment.credited > 0  # the credit note netted part of it
    if payment.amount:
        assert shown[("payment", history.number)].debit == payment.amount
    assert shown[("discount_taken", history.number)].debit == payment.discount > 0
    assert {r.document for r in ledger.rows} >= {"invoice", "credit_note"}


def test_the_running_balance_is_exact_across_pages_both_ways(history, auditor, acme):
    for newest_first in (True, False):
        whole = vendor_ledger(
            user=auditor, vendor_id=acme.id, limit=1000, newest_first=newest_first
        ).rows
        paged, cursor = [], None
        while True:
            page = vendor_ledger(
                user=auditor, vendor_id=acme.id, limit=2, cursor=cursor,
                newest_first=newest_first,
            )  # fmt: skip
            paged += page.rows
            if not (cursor := page.next_cursor):
                break
        assert [(r.reference, r.balance) for r in paged] == [
            (r.reference, r.balance) for r in whole
        ]
        assert len(whole) > 4


def test_a_period_shows_its_entries_from_the_balance_it_opens_with(
    history, auditor, acme
):
    start, end = TODAY - dt.timedelta(days=50), TODAY - dt.timedelta(days=3)
    whole = vendor_ledger(
        user=auditor, vendor_id=acme.id, limit=1000, newest_first=False
    ).rows
    period = vendor_ledger(
        user=auditor, vendor_id=acme.id, start=start, end=end, limit=1000,
        newest_first=False,
    )  # fmt: skip
    inside = [r for r in whole if start.isoformat() <= r.date <= end.isoformat()]
    assert [(r.reference, r.balance) for r in period.rows] == [
        (r.reference, r.balance) for r in inside
    ]
    before = [r for r in whole if r.date < start.isoformat()]
    assert period.opening["EUR"] == (before[-1].balance if before else 0)


def test_open_items_and_ageing_buckets(history, auditor, acme):
    ledger = vendor_ledger(user=auditor, vendor_id=acme.id)
    buckets = ledger.ageing["EUR"]["buckets"]
    assert sum(buckets.values()) == ledger.ageing["EUR"]["total"]
    assert ledger.ageing["EUR"]["total"] == sum(i.amount for i in ledger.open_items)
    assert (
        buckets["over_90"] > 0
    )  # the invoice of 130 days ago, Net 30: 100 days past due
    for item in ledger.open_items:
        due = dt.date.fromisoformat(item.due_date)
        assert item.bucket == rules.ageing_bucket(due, TODAY)
    assert any(i.amount < 0 for i in ledger.open_items)  # a credit note


def test_the_page_shows_entries_and_refuses_other_roles(
    history, auditor, requester, acme
):
    client = Client()
    client.force_login(auditor)
    response = client.get(f"/vendors/{acme.id}/ledger/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ledger of Acme Supplies GmbH" in html
    assert "Void reversal" in html and "Payment" in html and "Open items" in html
    vendor_page = client.get(f"/vendors/{acme.id}/").content.decode()
    assert f"/vendors/{acme.id}/ledger/" in vendor_page

    client.force_login(requester)
    assert client.get(f"/vendors/{acme.id}/ledger/").status_code == 403
    vendor_page = client.get(f"/vendors/{acme.id}/").content.decode()
    assert f"/vendors/{acme.id}/ledger/" not in vendor_page


def test_csv_and_xlsx_exports_have_typed_amounts_and_dates(history, auditor, acme):
    client = Client()
    client.force_login(auditor)
    ledger = vendor_ledger(
        user=auditor, vendor_id=acme.id, limit=1000, newest_first=False
    )
    response = client.get(f"/vendors/{acme.id}/ledger/export.csv")
    assert response.status_code == 200
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))
        )
    )
    assert rows[0] == [
        "Date", "Document", "Reference", "Currency", "Debit", "Credit", "Balance"
    ]  # fmt: skip
    assert [Decimal(r[6]) for r in rows[1:]] == [r.balance for r in ledger.rows]

    response = client.get(f"/vendors/{acme.id}/ledger/export.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert isinstance(values[1][0], dt.datetime)
    assert all(isinstance(v[6], int | float) for v in values[1:])
    assert Decimal(str(values[-1][6])) == ledger.rows[-1].balance

    # A period's export opens at the balance before it, as the page does.
    start = TODAY - dt.timedelta(days=30)
    in_period = vendor_ledger(
        user=auditor, vendor_id=acme.id, start=start, limit=1000, newest_first=False
    )
    exported = vendor_ledger_export(user=auditor, vendor_id=acme.id, start=start)
    balances = [row[6] for row in exported.rows]
    assert balances == [r.balance for r in in_period.rows]
    assert len(balances) < len(ledger.rows)


def test_the_api_answers_entries_open_items_and_ageing(history, auditor, acme):
    status, body = api_get(f"/api/v1/vendors/{acme.id}/ledger", auditor)
    assert status == 200
    entry = body["entries"][0]
    assert set(entry) >= {"date", "document", "debit", "credit", "balance"}
    open_total = sum(Decimal(i["amount"]) for i in body["open_items"])
    assert Decimal(body["entries"][-1]["balance"]) == -open_total
    assert Decimal(body["balance"]["EUR"]) == -open_total
    assert set(body["ageing"]["EUR"]["buckets"]) == set(rules.BUCKETS)

    start = (TODAY - dt.timedelta(days=2)).isoformat()
    status, body = api_get(f"/api/v1/vendors/{acme.id}/ledger?from={start}", auditor)
    assert status == 200 and all(e["date"] >= start for e in body["entries"])
    status, body = api_get(
        f"/api/v1/vendors/{acme.id}/ledger?from=2026-05-01&to=2026-04-01", auditor
    )
    assert status == 422 and "before it starts" in body["detail"]


def test_the_api_refuses_other_roles(acme, requester):
    status, body = api_get(f"/api/v1/vendors/{acme.id}/ledger", requester)
    assert status == 403
    assert "AP Clerk" in body["detail"]
