"""
CSV and XLSX downloads of the lists: the filters of the page, every page of
the list, formulas neutralised, amounts as numbers.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from core.exports import Export, export_response, neutralise
from invoicing.reconciliation import invoice_reconcile
from invoicing.services import invoice_create
from purchasing.services import purchase_order_approve
from tests.conftest import VALID_VENDOR
from vendors import selectors as vendor_selectors
from vendors.services import vendor_create, vendor_update

FORMULAS = ['=HYPERLINK("http://evil.example","Click")', "+1", "-2+3", "@SUM(A1:A9)"]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel then reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return list(workbook.active.iter_rows(values_only=True))


def xlsx_sheet(response):
    content = b"".join(response.streaming_content)
    return openpyxl.load_workbook(io.BytesIO(content)).active


def make_vendor(clerk, name, **fields):
    return vendor_create(
        user=clerk, fields={**VALID_VENDOR, "name": name, "tax_id": None, **fields}
    )


# --- the writer -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = best", "Acme = best"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text, written):
    assert neutralise(text) == written


def test_amounts_stay_numbers_and_negative_amounts_keep_their_sign():
    export = Export(
        name="amounts",
        header=["Label", "Amount", "Count"],
        rows=[["-5 credit", Decimal("-5.00"), 3], ["JPY", Decimal("1200"), None]],
    )
    assert csv_rows(export_response(export, fmt="csv")) == [
        ["Label", "Amount", "Count"],
        ["'-5 credit", "-5.00", "3"],
        ["JPY", "1200", ""],
    ]
    sheet = xlsx_sheet(export_response(export, fmt="xlsx"))
    assert sheet["B2"].value == Decimal("-5") and sheet["B2"].data_type == "n"
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["B3"].number_format == "#,##0"
    assert sheet["A2"].value == "'-5 credit" and sheet["A2"].data_type == "s"


def test_an_export_stops_at_the_cap_and_says_so(settings):
    settings.EXPORT_MAX_ROWS = 3
    export = Export(name="many", header=["N"], rows=([n] for n in range(10)))
    rows = csv_rows(export_response(export, fmt="csv"))
    assert rows[1:4] == [["0"], ["1"], ["2"]]
    assert rows[4] == [
        "The export stops at 3 rows: narrow the filters to export the rest."
    ]
    assert len(rows) == 5


# --- vendors ----------------------------------------------------------------


def test_vendor_export_neutralises_formulas_in_csv_and_xlsx(clerk):
    for name in FORMULAS:
        make_vendor(clerk, name)
    client = logged_in(clerk)

    rows = csv_rows(client.get(reverse("vendors:list-export", args=["csv"])))
    assert rows[0][:3] == ["Name", "Status", "E-mail"]
    assert sorted(row[0] for row in rows[1:]) == sorted("'" + f for f in FORMULAS)

    sheet = xlsx_sheet(client.get(reverse("vendors:list-export", args=["xlsx"])))
    names = [sheet.cell(row=r, column=1) for r in range(2, sheet.max_row + 1)]
    assert sorted(cell.value for cell in names) == sorted("'" + f for f in FORMULAS)
    assert {cell.data_type for cell in names} == {"s"}  # text, not formulas


def test_vendor_export_keeps_the_list_filter_and_leaves_bank_details_out(
    clerk, auditor
):
    make_vendor(clerk, "Active One", status="active", iban="DE89370400440532013000")
    make_vendor(clerk, "Pending One")
    make_vendor(clerk, "Active Two", status="active")
    client = logged_in(auditor)

    response = client.get(
        reverse("vendors:list-export", args=["xlsx"]), {"status": "active"}
    )

    assert response["Content-Disposition"].startswith('attachment; filename="vendors-')
    rows = xlsx_rows(response)
    assert rows[0][:2] == ("Name", "Status")
    assert sorted((row[0], row[1]) for row in rows[1:]) == [
        ("Active One", "active"),
        ("Active Two", "active"),
    ]
    assert not any("IBAN" in str(cell) for cell in rows[0])
    assert not any("DE89" in str(cell) for row in rows for cell in row)

    rows = csv_rows(
        client.get(reverse("vendors:list-export", args=["csv"]), {"q": "pend"})
    )
    assert [row[0] for row in rows[1:]] == ["Pending One"]


def test_vendor_export_reads_every_page_of_the_list(clerk, settings, monkeypatch):
    settings.EXPORT_PAGE_SIZE = 2
    names = {f"Vendor {n}" for n in range(5)}
    for name in names:
        make_vendor(clerk, name)
    calls = []
    real_list = vendor_selectors.vendor_list

    def counting_list(**kwargs):
        calls.append(kwargs)
        return real_list(**kwargs)

    monkeypatch.setattr(vendor_selectors, "vendor_list", counting_list)

    rows = csv_rows(logged_in(clerk).get(reverse("vendors:list-export", args=["csv"])))

    assert sorted(row[0] for row in rows[1:]) == sorted(names)  # each exactly once
    assert [call["limit"] for call in calls] == [2, 2, 2]
    assert calls[0]["cursor"] is None and calls[1]["cursor"] and calls[2]["cursor"]


def test_the_list_page_links_to_its_exports_with_its_filters(clerk):
    make_vendor(clerk, "Acme")
    html = (
        logged_in(clerk)
        .get(reverse("vendors:list"), {"status": "active", "q": "Ac me"})
        .content.decode()
    )
    assert (
        '<a href="/vendors/export.csv?status=active&amp;q=Ac+me">Export CSV</a>' in html
    )
    assert (
        '<a href="/vendors/export.xlsx?status=active&amp;q=Ac+me">Export XLSX</a>'
        in html
    )


def test_exports_are_for_readers_only(nobody):
    client = logged_in(nobody)
    for name in ("vendors", "purchasing", "invoicing", "payments"):
        for fmt in ("csv", "xlsx"):
            assert (
                client.get(reverse(f"{name}:list-export", args=[fmt])).status_code
                == 403
            )


def test_an_unknown_format_is_not_found(clerk):
    response = logged_in(clerk).get("/vendors/export.pdf")
    assert response.status_code == 404


# --- purchase orders and invoices --------------------------------------------


def test_po_export_has_amounts_as_numbers_and_follows_the_status_filter(
    auditor, make_po, approver
):
    approved = make_po()  # 10 x 100.00 + 5 x 20.00
    purchase_order_approve(po_id=approved.id, user=approver)
    make_po(("1", "7.50"))  # stays pending
    client = logged_in(auditor)

    response = client.get(
        reverse("purchasing:list-export", args=["xlsx"]), {"status": "approved"}
    )
    sheet = xlsx_sheet(response)
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Number", "Vendor", "Status"]
    assert sheet.max_row == 2
    total = sheet.cell(row=2, column=header.index("Total") + 1)
    assert total.value == Decimal("1100") and total.data_type == "n"
    assert total.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=1).value == approved.po_number

    rows = csv_rows(client.get(reverse("purchasing:list-export", args=["csv"])))
    totals = {row[0]: row[rows[0].index("Total")] for row in rows[1:]}
    assert totals[approved.po_number] == "1100.00"
    assert sorted(totals.values()) == ["1100.00", "7.50"]


def test_invoice_export_shows_the_match_status_and_top_finding(
    clerk, auditor, make_po, approver
):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    lines = [
        {"po_line_number": 1, "description": "Item 1", "quantity": "10", "unit_price": "103.00"},
        {"po_line_number": 2, "description": "Item 2", "quantity": "5", "unit_price": "20.00"},
    ]  # fmt: skip
    invoice = invoice_create(
        user=clerk, po_id=po.id, invoice_number="=INV-1", invoice_date="2026-01-15",
        lines=lines,
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    client = logged_in(auditor)

    rows = csv_rows(
        client.get(
            reverse("invoicing:list-export", args=["csv"]), {"status": "rejected"}
        )
    )

    header = rows[0]
    (row,) = rows[1:]
    assert row[header.index("Number")] == "'=INV-1"
    assert row[header.index("Status")] == "rejected"
    assert "price" in row[header.index("Top finding")].lower()
    assert row[header.index("Total")] == "1130.00"
    other = client.get(
        reverse("invoicing:list-export", args=["csv"]), {"status": "matched"}
    )
    assert csv_rows(other)[1:] == []

    exceptions = client.get(reverse("invoicing:exceptions")).content.decode()
    assert 'href="/invoices/export.csv?status=rejected"' in exceptions


# --- a record's history -----------------------------------------------------


def test_history_export_lists_every_entry_with_what_changed(
    clerk, auditor, vendor, settings
):
    settings.EXPORT_PAGE_SIZE = 1
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"name": "@SUM(A1)"})
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"status": "active"})
    client = logged_in(auditor)

    url = reverse("audit:entity-history-export", args=["vendor", vendor.id, "xlsx"])
    rows = xlsx_rows(client.get(url))

    # The times are those of the reader's zone, which the header names.
    assert rows[0][:3] == ("When (Europe/Berlin)", "Who", "Action")
    assert [row[2] for row in rows[1:]] == ["UPDATE", "UPDATE", "CREATE"]
    assert rows[0][5:7] == ("Record", "Record id")
    # Each entry names the vendor as it was named then (a formula neutralised).
    assert [row[5] for row in rows[1:]] == [
        "'@SUM(A1)",
        "'@SUM(A1)",
        "Acme Supplies GmbH",
    ]
    assert [row[6] for row in rows[1:]] == [vendor.id] * 3
    assert rows[1][7] == "Status: pending → active"  # as the history page reads
    assert rows[2][7] == "Name: Acme Supplies GmbH → @SUM(A1)"
    assert '"after": {"name": "@SUM(A1)"}' in rows[2][8]

    page = client.get(reverse("audit:entity-history", args=["vendor", vendor.id]))
    assert f'href="/audit/vendor/{vendor.id}/export.csv"' in page.content.decode()


def test_history_export_of_an_unknown_record_type_is_not_found(auditor):
    url = reverse("audit:entity-history-export", args=["spaceship", "x", "csv"])
    assert logged_in(auditor).get(url).status_code == 404


def test_invoice_export_follows_the_vendor_and_entered_date_filters(
    clerk, auditor, make_po, approver, active_vendor
):
    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    lines = [
        {
            "po_line_number": n,
            "description": f"Item {n}",
            "quantity": q,
            "unit_price": p,
        }
        for n, q, p in ((1, "10", "100.00"), (2, "5", "20.00"))
    ]
    invoice_create(
        user=clerk, po_id=po.id, invoice_number="INV-7", invoice_date="2026-01-15",
        lines=lines,
    )  # fmt: skip
    other = make_vendor(clerk, "Other Vendor", status="active")
    client = logged_in(auditor)
    url = reverse("invoicing:list-export", args=["csv"])
    today = dt.date.today()

    def numbers(**query):
        return [row[0] for row in csv_rows(client.get(url, query))[1:]]

    assert numbers(vendor=active_vendor.id) == ["INV-7"]
    assert numbers(vendor=other.id) == []
    assert numbers(submitted_from=today.isoformat()) == ["INV-7"]
    assert numbers(submitted_to=(today - dt.timedelta(days=1)).isoformat()) == []


def test_an_export_is_refused_under_filters_the_list_would_refuse(auditor):
    client = logged_in(auditor)
    reversed_dates = {"created_from": "2026-02-01", "created_to": "2026-01-01"}
    response = client.get(
        reverse("purchasing:list-export", args=["csv"]), reversed_dates
    )
    assert response.status_code == 422
    assert "The end date is before the start date." in response.content.decode()

    response = client.get(
        reverse("invoicing:list-export", args=["xlsx"]),
        {"submitted_from": "2026-02-01", "submitted_to": "2026-01-01"},
    )
    assert response.status_code == 422
    assert "The end date is before the start date." in response.content.decode()

    response = client.get(
        reverse("vendors:list-export", args=["csv"]), {"status": "retired"}
    )
    assert response.status_code == 422
    assert "These filters are not valid (Status: Select a valid choice." in (
        response.content.decode().replace("&#x27;", "'")
    )


def test_audit_trail_export_is_for_auditors_and_follows_the_filters(
    clerk, auditor, vendor
):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"status": "active"})
    url = reverse("audit:browser-export", args=["csv"])
    client = logged_in(auditor)

    rows = csv_rows(client.get(url, {"action": "UPDATE"}))

    assert [(row[1], row[2], row[5], row[6]) for row in rows[1:]] == [
        ("clerk", "UPDATE", "Acme Supplies GmbH", vendor.id)
    ]
    assert len(csv_rows(client.get(url))) > 2  # the creation too
    assert logged_in(clerk).get(url).status_code == 403
    page = client.get(reverse("audit:browser"), {"action": "UPDATE"}).content.decode()
    assert 'href="/audit/export.xlsx?action=UPDATE"' in page


# --- dates as date cells (issue 14, item 12) ---------------------------------


def test_xlsx_writes_dates_and_times_as_date_cells_in_the_readers_time_zone():
    from django.utils import timezone

    at = dt.datetime(2026, 1, 15, 13, 5, 9, 123456, tzinfo=dt.UTC)
    export = Export(
        name="dates",
        header=["Day", "At", "Note"],
        rows=[[dt.date(2026, 11, 28), at, "2026-01-01"]],
    )
    with timezone.override("Europe/Berlin"):
        sheet = xlsx_sheet(export_response(export, fmt="xlsx"))

    header, row = list(sheet.iter_rows(min_row=1, max_row=2))
    assert [c.value for c in header] == ["Day", "At (Europe/Berlin)", "Note"]
    assert row[0].is_date and row[0].value == dt.datetime(2026, 11, 28)
    assert row[0].number_format == "yyyy-mm-dd"
    assert row[1].is_date and row[1].value == dt.datetime(2026, 1, 15, 14, 5, 9)
    assert row[1].number_format == "yyyy-mm-dd hh:mm:ss"
    assert row[2].value == "2026-01-01" and not row[2].is_date  # text stays text


def test_every_list_export_writes_its_dates_as_date_cells(
    clerk, auditor, make_po, approver
):
    po = make_po(expected_delivery="2026-02-01")
    purchase_order_approve(po_id=po.id, user=approver)
    invoice_create(
        user=clerk, po_id=po.id, invoice_number="INV-D", invoice_date="2026-01-15",
        lines=[{"po_line_number": 1, "description": "Item 1", "quantity": "1",
                "unit_price": "100.00"}],
    )  # fmt: skip
    client = logged_in(auditor)

    def cells(url_name: str, column: str):
        sheet = xlsx_sheet(client.get(reverse(url_name, args=["xlsx"])))
        header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        index = next(i for i, title in enumerate(header) if title.startswith(column))
        return [row[index] for row in sheet.iter_rows(min_row=2)]

    (invoice_date,) = cells("invoicing:list-export", "Invoice date")
    assert invoice_date.is_date and invoice_date.value == dt.datetime(2026, 1, 15)
    (due,) = cells("invoicing:list-export", "Due date")
    assert due.is_date
    (submitted,) = cells("invoicing:list-export", "Submitted")
    assert submitted.is_date and submitted.number_format == "yyyy-mm-dd hh:mm:ss"
    (delivery,) = cells("purchasing:list-export", "Expected delivery")
    assert delivery.is_date and delivery.value == dt.datetime(2026, 2, 1)
    created = cells("vendors:list-export", "Created")
    assert created and all(cell.is_date for cell in created)
    entries = cells("audit:browser-export", "When")
    assert entries and all(cell.is_date for cell in entries)
