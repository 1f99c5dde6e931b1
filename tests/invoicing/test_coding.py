"""
Invoice and credit-note line coding: inherited from the PO line (or the
credited line, the vendor's defaults), required without PO, recodable by a
clerk until matched (audited), and old requests unchanged.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from accounting.models import GlAccount
from audit.selectors import audit_history
from core.errors import InvalidTransition, StaleRecord, ValidationFailed
from invoicing import coding, without_po
from invoicing.credit_notes import credit_note_create
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get
from invoicing.services import invoice_create, invoice_resubmit
from purchasing.services import purchase_order_approve, purchase_order_create
from tests.api_client import bearer, send
from tests.conftest import po_lines
from tests.line_rows import (
    coding_shown,
    line_rows,
    logged_in,
    refused_then_saved,
    row,
)
from vendors.models import Vendor

DAY = dt.date.today() - dt.timedelta(days=3)
INVOICES = "/api/v1/invoices"


def codes_of(tax_code, gl_account, cost_centre) -> dict:
    return {"tax_code": tax_code, "gl_account": gl_account, "cost_centre": cost_centre}


def codes(document):
    return [(li.tax_code, li.gl_account, li.cost_centre) for li in document.items]


def set_defaults(vendor, **defaults):
    Vendor.get(vendor.id).update(
        actions=[getattr(Vendor, f"default_{k}").set(v) for k, v in defaults.items()]
    )


@pytest.fixture
def coded_po(requester, approver, active_vendor, tax_codes):
    """An approved PO: line 1 coded 4930/4100 V19, line 2 4980/4200 V7."""
    lines = po_lines(("10", "100.00"), ("5", "20.00"))
    lines[0].update(gl_account="4930", cost_centre="4100")
    lines[1].update(gl_account="4980", cost_centre="4200", tax_code="V7")
    po = purchase_order_create(user=requester, vendor_id=active_vendor.id, lines=lines)
    return purchase_order_approve(po_id=po.id, user=approver)


def enter(clerk, po, lines=None, number="INV-1"):
    return invoice_create(
        user=clerk,
        po_id=po.id,
        invoice_number=number,
        invoice_date=DAY,
        lines=lines or po_lines(("10", "100.00"), ("5", "20.00")),
    )


def test_invoice_lines_inherit_their_po_lines_coding_by_number_else_position(
    clerk, coded_po
):
    lines = po_lines(("5", "20.00"), ("10", "100.00"))
    lines[0]["po_line_number"] = 2
    lines[1].update(po_line_number=1, cost_centre="4200")  # named: kept
    invoice = enter(clerk, coded_po, lines)
    assert codes(invoice_get(invoice_id=invoice.id)) == [
        ("V7", "4980", "4200"),
        ("V19", "4930", "4200"),
    ]
    by_position = enter(clerk, coded_po, number="INV-2")
    assert codes(by_position) == [("V19", "4930", "4100"), ("V7", "4980", "4200")]


def test_an_uncoded_po_line_leaves_the_invoice_line_to_the_vendors_defaults(
    clerk, approved_po, active_vendor, tax_codes
):
    set_defaults(active_vendor, gl_account="4980", cost_centre="1000")
    invoice = enter(clerk, approved_po)
    assert codes(invoice) == [("V19", "4980", "1000")] * 2


def test_an_old_request_codes_nothing_and_matches_as_before(clerk, approved_po):
    invoice = enter(clerk, approved_po)
    assert codes(invoice) == [(None, None, None)] * 2
    assert invoice.tax_lines is None
    matched, report = invoice_reconcile(invoice_id=invoice.id, user=clerk)
    assert matched.status == "matched" and not report.findings
    (created,) = [
        e
        for e in audit_history(entity_type="invoice", entity_id=invoice.id).items
        if e.action == "CREATE"
    ]
    assert "gl_account" not in created.details["after"]["items"][0]


def test_an_unknown_code_on_an_invoice_line_is_refused_by_name(clerk, coded_po):
    lines = po_lines(("10", "100.00"))
    lines[0]["gl_account"] = "4999"
    with pytest.raises(ValidationFailed) as caught:
        enter(clerk, coded_po, lines)
    assert caught.value.field_errors == {
        "items.0.gl_account": "GL account 4999 does not exist."
    }


def test_a_correction_keeps_an_unchanged_lines_inactive_code(clerk, coded_po):
    invoice = enter(clerk, coded_po)
    GlAccount.get("4980").update(actions=[GlAccount.active.set(False)])
    corrected = invoice_resubmit(
        invoice_id=invoice.id, user=clerk, version=invoice.version,
        invoice_number="INV-1 corrected", invoice_date=DAY,
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
    )  # fmt: skip
    assert codes(invoice_get(invoice_id=corrected.id))[1] == ("V7", "4980", "4200")


def test_an_invoice_without_po_must_be_coded_line_by_line(clerk, vendor, tax_codes):
    rent = [
        {"description": "Rent", "quantity": "1", "unit_price": "900.00",
         "gl_account": "4200", "cost_centre": "1000"},
        {"description": "Cleaning", "quantity": "1", "unit_price": "90.00"},
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        without_po.invoice_without_po_create(
            user=clerk, vendor_id=vendor.id, invoice_number="R-1",
            invoice_date=DAY, lines=rent,
        )  # fmt: skip
    # The tax code came from the settings; the GL account and cost centre not.
    assert caught.value.field_errors == {
        "items.1.gl_account": "Line 2 needs a GL account.",
        "items.1.cost_centre": "Line 2 needs a cost centre.",
    }
    set_defaults(vendor, gl_account="4980", cost_centre="1000")
    invoice = without_po.invoice_without_po_create(
        user=clerk, vendor_id=vendor.id, invoice_number="R-1",
        invoice_date=DAY, lines=rent,
    )  # fmt: skip
    assert codes(invoice) == [("V19", "4200", "1000"), ("V19", "4980", "1000")]


def test_without_codes_kept_an_invoice_without_po_needs_none(clerk, vendor):
    invoice = without_po.invoice_without_po_create(
        user=clerk, vendor_id=vendor.id, invoice_number="R-1", invoice_date=DAY,
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "900.00"}],
    )  # fmt: skip
    assert codes(invoice) == [(None, None, None)]


def test_a_credit_note_inherits_the_credited_invoices_lines(clerk, coded_po):
    lines = po_lines(("10", "100.00"), ("5", "20.00"))
    lines[1]["cost_centre"] = "2000"
    invoice = enter(clerk, coded_po, lines)
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    returned = po_lines(("1", "20.00"))
    returned[0]["po_line_number"] = 2
    note = credit_note_create(
        user=clerk, credited_invoice_id=invoice.id, invoice_number="CN-1",
        invoice_date=DAY, lines=returned,
    )  # fmt: skip
    assert codes(note) == [("V7", "4980", "2000")]


# --- Recoding ---------------------------------------------------------------


def test_a_clerk_recodes_a_received_invoice_and_the_trail_says_how(clerk, coded_po):
    invoice = enter(clerk, coded_po)
    coding.invoice_recode(
        invoice=invoice,
        user=clerk,
        lines=[{"line_number": 2, "gl_account": "4930", "cost_centre": "1000"}],
        version=invoice.version,
    )
    stored = invoice_get(invoice_id=invoice.id)
    assert codes(stored) == [("V19", "4930", "4100"), ("V7", "4930", "1000")]
    entry = audit_history(entity_type="invoice", entity_id=invoice.id).items[0]
    assert entry.action == "UPDATE"
    assert entry.details["before"] == {
        "line 2": {"tax_code": "V7", "gl_account": "4980", "cost_centre": "4200"}
    }
    assert entry.details["after"] == {
        "line 2": {"tax_code": "V7", "gl_account": "4930", "cost_centre": "1000"}
    }


def test_recoding_is_refused_once_matched_and_on_a_stale_page(clerk, coded_po):
    invoice = enter(clerk, coded_po)
    stale = invoice.version
    with pytest.raises(ValidationFailed) as unknown:
        coding.invoice_recode(
            invoice=invoice, user=clerk, lines=[{"line_number": 1, "tax_code": "X"}]
        )
    assert unknown.value.field_errors == {
        "items.0.tax_code": "Tax code X does not exist."
    }
    matched, _ = invoice_reconcile(invoice_id=invoice.id, user=clerk)
    assert matched.status == "matched"
    with pytest.raises(StaleRecord):
        coding.invoice_recode(
            invoice=invoice_get(invoice_id=invoice.id), user=clerk, version=stale,
            lines=[{"line_number": 1, "gl_account": "4980"}],
        )  # fmt: skip
    with pytest.raises(InvalidTransition) as caught:
        coding.invoice_recode(
            invoice=invoice_get(invoice_id=invoice.id), user=clerk,
            lines=[{"line_number": 1, "gl_account": "4980"}],
        )  # fmt: skip
    assert caught.value.message == (
        "Invoice INV-1 is matched; its lines can be recoded only before it is "
        "matched (received or rejected)."
    )
    assert codes(invoice_get(invoice_id=invoice.id))[0] == ("V19", "4930", "4100")


def test_recoding_an_invoice_without_po_keeps_it_coded_in_full(
    clerk, vendor, approver, tax_codes
):
    invoice = without_po.invoice_without_po_create(
        user=clerk, vendor_id=vendor.id, invoice_number="R-1", invoice_date=DAY,
        lines=[{"description": "Rent", "quantity": "1", "unit_price": "900.00",
                "gl_account": "4200", "cost_centre": "1000"}],
    )  # fmt: skip
    invoice = without_po.invoice_reject(
        invoice_id=invoice.id, user=approver, reason="Wrong month"
    )
    with pytest.raises(ValidationFailed) as caught:
        coding.invoice_recode(
            invoice=invoice, user=clerk, lines=[{"line_number": 1, "cost_centre": ""}]
        )
    assert caught.value.field_errors == {
        "items.0.cost_centre": "Line 1 needs a cost centre."
    }


def test_the_api_takes_returns_and_recodes_the_coding(clerk, coded_po):
    headers = bearer(clerk)
    body = {
        "po_id": coded_po.id, "invoice_number": "API-1",
        "invoice_date": DAY.isoformat(),
        "items": [
            {"description": "A", "quantity": "10", "unit_price": "100.00"},
            {"description": "B", "quantity": "5", "unit_price": "20.00",
             "gl_account": "4930"},
        ],
    }  # fmt: skip
    created = send("post", INVOICES, body, headers)
    assert created.status_code == 201, created.content
    assert [(i["gl_account"], i["cost_centre"]) for i in created.json()["items"]] == [
        ("4930", "4100"),
        ("4930", "4200"),
    ]
    url = f"{INVOICES}/{created.json()['id']}/coding"
    recoded = send(
        "put", url, {"lines": [{"line_number": 1, "cost_centre": "2000"}]}, headers
    )
    assert recoded.status_code == 200, recoded.content
    assert recoded.json()["items"][0]["cost_centre"] == "2000"
    assert recoded.json()["items"][0]["gl_account"] == "4930"  # left out: kept
    stale = send(
        "put", url, {"lines": [{"line_number": 1, "cost_centre": "1000"}],
                     "version": 1}, headers,
    )  # fmt: skip
    assert stale.status_code == 409
    unknown = send("put", url, {"lines": [{"line_number": 9}]}, headers)
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "API-1 has no line 9."
    send("put", f"{INVOICES}/{created.json()['id']}/reconcile", {}, headers)
    refused = send(
        "put", url, {"lines": [{"line_number": 1, "cost_centre": "1000"}]}, headers
    )
    assert refused.status_code == 409
    assert "is matched" in refused.json()["detail"]


def test_the_openapi_schema_offers_the_coding_and_the_recode_endpoint(db):
    schema = Client().get("/api/v1/openapi.json").json()
    lines = schema["components"]["schemas"]["InvoiceLineIn"]
    assert {"tax_code", "gl_account", "cost_centre"} <= set(lines["properties"])
    assert "tax_code" not in lines.get("required", [])
    assert "put" in schema["paths"]["/api/v1/invoices/{invoice_id}/coding"]


def test_the_recode_page_recodes_and_the_invoice_page_shows_the_coding(clerk, coded_po):
    invoice = enter(clerk, coded_po)
    client = logged_in(clerk)
    detail = client.get(reverse("invoicing:detail", args=[invoice.id])).content
    assert b"Recode lines" in detail
    assert coding_shown(detail, "V7", "4980", "4200")
    url = reverse("invoicing:recode", args=[invoice.id])
    page = client.get(url).content.decode()
    assert '<option value="4100" selected>4100 Production</option>' in page
    data = {
        "version": str(invoice.version),
        **line_rows(
            [
                {"line_number": "1", **codes_of("V19", "4930", "1000")},
                {"line_number": "2", **codes_of("V7", "4999", "4200")},
            ],
            initial=2,
        ),
    }
    done = refused_then_saved(
        client, url, data, refusal="Select a valid choice",
        fix={"lines-1-gl_account": "4980"},
    )  # fmt: skip
    assert "Lines of INV-1 recoded." in done
    assert coding_shown(done, "V19", "4930", "1000")
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    assert (
        b"Recode lines"
        not in client.get(reverse("invoicing:detail", args=[invoice.id])).content
    )
    assert client.get(url).status_code == 302


def test_the_entry_form_preselects_the_po_lines_codes(clerk, coded_po):
    client = logged_in(clerk)
    html = client.get(reverse("invoicing:create") + f"?po={coded_po.id}").content
    html = html.decode()
    assert 'name="lines-1-cost_centre"' in html
    assert '<option value="4980" selected>4980 Operating supplies</option>' in html


def test_the_entry_form_without_po_says_which_line_lacks_which_code(
    clerk, vendor, tax_codes
):
    client = logged_in(clerk)
    url = reverse("invoicing:create") + f"?without_po={vendor.id}"
    assert 'name="lines-0-gl_account"' in client.get(url).content.decode()
    data = {
        "invoice_number": "R-9",
        "invoice_date": DAY.isoformat(),
        "tax_amount": "0",
        "total_amount": "",
        "version": "",
        **line_rows(
            [
                row("Rent", "1", "900.00", ("V19", "4200", "1000")),
                row("Cleaning", "1", "90.00", ("", "", "1000")),
            ]
        ),
    }
    done = refused_then_saved(
        client, url, data, refusal="Line 2 needs a GL account.",
        fix={"lines-1-gl_account": "4980"},
    )  # fmt: skip
    assert "entered without a PO; it awaits approval" in done
    assert coding_shown(done, "V19", "4980", "1000")


def test_recoding_a_tax_code_recomputes_the_tax_and_keeps_what_was_printed(
    clerk, coded_po
):
    from decimal import Decimal

    invoice = invoice_create(
        user=clerk, po_id=coded_po.id, invoice_number="INV-1", invoice_date=DAY,
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
        printed_tax=[{"tax_code": "V19", "amount": "190.00"}],
    )  # fmt: skip
    assert (invoice.tax_amount, invoice.total_amount) == (
        Decimal("197.00"), Decimal("1297.00"),
    )  # fmt: skip
    coding.invoice_recode(
        invoice=invoice, user=clerk, lines=[{"line_number": 2, "tax_code": "V19"}]
    )
    stored = invoice_get(invoice_id=invoice.id)
    assert [(t.tax_code, t.base, t.amount, t.printed) for t in stored.tax_lines] == [
        ("V19", Decimal("1100.00"), Decimal("209.00"), Decimal("190.00"))
    ]
    assert (stored.tax_amount, stored.total_amount) == (
        Decimal("190.00"), Decimal("1290.00"),
    )  # fmt: skip
    entry = audit_history(entity_type="invoice", entity_id=invoice.id).items[0]
    assert entry.details["after"]["total_amount"] == "1290.00"
    # The vendor printed 190.00 on V19: moving every line off it is refused.
    with pytest.raises(ValidationFailed, match="printed EUR 190.00 tax on V19"):
        coding.invoice_recode(
            invoice=stored, user=clerk,
            lines=[{"line_number": 1, "tax_code": "V7"},
                   {"line_number": 2, "tax_code": "V7"}],
        )  # fmt: skip
