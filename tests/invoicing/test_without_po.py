"""Invoices without a PO: entry, approval by the PO's rules, rejection, correction."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Profile
from audit.selectors import audit_history
from core.errors import (
    Duplicate,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from invoicing import without_po
from invoicing.selectors import (
    invoice_get,
    invoices_awaiting_approval_by,
    invoices_awaiting_reconciliation,
)
from invoicing.services import invoice_resubmit, invoice_void
from payments import services as payments
from payments.pain001 import NAMESPACE, pain001_errors
from tests.api_client import bearer, send
from tests.conftest import EUR_IBAN_1, TODAY, make_user

RENT = [
    {"description": "Office rent December", "quantity": "1", "unit_price": "2400.00"}
]


def enter(clerk, vendor, *, number="RENT-12", lines=RENT, **fields):
    return without_po.invoice_without_po_create(
        user=clerk,
        vendor_id=vendor.id,
        invoice_number=number,
        # Dated a month ago (Net 30): due, so a payment run pays it.
        invoice_date=fields.pop("invoice_date", TODAY - dt.timedelta(days=31)),
        lines=lines,
        **fields,
    )


def entries(invoice, action=None):
    page = audit_history(entity_type="invoice", entity_id=invoice.id, limit=50)
    return [e for e in page.items if action is None or e.action == action]


@pytest.fixture
def landlord(make_vendor):
    return make_vendor("Landlord Properties KG", iban=EUR_IBAN_1, bic="COBADEFFXXX")


# --- Entry -------------------------------------------------------------------


def test_an_invoice_without_po_awaits_approval_outside_the_reconciliation_queue(
    clerk, landlord
):
    invoice = enter(clerk, landlord, tax_amount="456.00", total_amount="2856.00")

    stored = invoice_get(invoice_id=invoice.id)
    assert (stored.status, stored.po_id, stored.queue) == (
        "awaiting_approval",
        None,
        None,
    )
    assert stored.currency == "EUR"  # the vendor's
    assert stored.total_amount == Decimal("2856.00")
    assert stored.approvals_required == 1
    assert (
        invoices_awaiting_reconciliation().items == []
    )  # not the reconciliation queue
    assert [e.action for e in entries(invoice)] == ["CREATE"]


def test_the_number_guard_refuses_the_same_number_in_another_spelling(clerk, landlord):
    enter(clerk, landlord, number="RENT-0012")
    with pytest.raises(Duplicate, match="already entered as RENT-0012"):
        enter(clerk, landlord, number="rent 12")


def test_entry_refuses_a_po_line_a_suspended_vendor_and_an_unknown_one(
    clerk, landlord, clerk2
):
    with pytest.raises(ValidationFailed) as refused:
        enter(clerk, landlord, lines=[{**RENT[0], "po_line_number": 1}])
    assert "items.0.po_line_number" in refused.value.field_errors
    with pytest.raises(NotFound):
        without_po.invoice_without_po_create(
            user=clerk, vendor_id="nope", invoice_number="X", invoice_date=TODAY,
            lines=RENT,
        )  # fmt: skip
    from vendors.services import vendor_update

    vendor_update(
        vendor_id=landlord.id, user=clerk, changes={"status": "suspended"},
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="suspended"):
        enter(clerk, landlord, number="RENT-2")


def test_only_a_clerk_enters_one(approver, landlord):
    with pytest.raises(PermissionDenied):
        enter(approver, landlord)


# --- Approval -------------------------------------------------------------------


def test_the_clerk_who_entered_it_cannot_approve_it(landlord, db):
    clerk_approver = make_user("clerkapprover", "AP Clerk", "Approver")
    invoice = enter(clerk_approver, landlord)
    with pytest.raises(PermissionDenied, match=r"no self-approval"):
        without_po.invoice_approve(invoice_id=invoice.id, user=clerk_approver)
    assert invoice_get(invoice_id=invoice.id).status == "awaiting_approval"
    assert entries(invoice, "APPROVE") == []


def test_an_approver_approves_it_and_a_run_pays_it_without_a_po(
    clerk, approver, treasurer, landlord
):
    invoice = enter(clerk, landlord)
    mail.outbox.clear()
    approved = without_po.invoice_approve(
        invoice_id=invoice.id, user=approver, version=1
    )
    assert approved.status == "approved"
    assert approved.approvers == ["approver"]
    assert approved.decided_by == "approver"
    (entry,) = entries(invoice, "APPROVE")
    assert entry.details["approval"] == "1 of 1"
    assert entry.details["after"] == {"status": "approved"}
    assert [m.to for m in mail.outbox] == [["clerk@example.com"]]

    run = payments.payment_run_create(user=treasurer, payment_date=TODAY).run
    assert run.invoice_ids() == [invoice.id]
    payments.payment_run_approve(run_id=run.id, user=approver)
    run = payments.payment_run_export(run_id=run.id, user=treasurer)
    from xml.etree import ElementTree as ET

    from core import documents

    (xml_file,) = [f for f in run.files if f.kind == "pain001"]
    with documents.document_open(key=xml_file.key) as stored:
        xml = stored.read()
    assert pain001_errors(xml) == []
    ns = {"p": NAMESPACE}
    transfer = ET.fromstring(xml).find(".//p:CdtTrfTxInf", ns)
    assert transfer.find("p:Amt/p:InstdAmt", ns).text == "2400.00"
    assert transfer.find("p:RmtInf/p:Ustrd", ns).text == "RENT-12"
    summary = next(f for f in run.files if f.name == "summary.json")
    with documents.document_open(key=summary.key) as stored:
        assert "RENT-12" in json.dumps(json.load(stored))
    payments.payment_run_confirm(run_id=run.id, user=treasurer)
    assert invoice_get(invoice_id=invoice.id).status == "paid"


def test_an_amount_above_the_approvers_limit_is_refused(clerk, approver, landlord):
    invoice = enter(
        clerk, landlord, lines=[{**RENT[0], "unit_price": "12000.00"}], number="BIG"
    )
    with pytest.raises(PermissionDenied, match="above your approval limit of"):
        without_po.invoice_approve(invoice_id=invoice.id, user=approver)
    assert invoice_get(invoice_id=invoice.id).approvals == []


def test_at_the_threshold_two_different_approvers_are_needed(
    clerk, approver, approver2, landlord
):
    invoice = enter(
        clerk, landlord, lines=[{**RENT[0], "unit_price": "5000.00"}], number="T"
    )
    first = without_po.invoice_approve(invoice_id=invoice.id, user=approver, version=1)
    assert (first.status, first.approvals_required) == ("awaiting_approval", 2)
    with pytest.raises(PermissionDenied, match="already approved"):
        without_po.invoice_approve(invoice_id=invoice.id, user=approver)
    # The page opened before the first approval still approves (not a correction).
    second = without_po.invoice_approve(
        invoice_id=invoice.id, user=approver2, version=1
    )
    assert second.status == "approved"
    assert second.approvers == ["approver", "approver2"]
    assert [e.details["approval"] for e in reversed(entries(invoice, "APPROVE"))] == [
        "1 of 2",
        "2 of 2",
    ]


def test_a_requester_or_clerk_cannot_approve_nor_reject(
    clerk2, requester, landlord, clerk
):
    invoice = enter(clerk, landlord)
    for user in (clerk2, requester):
        with pytest.raises(PermissionDenied, match="Only Approver users"):
            without_po.invoice_approve(invoice_id=invoice.id, user=user)
        with pytest.raises(PermissionDenied, match="Only Approver users"):
            without_po.invoice_reject(invoice_id=invoice.id, user=user, reason="x")


def test_a_po_invoice_is_matched_not_approved(approved_po, clerk, approver):
    from invoicing.services import invoice_create
    from tests.conftest import po_lines

    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="P1", invoice_date=TODAY,
        lines=po_lines(("10", "100.00"), ("5", "20.00")),
    )  # fmt: skip
    with pytest.raises(InvalidTransition, match="matched to its PO"):
        without_po.invoice_approve(invoice_id=invoice.id, user=approver)


# --- Rejection, correction, void ----------------------------------------------


def test_a_rejection_needs_a_reason_and_is_not_by_the_enterer(
    clerk, approver, landlord
):
    invoice = enter(clerk, landlord)
    with pytest.raises(ValidationFailed, match="Give a reason"):
        without_po.invoice_reject(invoice_id=invoice.id, user=approver, reason="  ")
    assert invoice_get(invoice_id=invoice.id).status == "awaiting_approval"
    mail.outbox.clear()
    rejected = without_po.invoice_reject(
        invoice_id=invoice.id, user=approver, reason="Rent rose in January, not now"
    )
    assert (rejected.status, rejected.rejection_reason) == (
        "rejected",
        "Rent rose in January, not now",
    )
    assert entries(invoice, "REJECT")[0].details["reason"] == rejected.rejection_reason
    assert "Rent rose in January" in mail.outbox[0].body
    with pytest.raises(InvalidTransition, match="only awaiting_approval invoices"):
        without_po.invoice_approve(invoice_id=invoice.id, user=approver)


def test_a_rejected_one_is_corrected_back_to_approval_or_voided(
    clerk, approver, approver2, landlord
):
    invoice = enter(clerk, landlord)
    without_po.invoice_reject(invoice_id=invoice.id, user=approver, reason="Wrong")
    stored = invoice_get(invoice_id=invoice.id)
    corrected = invoice_resubmit(
        invoice_id=invoice.id, user=clerk, version=stored.version,
        invoice_number="RENT-12", invoice_date=stored.invoice_date,
        lines=[{**RENT[0], "unit_price": "2300.00"}],
    )  # fmt: skip
    stored = invoice_get(invoice_id=invoice.id)
    assert (stored.status, stored.total_amount, stored.rejection_reason) == (
        "awaiting_approval",
        Decimal("2300.00"),
        None,
    )
    assert stored.queue is None
    # A page opened before the correction decides on what it no longer is.
    with pytest.raises(StaleRecord, match="corrected since you opened it"):
        without_po.invoice_approve(invoice_id=invoice.id, user=approver2, version=2)
    without_po.invoice_approve(
        invoice_id=invoice.id, user=approver2, version=corrected.version
    )
    assert invoice_get(invoice_id=invoice.id).status == "approved"

    other = enter(clerk, landlord, number="RENT-13")
    without_po.invoice_reject(invoice_id=other.id, user=approver, reason="Duplicate")
    invoice_void(invoice_id=other.id, user=clerk, reason="Sent twice")
    assert invoice_get(invoice_id=other.id).status == "void"
    enter(clerk, landlord, number="RENT-13")  # the number is free again


# --- The queue --------------------------------------------------------------------


def test_the_queue_leaves_out_what_i_entered_approved_or_cannot_cover(
    clerk, approver, approver2, landlord, db
):
    clerk_approver = make_user("clerkapprover", "AP Clerk", "Approver")
    Profile.objects.create(user=clerk_approver, approval_limit="10000.00")
    mine = enter(clerk_approver, landlord, number="MINE")
    small = enter(clerk, landlord, number="SMALL")
    big = enter(
        clerk, landlord, number="BIG", lines=[{**RENT[0], "unit_price": "6000"}]
    )
    too_big = enter(
        clerk, landlord, number="HUGE", lines=[{**RENT[0], "unit_price": "20000"}]
    )

    def queue(user):
        return [
            i.invoice_number for i in invoices_awaiting_approval_by(user=user).items
        ]

    assert queue(clerk_approver) == ["SMALL", "BIG"]
    assert queue(approver) == ["MINE", "SMALL", "BIG"]
    without_po.invoice_approve(invoice_id=big.id, user=approver)
    assert queue(approver) == ["MINE", "SMALL"]
    assert queue(approver2) == ["MINE", "SMALL", "BIG", "HUGE"]
    assert queue(clerk) == []
    assert mine and small and too_big


# --- API ---------------------------------------------------------------------------

INVOICES = "/api/v1/invoices"


def api_body(vendor, number="API-1", **extra):
    return {
        "vendor_id": vendor.id,
        "invoice_number": number,
        "invoice_date": TODAY.isoformat(),
        "items": RENT,
        **extra,
    }


def test_the_api_enters_approves_and_rejects_with_the_rule_in_detail(
    clerk, approver, landlord
):
    clerk_h, approver_h = bearer(clerk), bearer(approver)
    created = send("post", INVOICES, api_body(landlord), clerk_h)
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["po_id"], data["status"], data["approvals"]) == (
        None,
        "awaiting_approval",
        [],
    )
    url = f"{INVOICES}/{data['id']}"
    own = send("put", f"{url}/approve", {}, clerk_h)
    assert own.status_code == 403 and "no self-approval" in own.json()["detail"]
    no_reason = send("put", f"{url}/reject", {"reason": ""}, approver_h)
    assert no_reason.status_code == 422
    approved = send("put", f"{url}/approve", None, approver_h)
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert approved.json()["approvals"][0]["approver"] == "approver"
    again = send("put", f"{url}/reject", {"reason": "late"}, approver_h)
    assert again.status_code == 409 and "is approved" in again.json()["detail"]
    listed = Client().get(f"{INVOICES}?status=approved", **approver_h).json()
    assert [i["id"] for i in listed["items"]] == [data["id"]]


def test_the_api_refuses_an_invoice_with_neither_po_nor_vendor(clerk):
    body = api_body(type("V", (), {"id": None})())
    del body["vendor_id"]
    answer = send("post", INVOICES, body, bearer(clerk))
    assert answer.status_code == 422 and "vendor_id" in answer.json()["detail"]


def test_the_api_lists_the_invoices_awaiting_my_approval(clerk, approver, landlord):
    invoice = enter(clerk, landlord)
    page = Client().get(f"{INVOICES}?awaiting=me", **bearer(approver)).json()
    assert [i["id"] for i in page["items"]] == [invoice.id]


def test_the_openapi_document_has_the_approve_and_reject_paths():
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert "put" in paths["/api/v1/invoices/{invoice_id}/approve"]
    assert "put" in paths["/api/v1/invoices/{invoice_id}/reject"]
    create = document["components"]["schemas"]["InvoiceCreateIn"]
    assert "vendor_id" in create["properties"]
    assert "po_id" not in create.get("required", [])


# --- Pages -------------------------------------------------------------------------


def test_a_clerk_enters_one_through_the_no_po_form(client, clerk, landlord):
    client.force_login(clerk)
    picker = client.get("/invoices/new/")
    assert "No PO: enter for this vendor" in picker.content.decode()
    url = f"/invoices/new/?without_po={landlord.id}"
    form = client.get(url)
    assert "Invoice without PO of Landlord Properties KG" in form.content.decode()
    answer = client.post(
        url,
        {
            "invoice_number": "PAGE-1",
            "invoice_date": TODAY.isoformat(),
            "tax_amount": "0",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Rent <b>December</b>",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "2400.00",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    page = client.get(answer["Location"]).content.decode()
    assert "it awaits approval" in page
    assert "No PO" in page
    assert "Rent &lt;b&gt;December&lt;/b&gt;" in page
    assert "You entered this invoice, so someone else must approve it." in page


def test_the_invoice_page_offers_approve_and_reject_or_says_why_not(
    client, clerk, approver, landlord, db
):
    clerk_approver = make_user("clerkapprover", "AP Clerk", "Approver")
    invoice = enter(clerk_approver, landlord)
    client.force_login(clerk_approver)
    page = client.get(f"/invoices/{invoice.id}/").content.decode()
    assert "You cannot approve this invoice: You entered invoice RENT-12" in page
    assert "Approve €" not in page and "Approve EUR" not in page

    client.force_login(approver)
    page = client.get(f"/invoices/{invoice.id}/").content.decode()
    assert f'action="/invoices/{invoice.id}/approve/"' in page
    assert "Reason for rejecting" in page
    answer = client.post(
        f"/invoices/{invoice.id}/reject/", {"version": "1", "reason": ""}, follow=True
    )
    assert "Give a reason for a rejection." in answer.content.decode()
    answer = client.post(
        f"/invoices/{invoice.id}/approve/", {"version": "1"}, follow=True
    )
    text = answer.content.decode()
    assert "Invoice RENT-12 approved" in text
    assert "approver on" in text  # the approvals list


def test_the_dashboard_and_list_show_invoices_awaiting_my_approval(
    client, clerk, approver, landlord
):
    invoice = enter(clerk, landlord)
    client.force_login(approver)
    board = client.get("/").content.decode()
    assert "Invoices awaiting my approval" in board
    assert f"/invoices/{invoice.id}/" in board
    listed = client.get("/invoices/?awaiting=me").content.decode()
    assert f"/invoices/{invoice.id}/" in listed
    client.force_login(clerk)
    assert (
        f"/invoices/{invoice.id}/"
        not in client.get("/invoices/?awaiting=me").content.decode()
    )
