"""A PO line's coding: named, or the vendor's defaults, then the settings' tax code."""

import pytest
from django.test import Client
from django.urls import reverse

from accounting.models import CostCentre
from audit.selectors import audit_history
from core.errors import ValidationFailed
from purchasing.selectors import purchase_order_get, purchase_order_list
from purchasing.services import (
    purchase_order_approve,
    purchase_order_create,
    purchase_order_receive,
    purchase_order_update,
)
from tests.api_client import bearer, send
from tests.conftest import HTMX, htmx_fragment, po_lines
from tests.line_rows import coding_shown, line_rows, logged_in, row
from vendors.models import Vendor

POS = "/api/v1/purchase-orders"


def codes(po):
    return [(li.tax_code, li.gl_account, li.cost_centre) for li in po.items]


def with_defaults(vendor, **defaults):
    record = Vendor.get(vendor.id)
    record.update(
        actions=[getattr(Vendor, f"default_{k}").set(v) for k, v in defaults.items()]
    )
    return record


@pytest.fixture
def coded_vendor(active_vendor, tax_codes):
    return with_defaults(
        active_vendor, gl_account="4930", cost_centre="4100", tax_code="V7"
    )


def test_a_line_naming_no_code_takes_the_vendors_defaults(requester, coded_vendor):
    lines = po_lines(("1", "10.00"), ("2", "5.00"))
    lines[1].update(gl_account="4980", cost_centre="4200")
    po = purchase_order_create(user=requester, vendor_id=coded_vendor.id, lines=lines)
    assert codes(purchase_order_get(po_id=po.id)) == [
        ("V7", "4930", "4100"),
        ("V7", "4980", "4200"),
    ]
    (entry,) = audit_history(entity_type="purchase_order", entity_id=po.id).items
    assert entry.details["after"]["items"][1]["gl_account"] == "4980"


def test_without_vendor_defaults_the_tax_code_is_the_settings(
    requester, active_vendor, tax_codes
):
    po = purchase_order_create(
        user=requester, vendor_id=active_vendor.id, lines=po_lines(("1", "10.00"))
    )
    assert codes(po) == [("V19", None, None)]


def test_an_old_request_without_codes_or_defaults_codes_nothing(
    requester, active_vendor
):
    po = purchase_order_create(
        user=requester, vendor_id=active_vendor.id, lines=po_lines(("1", "10.00"))
    )
    assert codes(purchase_order_get(po_id=po.id)) == [(None, None, None)]
    (entry,) = audit_history(entity_type="purchase_order", entity_id=po.id).items
    assert "gl_account" not in entry.details["after"]["items"][0]


def test_unknown_and_inactive_codes_are_refused_on_a_new_po(requester, coded_vendor):
    CostCentre.get("4200").update(actions=[CostCentre.active.set(False)])
    lines = po_lines(("1", "10.00"), ("1", "10.00"))
    lines[0]["gl_account"] = "4999"
    lines[1]["cost_centre"] = "4200"
    with pytest.raises(ValidationFailed) as caught:
        purchase_order_create(user=requester, vendor_id=coded_vendor.id, lines=lines)
    assert caught.value.field_errors == {
        "items.0.gl_account": "GL account 4999 does not exist.",
        "items.1.cost_centre": "Cost centre 4200 (Warehouse) is inactive: choose "
        "an active one.",
    }


def test_an_edit_keeps_the_codes_of_unchanged_lines_even_inactive(
    requester, coded_vendor
):
    lines = po_lines(("1", "10.00"), ("1", "20.00"))
    lines[1]["cost_centre"] = "4200"
    po = purchase_order_create(user=requester, vendor_id=coded_vendor.id, lines=lines)
    CostCentre.get("4200").update(actions=[CostCentre.active.set(False)])
    po = purchase_order_update(po_id=po.id, user=requester, notes="Deliver Monday")
    assert codes(po)[1] == ("V7", "4930", "4200")
    changed = po_lines(("1", "10.00"), ("3", "20.00"))  # line 2 changes
    with pytest.raises(ValidationFailed) as caught:
        purchase_order_update(po_id=po.id, user=requester, lines=changed)
    assert "items.1.cost_centre" in caught.value.field_errors


def test_receipts_keep_the_lines_coding(requester, approver, clerk, coded_vendor):
    po = purchase_order_create(
        user=requester, vendor_id=coded_vendor.id, lines=po_lines(("2", "10.00"))
    )
    purchase_order_approve(po_id=po.id, user=approver)
    po = purchase_order_receive(po_id=po.id, user=clerk, quantities={1: "1"})
    assert codes(purchase_order_get(po_id=po.id)) == [("V7", "4930", "4100")]


def test_the_api_takes_and_returns_the_coding(requester, coded_vendor):
    headers = bearer(requester)
    body = {
        "vendor_id": coded_vendor.id,
        "items": [
            {"description": "Paper", "quantity": "1", "unit_price": "5.00"},
            {"description": "Rent", "quantity": "1", "unit_price": "900.00",
             "gl_account": "4200", "cost_centre": "4200", "tax_code": "v0"},
        ],
    }  # fmt: skip
    response = send("post", POS, body, headers)
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert [(i["tax_code"], i["gl_account"], i["cost_centre"]) for i in items] == [
        ("V7", "4930", "4100"),
        ("V0", "4200", "4200"),
    ]
    body["items"][0]["gl_account"] = "4999"
    refused = send("post", POS, body, headers)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "items.0.gl_account": "GL account 4999 does not exist."
    }


def test_the_openapi_schema_offers_the_coding_as_optional(db):
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    line = schema["POLineIn"]
    assert {"tax_code", "gl_account", "cost_centre"} <= set(line["properties"])
    assert "gl_account" not in line.get("required", [])
    assert "cost_centre" in schema["POLineOut"]["properties"]


def test_the_po_form_offers_the_codes_preselected_and_the_page_shows_them(
    requester, coded_vendor
):
    client = logged_in(requester)
    page = client.get(reverse("purchasing:create") + f"?vendor={coded_vendor.id}")
    html = page.content.decode()
    assert 'name="lines-0-gl_account"' in html
    assert '<option value="4930" selected>4930 Office supplies</option>' in html
    data = {
        "vendor_id": coded_vendor.id,
        "currency": "",
        "match_type": "2-way",
        "expected_delivery": "",
        "notes": "",
        **line_rows(
            [
                row("Chairs", "2", "250.00", ("", "4980", "")),
                # A row whose preselected codes alone are filled is a blank row.
                row(codes=("V7", "4930", "4100")),
            ]
        ),
    }
    response = client.post(reverse("purchasing:create"), data, follow=True)
    html = response.content.decode()
    assert "raised; it now awaits approval" in html
    assert coding_shown(html, "V7", "4980", "4100")


def test_choosing_the_vendor_preselects_its_default_codes_on_the_lines(
    requester, coded_vendor
):
    data = {
        "vendor_id": coded_vendor.id,
        "vendor_changed": "1",
        **line_rows([row("Chairs", "2", "250.00"), row()]),
    }
    response = logged_in(requester).post(
        reverse("purchasing:create"), data, headers=HTMX
    )
    html = htmx_fragment(response, region="po-lines")
    assert response.status_code == 200
    assert html.count('<option value="4930" selected>') == 2
    assert html.count('<option value="V7" selected>') == 2
    assert 'value="Chairs"' in html  # what was typed stays
    assert purchase_order_list().items == []
