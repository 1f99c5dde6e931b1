"""Credit notes through the API (/api/v1/invoices) and the invoice pages."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create

TODAY = dt.date.today().isoformat()
INVOICES = "/api/v1/invoices"


def items(*pairs):
    return [
        {
            "description": f"Item {n}",
            "quantity": q,
            "unit_price": p,
            "po_line_number": n,
        }
        for n, (q, p) in enumerate(pairs, start=1)
    ]


@pytest.fixture
def billed(clerk, approved_po):
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=items(("10", "100.00"), ("5", "20.00")),
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    return invoice_get(invoice_id=invoice.id)


def post(user, body):
    _, token = api_token_create(user=user)
    return Client().post(
        INVOICES, data=json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def credit_body(invoice, number="CN-1", pairs=(("2", "100.00"),), **extra):
    return {
        "document_type": "credit_note",
        "credited_invoice_id": invoice.id,
        "invoice_number": number,
        "invoice_date": TODAY,
        "items": items(*pairs),
        **extra,
    }


def test_api_enters_a_credit_note_for_an_invoice(clerk, billed):
    response = post(clerk, credit_body(billed))
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["document_type"], data["credited_invoice_id"]) == (
        "credit_note", billed.id,
    )  # fmt: skip
    assert (data["po_id"], data["status"], data["total_amount"]) == (
        billed.po_id, "received", "200.00",
    )  # fmt: skip


def test_api_old_requests_still_enter_invoices(clerk, approved_po):
    response = post(clerk, {"po_id": approved_po.id, "invoice_number": "INV-7",
                            "invoice_date": TODAY, "items": items(("1", "100.00"))})  # fmt: skip
    assert response.status_code == 201
    assert response.json()["document_type"] == "invoice"


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        ({"items": items(("12", "100.00"))}, 422, "leaves to credit"),
        ({"items": items(("-2", "100.00"))}, 422, "correct the highlighted"),
        ({"invoice_number": "INV 1"}, 409, "already entered as invoice INV-1"),
        ({"document_type": "invoice"}, 422, "Only a credit note"),
        ({"credited_invoice_id": "nope"}, 422, "no invoice with id"),
    ],
)
def test_api_refuses_a_bad_credit_note(clerk, billed, change, status, detail):
    response = post(clerk, {**credit_body(billed), **change})
    assert response.status_code == status, response.content
    assert detail in response.json()["detail"]
    assert invoice_get(invoice_id=billed.id).status == "matched"


def test_api_refuses_crediting_an_invoice_not_yet_matched(clerk, approved_po):
    received = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="INV-1", invoice_date=TODAY,
        lines=items(("1", "100.00")),
    )  # fmt: skip
    response = post(clerk, credit_body(received, pairs=(("1", "100.00"),)))
    assert response.status_code == 409
    assert "only matched, approved, scheduled or paid" in response.json()["detail"]


def test_openapi_documents_the_credit_note_fields():
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    fields = schema["InvoiceCreateIn"]["properties"]
    assert fields["document_type"]["default"] == "invoice"
    assert "credited_invoice_id" in fields
    assert "po_id" not in schema["InvoiceCreateIn"].get("required", [])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_credit_note_entered_through_the_form_shows_as_a_credit(clerk, billed):
    client = logged_in(clerk)
    url = reverse("invoicing:create")
    form = client.get(f"{url}?po={billed.po_id}&type=credit_note&credits={billed.id}")
    html = form.content.decode()
    assert re.search(r'value="credit_note"[^>]*checked', html)
    assert f'<option value="{billed.id}" selected>INV-1 (matched)</option>' in html
    response = client.post(
        f"{url}?po={billed.po_id}",
        {
            "document_type": "credit_note", "credited_invoice": billed.id,
            "invoice_number": "CN-1", "invoice_date": TODAY, "tax_amount": "0.00",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
            "lines-0-po_line_number": "1", "lines-0-description": "Returned",
            "lines-0-quantity": "2", "lines-0-unit_price": "100.00",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    page = client.get(response["Location"]).content.decode()
    assert "Credit note CN-1" in page
    assert f'invoice <a href="/invoices/{billed.id}/">INV-1</a>' in page
    assert "−EUR 200.00" in page
    assert "Correct…" not in page

    listed = client.get(reverse("invoicing:list"), {"document_type": "credit_note"})
    text = listed.content.decode()
    assert "CN-1" in text and ">INV-1<" not in text
    assert "−EUR 200.00" in text

    export = client.get(
        reverse("invoicing:list-export", args=["csv"]), {"document_type": "credit_note"}
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(export).decode("utf-8-sig"))))
    assert [(r["Number"], r["Document type"], r["Credits invoice"]) for r in rows] == [
        ("CN-1", "credit_note", "INV-1")
    ]


def test_a_matched_invoice_page_offers_a_credit_note(clerk, billed):
    page = logged_in(clerk).get(reverse("invoicing:detail", args=[billed.id]))
    assert "Enter a credit note for INV-1" in page.content.decode()
