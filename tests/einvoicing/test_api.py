"""POST /api/v1/invoices/import and GET /api/v1/einvoice-inbox, as a client would."""

import hashlib
import io
from decimal import Decimal as D

import pytest
from django.test import Client

from invoicing.selectors import invoice_get
from tests.api_client import bearer, send
from tests.einvoicing.broken import with_number, with_total_broken
from tests.einvoicing.samples import sample_bytes
from tests.einvoicing.ways import UBL1_SELLER_VAT_ID, agreeing_po, ubl1_for_po

URL = "/api/v1/invoices/import"
CII1 = "CII_example1.xml"


def post(content, user, name="invoice.xml"):
    upload = io.BytesIO(content)
    upload.name = name
    return Client().post(URL, {"file": upload}, **bearer(user))


@pytest.fixture
def koksmaat(make_vendor, einvoice_tax_codes):
    return make_vendor("De Koksmaat", vat_id=UBL1_SELLER_VAT_ID)


@pytest.fixture
def ubl1(koksmaat, requester, approver):
    """UBL example 1 naming an agreeing PO of its seller, and the PO."""
    return ubl1_for_po(vendor=koksmaat, requester=requester, approver=approver)


def test_a_document_naming_its_po_answers_201_with_the_invoice(clerk, ubl1):
    xml, po = ubl1

    response = post(xml, clerk)

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["invoice_number"], body["po_id"], body["po_number"]) == (
        "12115118", po.id, po.po_number,
    )  # fmt: skip
    assert (body["document_type"], body["currency"], body["status"]) == (
        "invoice", "EUR", "received",
    )  # fmt: skip
    assert [D(body[k]) for k in ("net_total", "tax_amount", "total_amount")] == [
        D("229.60"), D("20.73"), D("250.33"),
    ]  # fmt: skip
    assert D(body["amount_due"]) == D("250.33")
    assert body["source_sha256"] == hashlib.sha256(xml).hexdigest()
    assert len(body["items"]) == 20
    assert invoice_get(invoice_id=body["id"]).source_sha256 == body["source_sha256"]


def test_an_unknown_seller_answers_202_with_the_inbox_item(clerk, einvoice_tax_codes):
    response = post(sample_bytes(CII1), clerk)

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "needs_vendor"
    assert (body["seller_name"], body["seller_vat_id"]) == (
        "De Koksmaat", "NL8200.98.395.B.01",
    )  # fmt: skip
    assert (body["document_type"], body["currency"]) == ("invoice", "EUR")
    assert [D(body[k]) for k in ("net_total", "tax_amount", "total_amount")] == [
        D("229.60"), D("20.73"), D("250.33"),
    ]  # fmt: skip
    assert D(body["amount_due"]) == D("250.33")
    assert "order_reference" in body and body["id"]

    listed = Client().get("/api/v1/einvoice-inbox", **bearer(clerk)).json()

    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert listed["next_cursor"] is None


def test_the_same_file_again_or_the_same_number_answers_409(clerk, ubl1):
    xml, _ = ubl1
    first = post(xml, clerk).json()

    again = post(xml, clerk)

    assert again.status_code == 409
    assert again.json()["already_imported"] is True
    assert again.json()["existing_invoice_id"] == first["id"]

    # Another file (one byte more) of the same vendor and number.
    same_number = post(xml + b"\n", clerk)

    assert same_number.status_code == 409
    assert same_number.json()["existing_invoice_id"] == first["id"]
    assert not same_number.json().get("already_imported")


def test_an_invalid_document_answers_422_naming_each_failed_rule(
    clerk, einvoice_tax_codes
):
    broken = with_total_broken(sample_bytes("ubl-tc434-example2.xml"), "ubl")

    response = post(broken, clerk)

    assert response.status_code == 422
    rules = {error["rule"] for error in response.json()["errors"]}
    assert {"BR-CO-15", "BR-CO-16"} <= rules
    assert "BR-CO-15" in response.json()["detail"]


def test_a_file_over_the_limit_answers_413_and_no_file_422(
    clerk, einvoice_tax_codes, settings
):
    settings.INVOICE_ATTACHMENT_MAX_BYTES = 1000

    assert post(sample_bytes(CII1), clerk).status_code == 413
    assert Client().post(URL, {}, **bearer(clerk)).status_code == 422


def test_only_ap_clerks_import(auditor, einvoice_tax_codes):
    response = post(sample_bytes(CII1), auditor)

    assert response.status_code == 403
    assert "AP Clerk" in response.json()["detail"]


def test_an_old_client_s_invoice_calls_are_unchanged(
    clerk, koksmaat, requester, approver
):
    po = agreeing_po(
        sample_bytes("ubl-tc434-example1.xml"),
        vendor=koksmaat,
        requester=requester,
        approver=approver,
    )
    line = po.items[0]
    created = send(
        "post",
        "/api/v1/invoices",
        {
            "po_id": po.id,
            "invoice_number": "TYPED-1",
            "invoice_date": "2026-11-02",
            "items": [
                {
                    "po_line_number": 1,
                    "description": line.description,
                    "quantity": str(line.quantity),
                    "unit_price": str(line.unit_price),
                }
            ],
        },
        bearer(clerk),
    )
    assert created.status_code == 201, created.content
    fetched = Client().get(f"/api/v1/invoices/{created.json()['id']}", **bearer(clerk))

    assert fetched.status_code == 200
    body = fetched.json()
    assert (body["invoice_number"], body["document_type"]) == ("TYPED-1", "invoice")
    assert (body["amount_due"], body["source_sha256"]) == (None, None)
    listed = Client().get("/api/v1/invoices", **bearer(clerk))
    assert [item["id"] for item in listed.json()["items"]] == [body["id"]]


def test_the_openapi_document_describes_the_import(clerk):
    schema = Client().get("/api/v1/openapi.json", **bearer(clerk)).json()
    operation = schema["paths"]["/api/v1/invoices/import"]["post"]

    assert {"201", "202", "409", "413", "422"} <= set(operation["responses"])
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "/api/v1/einvoice-inbox" in schema["paths"]
    invoice = schema["components"]["schemas"]["InvoiceOut"]
    assert {"amount_due", "source_sha256"} <= set(invoice["properties"])
    assert not {"amount_due", "source_sha256"} & set(invoice.get("required", []))


def test_a_renumbered_sample_of_a_known_seller_without_po_waits_as_needs_po(
    clerk, koksmaat
):
    xml = with_number(sample_bytes("ubl-tc434-example1.xml"), "ubl", "NO-PO-1")

    response = post(xml, clerk)

    assert response.status_code == 202
    assert response.json()["status"] == "needs_po"
    assert response.json()["vendor_id"] == koksmaat.id
