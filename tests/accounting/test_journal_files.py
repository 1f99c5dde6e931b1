"""The journal's files read back as a spreadsheet and DATEV read them."""

import csv
import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal

from accounting import journal
from accounting.journal_files import (
    BUCHUNGSSTAPEL_COLUMNS,
    DATEV_TAX_KEYS,
    JOURNAL_CSV_HEADER,
    DatevHeader,
    datev_bookings,
    datev_csv,
    datev_period_problem,
    journal_csv,
)
from tests.accounting.test_journal import ACCOUNTS, document, payment

D = Decimal

HEADER = DatevHeader(
    consultant=29098,
    client=55003,
    fiscal_year_start=dt.date(2026, 1, 1),
    account_length=4,
    start=dt.date(2026, 3, 1),
    end=dt.date(2026, 3, 31),
    created=dt.datetime(2026, 4, 1, 9, 30, 5, 123000),
)


def mixed_invoice():
    return journal.document_entry(
        document(
            [("100.00", "4930", "V19", "1000"), ("50.00", "4930", "V7", "1000")],
            vendor_name="Müller & Söhne",
            number="RE-2026/17",
        ),
        ACCOUNTS,
    )


def reverse_charge():
    return journal.document_entry(
        document([("1000.00", "4930", "RC19", "4100")], id="rc", number="EU-9"),
        ACCOUNTS,
    )


def read_datev(data: bytes):
    text = data.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return rows[0], rows[1], [dict(zip(rows[1], row, strict=True)) for row in rows[2:]]


def test_generic_csv_has_one_row_per_line_with_its_columns():
    entry = mixed_invoice()
    data = journal_csv([entry])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == JOURNAL_CSV_HEADER
    assert len(rows) == len(entry.lines) == 5
    assert rows[0] == {
        "Entry": "doc-1",
        "Date": "2026-03-05",
        "Document": "RE-2026/17",
        "Vendor": "Müller & Söhne",
        "Account": "4930",
        "Debit": "100.00",
        "Credit": "0.00",
        "Cost centre": "1000",
        "Tax code": "V19",
        "Currency": "EUR",
        "Text": "RE-2026/17",
        "Late posting": "",
    }
    assert sum(D(r["Debit"]) for r in rows) == sum(D(r["Credit"]) for r in rows)


def test_generic_csv_neutralises_a_vendor_name_a_spreadsheet_would_run():
    entry = journal.document_entry(
        document([("1.00", "4930", "V19", None)], vendor_name="=HYPERLINK(1)"),
        ACCOUNTS,
    )
    rows = list(csv.DictReader(io.StringIO(journal_csv([entry]).decode("utf-8-sig"))))
    assert rows[0]["Vendor"] == "'=HYPERLINK(1)"


def test_generic_csv_says_which_entries_are_late_postings():
    entry = replace(mixed_invoice(), late="Posted after export of 2026-03 (1 Apr)")
    rows = list(csv.DictReader(io.StringIO(journal_csv([entry]).decode("utf-8-sig"))))
    assert {r["Late posting"] for r in rows} == {
        "Posted after export of 2026-03 (1 Apr)"
    }


def test_datev_header_record_carries_the_format_the_numbers_and_the_period():
    data = datev_csv(
        datev_bookings([mixed_invoice()], ap_control="1600", tax_keys=DATEV_TAX_KEYS),
        HEADER,
    )
    header, headings, _ = read_datev(data)
    assert data.startswith(b'"EXTF";700;21;"Buchungsstapel";13;20260401093005123;')
    assert len(header) == 31
    assert header[10:16] == ["29098", "55003", "20260101", "4", "20260301", "20260331"]
    assert header[18] == "1"  # booking type: financial accounting
    assert header[21] == "EUR"
    assert header[26] == "03"  # SKR03
    assert headings == BUCHUNGSSTAPEL_COLUMNS
    assert len(headings) == 125
    assert b"\r\n" in data


def test_datev_rows_book_gross_with_the_tax_key_against_ap_control():
    bookings = datev_bookings(
        [mixed_invoice()], ap_control="1600", tax_keys=DATEV_TAX_KEYS
    )
    _, _, rows = read_datev(datev_csv(bookings, HEADER))
    assert [
        (
            r["Umsatz (ohne Soll/Haben-Kz)"],
            r["Soll/Haben-Kennzeichen"],
            r["WKZ Umsatz"],
            r["Konto"],
            r["Gegenkonto (ohne BU-Schlüssel)"],
            r["BU-Schlüssel"],
            r["Belegdatum"],
            r["Belegfeld 1"],
            r["KOST1 - Kostenstelle"],
        )
        for r in rows
    ] == [
        ("119,00", "S", "EUR", "4930", "1600", "9", "0503", "RE-2026/17", "1000"),
        ("53,50", "S", "EUR", "4930", "1600", "8", "0503", "RE-2026/17", "1000"),
    ]
    # The two gross amounts are what AP control is credited with.
    assert D("119.00") + D("53.50") == D("172.50")
    assert rows[0]["Buchungstext"].startswith("Müller & Söhne")


def test_datev_file_is_windows_1252_with_umlauts_as_single_bytes():
    data = datev_csv(
        datev_bookings([mixed_invoice()], ap_control="1600", tax_keys=DATEV_TAX_KEYS),
        HEADER,
    )
    assert "Müller".encode("cp1252") in data
    assert "Müller".encode() not in data
    assert "Gegenkonto (ohne BU-Schlüssel)".encode("cp1252") in data


def test_datev_reverse_charge_is_one_booking_with_key_94_and_no_tax_rows():
    bookings = datev_bookings(
        [reverse_charge()], ap_control="1600", tax_keys=DATEV_TAX_KEYS
    )
    assert [(b.amount, b.side, b.account, b.tax_key) for b in bookings] == [
        (D("1000.00"), "S", "4930", "94")
    ]


def test_datev_without_keys_books_net_and_each_tax_separately():
    bookings = datev_bookings([reverse_charge()], ap_control="1600", tax_keys={})
    assert [(str(b.amount), b.side, b.account, b.tax_key) for b in bookings] == [
        ("1000.00", "S", "4930", ""),
        ("190.00", "S", "1577", ""),
        ("190.00", "H", "1787", ""),
    ]


def test_datev_credit_note_and_payment_book_on_the_haben_side():
    credit = journal.document_entry(
        document([("50.00", "4930", "V19", None)], kind=journal.CREDIT_NOTE),
        ACCOUNTS,
    )
    paid = journal.payment_entry(
        payment(
            journal.SettledItem(
                document="INV-1", total=D("119.00"), discount=D("2.38")
            ),
            transferred="116.62",
        ),
        ACCOUNTS,
    )
    bookings = datev_bookings(
        [credit, paid], ap_control="1600", tax_keys=DATEV_TAX_KEYS
    )
    _, _, rows = read_datev(datev_csv(bookings, HEADER))
    assert [
        (
            r["Umsatz (ohne Soll/Haben-Kz)"],
            r["Soll/Haben-Kennzeichen"],
            r["Konto"],
            r["BU-Schlüssel"],
            r["Belegdatum"],
        )
        for r in rows
    ] == [
        ("59,50", "H", "4930", "9", "0503"),
        ("2,38", "H", "3730", "", "2003"),
        ("116,62", "H", "1200", "", "2003"),
    ]


def test_datev_belegfeld_keeps_only_the_characters_datev_allows():
    entry = journal.document_entry(
        document([("1.00", "4930", "V0", None)], number="INV 2026_#17 ä"), ACCOUNTS
    )
    bookings = datev_bookings([entry], ap_control="1600", tax_keys=DATEV_TAX_KEYS)
    _, _, rows = read_datev(datev_csv(bookings, HEADER))
    assert rows[0]["Belegfeld 1"] == "INV202617"


def test_datev_late_posting_is_named_in_the_document_info():
    entry = replace(mixed_invoice(), late="Posted after the export of 1 Apr")
    bookings = datev_bookings([entry], ap_control="1600", tax_keys=DATEV_TAX_KEYS)
    _, _, rows = read_datev(datev_csv(bookings, HEADER))
    assert rows[0]["Beleginfo - Art 1"] == "Late posting"
    assert rows[0]["Beleginfo - Inhalt 1"] == "Posted after the export of 1 Apr"


def test_datev_split_tax_over_two_lines_of_one_code_adds_up_to_the_cent():
    entry = journal.document_entry(
        document([("33.33", "4930", "V19", "1000"), ("33.33", "4930", "V19", "2000")]),
        ACCOUNTS,
    )
    bookings = datev_bookings([entry], ap_control="1600", tax_keys=DATEV_TAX_KEYS)
    assert sum(b.amount for b in bookings) == entry.credit_total == D("79.33")


def test_a_datev_period_across_two_years_is_refused_with_the_reason():
    assert datev_period_problem(HEADER) is None
    problem = datev_period_problem(
        replace(HEADER, start=dt.date(2025, 12, 1), end=dt.date(2026, 1, 31))
    )
    assert problem == (
        "A DATEV booking batch covers one calendar year: export 2025 and 2026 "
        "separately."
    )
