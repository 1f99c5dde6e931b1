import datetime as dt
from decimal import Decimal

from dashboard import figures

TODAY = dt.date(2026, 11, 27)  # a Friday


def test_spend_lists_the_top_ten_vendors_of_the_period_per_currency():
    rows = [
        figures.SpendRow(f"Vendor {n:02d}", "EUR", Decimal(n), TODAY)
        for n in range(1, 13)
    ] + [
        figures.SpendRow("Vendor 01", "EUR", Decimal("100.50"), TODAY),
        figures.SpendRow("Old", "EUR", Decimal("9999"), dt.date(2026, 9, 30)),
        figures.SpendRow("Yankee", "USD", Decimal("5"), TODAY),
    ]
    spend = figures.spend_by_vendor(rows, since=figures.quarter_start(TODAY))
    assert [r["vendor"] for r in spend["EUR"]][:2] == ["Vendor 01", "Vendor 12"]
    assert spend["EUR"][0]["amount"] == "101.50"
    assert len(spend["EUR"]) == 10 and "Old" not in str(spend)
    assert spend["USD"] == [{"vendor": "Yankee", "amount": "5"}]


def test_ageing_puts_each_unpaid_invoice_in_its_bucket():
    due = [0, -3, 1, 30, 31, 60, 61, 90, 91, 400]  # days past due
    invoices = [
        figures.OpenInvoice("EUR", Decimal("10.00"), TODAY - dt.timedelta(days=d))
        for d in due
    ]
    buckets = figures.ageing(invoices, today=TODAY)["EUR"]
    assert {b: v["count"] for b, v in buckets.items()} == {
        "current": 2, "1-30": 2, "31-60": 2, "61-90": 2, "90+": 2,
    }  # fmt: skip
    assert buckets["90+"]["amount"] == "20.00"


def test_match_rate_counts_eight_weeks_starting_on_mondays():
    outcomes = [
        (TODAY, "matched"),
        (TODAY - dt.timedelta(days=4), "matched"),  # Monday, same week
        (TODAY, "rejected"),
        (TODAY, "awaiting_receipt"),  # not a decision
        (TODAY - dt.timedelta(weeks=9), "matched"),  # too old
    ]
    weeks = figures.match_rate(outcomes, today=TODAY)
    assert len(weeks) == 8 and weeks[-1]["week"] == "2026-11-23"
    assert weeks[-1] == {"week": "2026-11-23", "matched": 2, "rejected": 1, "rate": 67}
    assert weeks[0]["rate"] is None
