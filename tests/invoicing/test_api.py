"""The invoices API: domain.md's worked examples through /api/v1/invoices."""

import datetime as dt
import json

import pytest
from django.test import Client

from accounts.services import api_token_create
from audit.selectors import audit_history
from invoicing.selectors import invoice_get

TODAY = dt.date.today().isoformat()
INVOICES = "/api/v1/invoices"


def bearer(user):
    _, token = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def call(method, url, body, headers):
    return getattr(Client(), method)(
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        **headers,
    )


def body(po, number="INV-1", pairs=(("10", "100.00"), ("5", "20.00")), **extra):
    return {
        "po_id": po.id,
        "invoice_number": number,
        "invoice_date": TODAY,
        "items": [
            {"description": f"Item {n}", "quantity": q, "unit_price": p}
            for n, (q, p) in enumerate(pairs, start=1)
        ],
        **extra,
    }


@pytest.mark.parametrize(
    ("pairs", "status", "codes"),
    [
        ((("10", "100.00"), ("5", "20.00")), "matched", []),
        ((("10", "100.50"), ("5", "20.00")), "matched", []),
        (
            (("10", "103.00"), ("5", "20.00")),
            "rejected",
            ["PRICE_VARIANCE", "TOTAL_VARIANCE"],
        ),
        (
            (("10", "100.00"), ("5", "20.00"), ("1", "50.00")),
            "rejected",
            ["UNMATCHED_LINE"],
        ),
    ],
)
def test_worked_examples_through_the_api(clerk, approved_po, pairs, status, codes):
    headers = bearer(clerk)
    created = call("post", INVOICES, body(approved_po, pairs=pairs), headers)
    assert created.status_code == 201, created.json()
    data = created.json()
    assert {
        "id",
        "po_id",
        "invoice_number",
        "items",
        "total_amount",
        "status",
        "submitted_at",
    } <= set(data)
    assert data["status"] == "received"
    response = call("put", f"{INVOICES}/{data['id']}/reconcile", None, headers)
    assert response.status_code == 200
    result = response.json()
    assert result["invoice"]["status"] == status
    assert [f["code"] for f in result["report"]["findings"]] == codes
    assert {"po_status_valid", "total_amount_match", "items_match", "po_total",
            "invoice_total", "amount_difference", "discrepancies"} <= set(result["report"])  # fmt: skip


def test_the_same_lines_again_and_a_pending_po_through_the_api(
    clerk, approved_po, make_po
):
    headers = bearer(clerk)
    first = call("post", INVOICES, body(approved_po, "A-1"), headers).json()
    call("put", f"{INVOICES}/{first['id']}/reconcile", None, headers)
    second = call("post", INVOICES, body(approved_po, "A-2"), headers).json()
    report = call("put", f"{INVOICES}/{second['id']}/reconcile", None, headers).json()[
        "report"
    ]
    assert [f["code"] for f in report["findings"]] == [
        "QTY_OVER_ORDERED", "QTY_OVER_ORDERED", "OVER_BILLED",
    ]  # fmt: skip
    pending = make_po()
    on_pending = call("post", INVOICES, body(pending, "P-1"), headers).json()
    report = call(
        "put", f"{INVOICES}/{on_pending['id']}/reconcile", None, headers
    ).json()["report"]
    assert [f["code"] for f in report["findings"]] == ["PO_NOT_APPROVED"]


def test_duplicate_number_in_another_spelling_is_409_with_a_link(clerk, approved_po):
    headers = bearer(clerk)
    first = call("post", INVOICES, body(approved_po, "INV-0042"), headers).json()
    response = call("post", INVOICES, body(approved_po, "inv 42"), headers)
    assert response.status_code == 409
    assert response.json()["existing_invoice_id"] == first["id"]
    assert "already entered as INV-0042" in response.json()["detail"]


def test_bad_invoices_are_4xx_and_write_nothing(clerk, approved_po):
    headers = bearer(clerk)
    assert (
        call(
            "post", INVOICES, {**body(approved_po), "po_id": "nope"}, headers
        ).status_code
        == 404
    )
    wrong_total = call(
        "post",
        INVOICES,
        body(approved_po, tax_amount="10.00", total_amount="1100.00"),
        headers,
    )
    assert wrong_total.status_code == 422 and "plus tax" in wrong_total.json()["detail"]
    negative = call(
        "post", INVOICES, body(approved_po, pairs=(("1", "-5.00"),)), headers
    )
    assert negative.status_code == 422
    assert "items.0.unit_price" in negative.json()["errors"]
    assert (
        call("get", f"{INVOICES}?po_id={approved_po.id}", None, headers).json()["items"]
        == []
    )


def test_void_through_delete_refuses_a_stale_version_and_frees_the_number(
    clerk, approved_po
):
    headers = bearer(clerk)
    created = call("post", INVOICES, body(approved_po, "INV-9"), headers).json()
    stale = call("delete", f"{INVOICES}/{created['id']}?version=7", None, headers)
    assert stale.status_code == 409
    response = call(
        "delete",
        f"{INVOICES}/{created['id']}?version=1&reason=Duplicate+scan",
        None,
        headers,
    )
    assert response.status_code == 204
    assert invoice_get(invoice_id=created["id"]).status == "void"
    entry = audit_history(entity_type="invoice", entity_id=created["id"]).items[0]
    assert (entry.action, entry.details["reason"]) == ("VOID", "Duplicate scan")
    assert (
        call("post", INVOICES, body(approved_po, "inv 9"), headers).status_code == 201
    )


def test_list_filters_by_status_and_po(clerk, approved_po):
    headers = bearer(clerk)
    created = call("post", INVOICES, body(approved_po), headers).json()
    listed = call(
        "get", f"{INVOICES}?status=received&po_id={approved_po.id}", None, headers
    ).json()
    assert [i["id"] for i in listed["items"]] == [created["id"]]
    assert listed["next_cursor"] is None
    assert (
        call("get", f"{INVOICES}?status=matched", None, headers).json()["items"] == []
    )


def test_same_vendor_date_and_total_under_another_number_is_flagged(clerk, approved_po):
    headers = bearer(clerk)
    first = call("post", INVOICES, body(approved_po, "INV-100"), headers).json()
    second = call("post", INVOICES, body(approved_po, "X-555"), headers)
    assert second.status_code == 201
    assert second.json()["possible_duplicates"] == [first["id"]]
    page = Client()
    page.force_login(clerk)
    html = page.get(f"/invoices/{second.json()['id']}/").content.decode()
    assert "Possible duplicate:" in html and "INV-100" in html


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["invoice_number"] for item in response.json()["items"]]


def test_list_filters_by_vendor_and_entered_date_range(
    clerk, dated_invoices, active_vendor, other_vendor
):
    headers = bearer(clerk)

    def listed(**params):
        return numbers(Client().get(INVOICES, params, **headers))

    assert listed(vendor_id=active_vendor.id) == ["ACME-MAR", "ACME-FEB", "ACME-JAN"]
    assert listed(vendor_id=other_vendor.id) == ["GLOBEX-FEB"]
    assert sorted(listed(submitted_from="2026-02-01", submitted_to="2026-02-28")) == [
        "ACME-FEB",
        "GLOBEX-FEB",
    ]
    assert listed(vendor_id=active_vendor.id, submitted_to="2026-02-10") == [
        "ACME-FEB",
        "ACME-JAN",
    ]
    assert listed(submitted_from="2026-03-11") == []


def test_filtered_pages_keep_their_filters_and_cursors_only_fit_them(
    clerk, dated_invoices, active_vendor
):
    headers = bearer(clerk)
    params = {"vendor_id": active_vendor.id, "submitted_from": "2026-01-10"}
    seen, cursor = [], None
    for _ in range(5):
        page = Client().get(
            INVOICES, {**params, "limit": 1, **({"cursor": cursor} if cursor else {})},
            **headers,
        )  # fmt: skip
        seen += numbers(page)
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break

    first = Client().get(INVOICES, {**params, "limit": 1}, **headers).json()
    elsewhere = Client().get(
        INVOICES,
        {**params, "submitted_from": "2026-02-01", "cursor": first["next_cursor"]},
        **headers,
    )

    assert seen == ["ACME-MAR", "ACME-FEB", "ACME-JAN"]
    assert elsewhere.status_code == 400
    assert "cursor is not valid" in elsewhere.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"submitted_from": "2026-13-01"}, "submitted_from"),
        ({"submitted_to": "yesterday"}, "submitted_to"),
        (
            {"submitted_from": "2026-02-01", "submitted_to": "2026-01-31"},
            "submitted_to",
        ),
    ],
)
def test_bad_entered_date_is_refused_with_422_naming_the_field(clerk, params, field):
    response = Client().get(INVOICES, params, **bearer(clerk))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert response.json()["detail"]


def test_put_and_delete_without_version_are_conditional_on_version_read(
    clerk, approved_po
):
    headers = bearer(clerk)
    created = call("post", INVOICES, body(approved_po, "INV-10"), headers).json()

    correction = body(approved_po, "INV-11")
    del correction["po_id"]
    corrected = call("put", f"{INVOICES}/{created['id']}", correction, headers)
    voided = call("delete", f"{INVOICES}/{created['id']}", None, headers)

    assert corrected.status_code == 200
    assert corrected.json()["invoice_number"] == "INV-11"
    assert voided.status_code == 204
    assert invoice_get(invoice_id=created["id"]).status == "void"


def test_invoice_total_above_max_amount_is_refused(clerk, approved_po):
    invoice = body(approved_po, "INV-12")
    invoice["tax_amount"] = "999999999999999.00"

    response = call("post", INVOICES, invoice, bearer(clerk))

    assert response.status_code == 422
    assert (
        "more than the largest amount accepted"
        in (response.json()["errors"]["total_amount"])
    )


@pytest.mark.parametrize("field", ["quantity", "unit_price"])
def test_huge_exponent_in_an_invoice_line_is_a_field_error_not_a_500(
    clerk, approved_po, field
):
    invoice = body(approved_po, "INV-13")
    invoice["items"][0][field] = "1e1000000"

    response = call("post", INVOICES, invoice, bearer(clerk))

    assert response.status_code == 422
    assert response.json()["errors"][f"items.0.{field}"].endswith("too large.")


def test_huge_exponent_in_the_tax_is_a_field_error_not_a_500(clerk, approved_po):
    invoice = {**body(approved_po, "INV-14"), "tax_amount": "1e1000000"}

    response = call("post", INVOICES, invoice, bearer(clerk))

    assert response.status_code == 422
    assert response.json()["errors"] == {"tax_amount": "tax amount is too large."}
