"""The payment run list downloaded: one row per run and currency."""

import csv
import io

from django.test import Client
from django.urls import reverse

from payments import services
from tests.conftest import TODAY


def csv_rows(client, **query) -> list[dict[str, str]]:
    response = client.get(reverse("payments:list-export", args=["csv"]), query)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_run_export_has_a_row_per_currency_and_follows_the_status_filter(
    treasurer, auditor, three_vendors, matched_invoice
):
    acme, bureau, globex = three_vendors
    matched_invoice(acme, "1000.00")
    matched_invoice(bureau, "250.50")
    matched_invoice(globex, "99.99")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    client = Client()
    client.force_login(auditor)

    rows = csv_rows(client, status="draft")

    assert [(r["Run"], r["Status"], r["Currency"]) for r in rows] == [
        (run.number, "draft", "EUR"),
        (run.number, "draft", "USD"),
    ]
    assert [(r["Payments"], r["Invoices"], r["Amount"]) for r in rows] == [
        ("2", "2", "1250.50"),
        ("1", "1", "99.99"),
    ]
    assert csv_rows(client, status="cancelled") == []

    services.payment_run_cancel(run_id=run.id, user=treasurer, reason="Wrong date")
    (cancelled, _) = csv_rows(client, status="cancelled")
    assert cancelled["Cancel reason"] == "Wrong date"
    assert cancelled["Cancelled by"] == "treasurer"
