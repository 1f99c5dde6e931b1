"""The invoices API with tax: printed_tax in, tax_lines out, old requests unchanged."""

import json

from django.test import Client

from tests.invoicing.test_api import INVOICES, TODAY, bearer, call


def body(po, codes=("V19", "V7"), **extra):
    items = [
        {"description": "Item 1", "quantity": "10", "unit_price": "100.00"},
        {"description": "Item 2", "quantity": "5", "unit_price": "20.00"},
    ]
    for item, code in zip(items, codes or (), strict=False):
        item["tax_code"] = code
    return {"po_id": po.id, "invoice_number": "INV-1", "invoice_date": TODAY,
            "items": items, **extra}  # fmt: skip


def test_printed_tax_in_and_the_vat_breakdown_out(clerk, approved_po, tax_codes):
    printed = [{"tax_code": "V19", "amount": "190.00"},
               {"tax_code": "V7", "amount": "7.02"}]  # fmt: skip
    response = call("post", INVOICES, body(approved_po, printed_tax=printed),
                    bearer(clerk))  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["tax_lines"] == [
        {"tax_code": "V19", "rate": "19", "category": "S", "base": "1000.00",
         "amount": "190.00", "printed": "190.00"},
        {"tax_code": "V7", "rate": "7", "category": "S", "base": "100.00",
         "amount": "7.00", "printed": "7.02"},
    ]  # fmt: skip
    assert (data["net_total"], data["tax_amount"], data["total_amount"]) == (
        "1100.00",
        "197.02",
        "1297.02",
    )
    report = call("put", f"{INVOICES}/{data['id']}/reconcile", {}, bearer(clerk))
    assert report.json()["invoice"]["status"] == "rejected"
    (finding,) = report.json()["report"]["findings"]
    assert (finding["code"], finding["line"]) == ("TAX_VARIANCE", "V7")


def test_a_correction_through_the_api_takes_printed_tax(clerk, approved_po, tax_codes):
    created = call("post", INVOICES, body(approved_po), bearer(clerk)).json()
    assert created["tax_amount"] == "197.00"  # nothing printed: the computed
    printed = [{"tax_code": "V19", "amount": "190.01"}]
    fields = body(approved_po, printed_tax=printed)
    del fields["po_id"]
    response = call("put", f"{INVOICES}/{created['id']}",
                    {**fields, "version": created["version"]}, bearer(clerk))  # fmt: skip
    assert response.status_code == 200, response.content
    assert [t["printed"] for t in response.json()["tax_lines"]] == ["190.01", None]
    assert response.json()["total_amount"] == "1297.01"


def test_an_old_request_is_answered_as_before(clerk, approved_po, tax_codes, settings):
    settings.DEFAULT_TAX_CODE = ""  # no default: uncoded lines stay uncoded
    response = call("post", INVOICES, body(approved_po, codes=None,
                    tax_amount="12.34"), bearer(clerk))  # fmt: skip
    assert response.status_code == 201
    data = response.json()
    assert data["tax_lines"] is None
    assert (data["tax_amount"], data["total_amount"]) == ("12.34", "1112.34")
    report = call("put", f"{INVOICES}/{data['id']}/reconcile", {}, bearer(clerk))
    assert report.json()["invoice"]["status"] == "matched"


def test_bad_printed_tax_answers_422_naming_the_code(clerk, approved_po, tax_codes):
    printed = [{"tax_code": "V0", "amount": "1.00"}]
    response = call("post", INVOICES, body(approved_po, printed_tax=printed),
                    bearer(clerk))  # fmt: skip
    assert response.status_code == 422
    assert "No line has tax code V0" in json.dumps(response.json())


def test_the_openapi_document_describes_printed_tax_and_tax_lines(clerk):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert "printed_tax" in schemas["InvoiceCreateIn"]["properties"]
    assert "printed_tax" in schemas["InvoiceUpdateIn"]["properties"]
    assert set(schemas["TaxLineOut"]["properties"]) == {
        "tax_code", "rate", "category", "base", "amount", "printed",
    }  # fmt: skip
