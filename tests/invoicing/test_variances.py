"""
Accepted variances (issue 15): a rejected invoice sent to approval, accepted
by an approver with a reason; the services, the race, the pages and the API.
"""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.test import Client

from accounts.models import Profile
from accounts.roles import user_roles
from accounts.selectors import approval_limit_get
from audit.selectors import audit_history
from core.errors import (
    InvalidTransition,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from dashboard.selectors import dashboard_for
from invoicing import variances
from invoicing.models import Invoice
from invoicing.reconciliation import invoice_reconcile
from invoicing.selectors import invoice_get, invoices_variances_sent_to
from invoicing.services import invoice_create, invoice_resubmit, invoice_void
from purchasing.selectors import purchase_order_get
from tests.api_client import bearer, send
from tests.conftest import make_user, run_together

TODAY = dt.date.today()
INVOICES = "/api/v1/invoices"
# The PO (approved_po): 10 x 100.00 and 5 x 20.00. Line 1 billed 1.5% dearer.
DEARER = [
    {"description": "x", "quantity": "10", "unit_price": "101.50", "po_line_number": 1},
    {"description": "y", "quantity": "5", "unit_price": "20.00", "po_line_number": 2},
]


def rejected(po, *, user, number="INV-VAR", lines=DEARER) -> Invoice:
    invoice = invoice_create(
        user=user, po_id=po.id, invoice_number=number, invoice_date=TODAY, lines=lines
    )
    invoice_reconcile(invoice_id=invoice.id, user=user)
    invoice = invoice_get(invoice_id=invoice.id)
    assert invoice.status == "rejected", invoice.report
    return invoice


@pytest.fixture
def invoice(approved_po, clerk):
    return rejected(approved_po, user=clerk)


def entries(record_id, action, entity_type="invoice"):
    history = audit_history(entity_type=entity_type, entity_id=record_id, limit=50)
    return [e for e in history.items if e.action == action]


def codes(invoice):
    return [f["code"] for f in invoice.report["findings"]]


# --- Accepting ------------------------------------------------------------------


def test_an_approver_accepts_the_variance_and_the_po_counts_it_invoiced(
    invoice, approver, approved_po
):
    assert codes(invoice) == ["PRICE_VARIANCE", "TOTAL_VARIANCE"]
    variances.invoice_variance_accept(
        invoice_id=invoice.id, user=approver, reason="Agreed surcharge <steel>"
    )
    accepted = invoice_get(invoice_id=invoice.id)
    assert accepted.status == "matched"
    # The findings stay on the report, with the acceptance beside them.
    assert codes(accepted) == ["PRICE_VARIANCE", "TOTAL_VARIANCE"]
    acceptance = accepted.acceptance
    assert acceptance["by"] == "approver"
    assert acceptance["reason"] == "Agreed surcharge <steel>"
    assert acceptance["codes"] == ["PRICE_VARIANCE", "TOTAL_VARIANCE"]
    assert isinstance(acceptance["at"], dt.datetime)

    po = purchase_order_get(po_id=approved_po.id)
    assert [line.invoiced_quantity for line in po.items] == [10, 5]
    assert po.invoiced_total == Decimal("1115.00")

    [entry] = entries(invoice.id, "ACCEPT_VARIANCE")
    assert entry.user_id == "approver"
    assert entry.details["reason"] == "Agreed surcharge <steel>"
    assert entry.details["accepted_codes"] == ["PRICE_VARIANCE", "TOTAL_VARIANCE"]
    assert entry.details["findings"] == ["PRICE_VARIANCE line 1", "TOTAL_VARIANCE"]
    assert entry.details["before"] == {"status": "rejected"}
    assert entry.details["after"] == {"status": "matched"}
    [po_entry] = entries(approved_po.id, "ACCEPT_VARIANCE", "purchase_order")
    assert po_entry.details["after"]["invoiced_total"] == "1115.00"


def test_the_clerk_cannot_accept_a_variance(invoice, clerk):
    with pytest.raises(PermissionDenied, match="Only Approver users may accept"):
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=clerk, reason="Fine by me"
        )
    assert invoice_get(invoice_id=invoice.id).status == "rejected"
    assert entries(invoice.id, "ACCEPT_VARIANCE") == []


def test_the_clerk_who_entered_it_cannot_accept_it_even_as_an_approver(approved_po, db):
    both = make_user("clerkapprover", "AP Clerk", "Approver")
    invoice = rejected(approved_po, user=both)
    with pytest.raises(PermissionDenied, match=r"\(no self-approval\)"):
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=both, reason="Mine"
        )
    assert invoice_get(invoice_id=invoice.id).status == "rejected"


def test_whoever_sent_it_to_approval_cannot_accept_it(invoice, db):
    both = make_user("clerkapprover", "AP Clerk", "Approver")
    variances.invoice_send_to_approval(
        invoice_id=invoice.id, user=both, note="Please accept"
    )
    with pytest.raises(PermissionDenied, match="You sent invoice INV-VAR to approval"):
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=both, reason="Sure"
        )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_an_acceptance_without_reason_is_refused(invoice, approver, reason):
    with pytest.raises(ValidationFailed) as refused:
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason=reason
        )
    assert refused.value.field_errors == {
        "reason": "Give the reason for accepting the variance."
    }
    assert invoice_get(invoice_id=invoice.id).status == "rejected"


def test_an_amount_above_the_approvers_limit_needs_one_whose_limit_covers_it(
    invoice, approver, approver2, approved_po
):
    Profile.objects.filter(user=approver).update(approval_limit="1000.00")
    approver._p2p_approval_limit = None
    with pytest.raises(PermissionDenied) as refused:
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason="Agreed"
        )
    assert "above your approval limit of EUR 1,000.00" in refused.value.message
    assert purchase_order_get(po_id=approved_po.id).invoiced_total in (None, 0)
    variances.invoice_variance_accept(
        invoice_id=invoice.id, user=approver2, reason="Agreed"
    )
    assert invoice_get(invoice_id=invoice.id).status == "matched"


def test_a_vendor_mismatch_is_an_entry_error_not_a_variance(
    invoice, approver, other_vendor, clerk
):
    stored = invoice_get(invoice_id=invoice.id)
    # Set up as a mismatch: the stored invoice names another vendor.
    stored.update(actions=[Invoice.vendor_id.set(other_vendor.id)])
    invoice_resubmit(
        invoice_id=invoice.id, user=clerk, version=stored.version,
        invoice_number="INV-VAR", invoice_date=TODAY, lines=DEARER,
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    mismatched = invoice_get(invoice_id=invoice.id)
    assert "VENDOR_MISMATCH" in codes(mismatched)
    with pytest.raises(InvalidTransition) as refused:
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason="Close enough"
        )
    assert "VENDOR_MISMATCH: the invoice's vendor is not the PO's" in str(
        refused.value.message
    )
    assert "is not a variance" in refused.value.message
    assert invoice_get(invoice_id=invoice.id).status == "rejected"
    with pytest.raises(InvalidTransition, match="VENDOR_MISMATCH"):
        variances.invoice_send_to_approval(
            invoice_id=invoice.id, user=clerk, note="Please"
        )


def test_a_po_not_approved_is_refused(make_po, clerk, approver):
    pending = make_po()
    invoice = rejected(pending, user=clerk)
    assert "PO_NOT_APPROVED" in codes(invoice)
    with pytest.raises(InvalidTransition, match="PO_NOT_APPROVED"):
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason="Urgent"
        )


def test_a_matched_invoice_has_no_variance_to_accept(approved_po, clerk, approver):
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="OK-1", invoice_date=TODAY,
        lines=[{**DEARER[0], "unit_price": "100.00"}, DEARER[1]],
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    with pytest.raises(InvalidTransition, match="only rejected invoices can be"):
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason="x"
        )


def test_a_po_billed_meanwhile_makes_the_acceptance_re_check(
    invoice, approved_po, clerk, approver
):
    other = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="PART-1", invoice_date=TODAY,
        lines=[{"description": "x", "quantity": "4", "unit_price": "100.00",
                "po_line_number": 1}],
    )  # fmt: skip
    invoice_reconcile(invoice_id=other.id, user=clerk)
    assert invoice_get(invoice_id=other.id).status == "matched"
    with pytest.raises(InvalidTransition) as refused:
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason="Agreed"
        )
    assert refused.value.extra["code"] == "FINDINGS_CHANGED"
    assert "QTY_OVER_ORDERED" in refused.value.message
    assert "correct and resubmit" in refused.value.message
    assert invoice_get(invoice_id=invoice.id).status == "rejected"
    assert purchase_order_get(po_id=approved_po.id).invoiced_total == Decimal("400")


def test_an_acceptance_on_a_stale_page_is_refused(invoice, approver, clerk):
    variances.invoice_send_to_approval(invoice_id=invoice.id, user=clerk, note="n")
    with pytest.raises(StaleRecord):
        variances.invoice_variance_accept(
            invoice_id=invoice.id, user=approver, reason="x", version=invoice.version
        )


# --- Sending to approval ------------------------------------------------------------


def test_a_clerk_sends_it_to_one_approver_who_finds_it_queued_and_mailed(
    invoice, clerk, approver, approver2, mailoutbox
):
    mailoutbox.clear()  # the PO's approval mails
    variances.invoice_send_to_approval(
        invoice_id=invoice.id, user=clerk, note="Vendor's <surcharge>",
        approver="approver",
    )  # fmt: skip
    sent = invoice_get(invoice_id=invoice.id)
    assert (sent.variance_sent_by, sent.variance_sent_to) == ("clerk", "approver")
    assert sent.variance_note == "Vendor's <surcharge>"
    assert sent.status == "rejected"
    [entry] = entries(invoice.id, "SEND_TO_APPROVAL")
    assert entry.details == {"sent_to": "approver", "note": "Vendor's <surcharge>"}
    [mail] = mailoutbox
    assert mail.to == ["approver@example.com"]
    assert "a variance awaits your acceptance" in mail.subject
    assert "PRICE_VARIANCE line 1" in mail.body
    assert f"/invoices/{invoice.id}/accept-variance/" in mail.body

    assert [i.id for i in invoices_variances_sent_to(user=approver).items] == [
        invoice.id
    ]
    assert invoices_variances_sent_to(user=approver2).items == []
    assert invoices_variances_sent_to(user=clerk).items == []
    [work] = [
        w
        for w in dashboard_for(user=approver).work
        if w.title == "Variances sent to me"
    ]
    assert [i.id for i in work.items] == [invoice.id]


def test_sent_to_any_approver_it_asks_those_whose_limit_covers_it(
    invoice, clerk, approver, approver2, mailoutbox
):
    Profile.objects.filter(user=approver).update(approval_limit="1000.00")
    approver._p2p_approval_limit = None
    mailoutbox.clear()
    variances.invoice_send_to_approval(invoice_id=invoice.id, user=clerk, note="n")
    assert invoice_get(invoice_id=invoice.id).variance_sent_to is None
    assert [m.to for m in mailoutbox] == [["approver2@example.com"]]
    assert invoices_variances_sent_to(user=approver).items == []
    assert [i.id for i in invoices_variances_sent_to(user=approver2).items] == [
        invoice.id
    ]


def test_acceptance_correction_and_void_take_it_off_the_queue(
    approved_po, clerk, approver, approver2
):
    accepted = rejected(approved_po, user=clerk, number="A-1")
    corrected = rejected(approved_po, user=clerk, number="C-1")
    voided = rejected(approved_po, user=clerk, number="V-1")
    for sent in (accepted, corrected, voided):
        variances.invoice_send_to_approval(invoice_id=sent.id, user=clerk, note="n")
    assert len(invoices_variances_sent_to(user=approver2).items) == 3
    variances.invoice_variance_accept(
        invoice_id=accepted.id, user=approver, reason="ok"
    )
    invoice_resubmit(
        invoice_id=corrected.id, user=clerk,
        version=invoice_get(invoice_id=corrected.id).version,
        invoice_number="C-1", invoice_date=TODAY, lines=DEARER,
    )  # fmt: skip
    invoice_void(invoice_id=voided.id, user=clerk, reason="Duplicate")
    assert invoices_variances_sent_to(user=approver2).items == []
    for done in (accepted, corrected, voided):
        assert invoice_get(invoice_id=done.id).variance_queue is None
    acceptance = invoice_get(invoice_id=accepted.id).acceptance
    assert (acceptance["sent_by"], acceptance["note"]) == ("clerk", "n")


def test_sending_refusals_name_the_rule(invoice, clerk, approver, requester, db):
    with pytest.raises(ValidationFailed) as refused:
        variances.invoice_send_to_approval(invoice_id=invoice.id, user=clerk, note="")
    assert "note" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        variances.invoice_send_to_approval(
            invoice_id=invoice.id, user=clerk, note="n", approver="requester"
        )
    assert refused.value.field_errors["approver"] == (
        "There is no active approver named 'requester'."
    )
    low = make_user("lowlimit", "Approver")
    Profile.objects.create(user=low, approval_limit="100.00")
    with pytest.raises(ValidationFailed, match="limit does not cover"):
        variances.invoice_send_to_approval(
            invoice_id=invoice.id, user=clerk, note="n", approver="lowlimit"
        )
    with pytest.raises(PermissionDenied, match="Only AP Clerk users"):
        variances.invoice_send_to_approval(
            invoice_id=invoice.id, user=approver, note="n"
        )
    assert entries(invoice.id, "SEND_TO_APPROVAL") == []


# --- Races (DynamoDB Local) ------------------------------------------------------


def prime(*users):
    """Read roles and limits now: threads must not share the test's SQLite connection."""
    for user in users:
        user_roles(user)
        approval_limit_get(user=user)


@pytest.mark.dynamodb_local_only
def test_two_approvers_accepting_at_once_give_one_acceptance(
    invoice, approver, approver2, approved_po
):
    prime(approver, approver2)
    outcomes = run_together(
        [
            partial(
                variances.invoice_variance_accept,
                invoice_id=invoice.id,
                user=user,
                reason=f"by {user}",
            )
            for user in (approver, approver2)
        ]
    )
    assert sorted(outcomes)[1] == "ok", outcomes
    [refusal] = [o for o in outcomes if o != "ok"]
    # The loser read the invoice as matched, or (between its two reads) the
    # PO the winner had just billed: either way it is refused, by name.
    assert (
        "is matched; only rejected invoices can be accepted" in refusal
        or "changed since invoice INV-VAR was rejected" in refusal
    ), refusal
    assert len(entries(invoice.id, "ACCEPT_VARIANCE")) == 1
    po = purchase_order_get(po_id=approved_po.id)
    assert po.invoiced_total == Decimal("1115.00")
    assert [line.invoiced_quantity for line in po.items] == [10, 5]


@pytest.mark.dynamodb_local_only
def test_an_acceptance_racing_a_correction_leaves_one_of_them(
    approver, clerk, approved_po
):
    prime(approver, clerk)
    accepted_count = 0
    for attempt in range(3):
        current = rejected(approved_po, user=clerk, number=f"RACE-{attempt}")
        outcomes = run_together(
            [
                partial(
                    variances.invoice_variance_accept,
                    invoice_id=current.id,
                    user=approver,
                    reason="ok",
                ),
                partial(
                    invoice_resubmit,
                    invoice_id=current.id,
                    user=clerk,
                    version=current.version,
                    invoice_number=current.invoice_number,
                    invoice_date=TODAY,
                    lines=DEARER,
                ),
            ]
        )
        assert outcomes.count("ok") == 1, outcomes
        after = invoice_get(invoice_id=current.id)
        accepted = len(entries(current.id, "ACCEPT_VARIANCE"))
        corrected = len(entries(current.id, "UPDATE"))
        if outcomes[0] == "ok":
            accepted_count += 1
            assert (after.status, accepted, corrected) == ("matched", 1, 0)
            assert after.acceptance["by"] == "approver"
        else:
            assert (after.status, accepted, corrected) == ("received", 0, 1)
            assert after.report is None and after.acceptance is None
        # The PO counts the accepted invoices, each once, and nothing else.
        po = purchase_order_get(po_id=approved_po.id)
        assert (po.invoiced_total or 0) == Decimal("1115.00") * accepted_count


# --- The API ----------------------------------------------------------------------


def test_the_api_sends_and_accepts_and_the_invoice_json_carries_the_acceptance(
    invoice, clerk, approver
):
    url = f"{INVOICES}/{invoice.id}"
    response = send("put", f"{url}/send-to-approval", {"note": "Please"}, bearer(clerk))
    assert response.status_code == 200, response.json()
    assert response.json()["sent_to_approval"]["by"] == "clerk"
    assert response.json()["sent_to_approval"]["to"] is None
    response = send(
        "put", f"{url}/accept-variance", {"reason": "Agreed"}, bearer(approver)
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "matched"
    assert body["acceptance"]["by"] == "approver"
    assert body["acceptance"]["reason"] == "Agreed"
    assert body["acceptance"]["codes"] == ["PRICE_VARIANCE", "TOTAL_VARIANCE"]
    assert body["sent_to_approval"] is None
    got = Client().get(url, **bearer(clerk)).json()
    assert got["acceptance"]["at"] == body["acceptance"]["at"]


def test_the_api_answers_403_409_and_422_with_the_rule(invoice, clerk, approver):
    url = f"{INVOICES}/{invoice.id}/accept-variance"
    response = send("put", url, {"reason": "x"}, bearer(clerk))
    assert response.status_code == 403
    assert "Only Approver users may accept" in response.json()["detail"]
    response = send("put", url, {"reason": ""}, bearer(approver))
    assert response.status_code == 422
    assert "reason for accepting" in response.json()["detail"]
    response = send("put", url, {"reason": "x", "extra": 1}, bearer(approver))
    assert response.status_code == 422
    response = send(
        "put", f"{INVOICES}/{invoice.id}/send-to-approval", {}, bearer(clerk)
    )
    assert response.status_code == 422
    assert "note" in response.json()["detail"].lower()
    assert send("put", url, {"reason": "x"}, bearer(approver)).status_code == 200
    response = send("put", url, {"reason": "again"}, bearer(approver))
    assert response.status_code == 409
    assert "only rejected invoices can be accepted" in response.json()["detail"]


def test_an_invoice_never_sent_nor_accepted_keeps_its_old_json(approved_po, clerk):
    invoice = rejected(approved_po, user=clerk)
    body = Client().get(f"{INVOICES}/{invoice.id}", **bearer(clerk)).json()
    assert body["acceptance"] is None and body["sent_to_approval"] is None


def test_the_openapi_document_has_the_variance_paths(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "put" in paths["/api/v1/invoices/{invoice_id}/accept-variance"]
    assert "put" in paths["/api/v1/invoices/{invoice_id}/send-to-approval"]


# --- The pages ----------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_invoice_page_offers_each_role_its_button_or_the_reason_it_has_none(
    approved_po, db
):
    both = make_user("clerkapprover", "AP Clerk", "Approver")
    other_approver = make_user("approver3", "Approver")
    invoice = rejected(approved_po, user=both)
    page = logged_in(both).get(f"/invoices/{invoice.id}/").content.decode()
    assert "Send to approval…" in page
    assert "Accept variance…" not in page
    assert "You cannot accept this variance: You entered Invoice INV-VAR" in page
    page = logged_in(other_approver).get(f"/invoices/{invoice.id}/").content.decode()
    assert "Accept variance…" in page and "Send to approval…" not in page


def test_the_clerk_sees_why_not_and_is_refused_the_acceptance_page(invoice, clerk):
    client = logged_in(clerk)
    page = client.get(f"/invoices/{invoice.id}/").content.decode()
    assert "Send to approval…" in page and "Accept variance…" not in page
    assert "Accepting the variance is for an Approver other than its clerk" in page
    assert client.get(f"/invoices/{invoice.id}/accept-variance/").status_code == 403
    response = client.post(
        f"/invoices/{invoice.id}/accept-variance/",
        {"reason": "x", "version": invoice.version},
    )
    assert response.status_code == 403
    assert invoice_get(invoice_id=invoice.id).status == "rejected"


def test_the_send_and_accept_pages_round_trip(invoice, clerk, approver):
    clerk_client = logged_in(clerk)
    page = clerk_client.get(f"/invoices/{invoice.id}/send-to-approval/")
    assert "Any approver whose limit covers it" in page.content.decode()
    response = clerk_client.post(
        f"/invoices/{invoice.id}/send-to-approval/",
        {
            "approver": "approver",
            "note": "1.5% <surcharge>",
            "version": invoice.version,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "sent to approver for acceptance" in page
    assert "to approver: 1.5% &lt;surcharge&gt;" in page

    client = logged_in(approver)
    board = client.get("/").content.decode()
    assert "Variances sent to me" in board and "INV-VAR" in board
    queue = client.get("/invoices/variances/").content.decode()
    assert "INV-VAR" in queue and "1.5% &lt;surcharge&gt;" in queue
    form = client.get(f"/invoices/{invoice.id}/accept-variance/").content.decode()
    assert "PRICE_VARIANCE" in form and "TOTAL_VARIANCE" in form
    sent = invoice_get(invoice_id=invoice.id)
    response = client.post(
        f"/invoices/{invoice.id}/accept-variance/",
        {"reason": "", "version": sent.version},
    )
    assert response.status_code == 422
    assert "Give the reason for accepting the variance." in response.content.decode()
    response = client.post(
        f"/invoices/{invoice.id}/accept-variance/",
        {"reason": "Agreed <surcharge>", "version": sent.version},
        follow=True,
    )
    page = response.content.decode()
    assert "Variance of invoice INV-VAR accepted" in page
    assert "Variance accepted" in page and "Agreed &lt;surcharge&gt;" in page
    assert "PRICE_VARIANCE, TOTAL_VARIANCE" in page
    assert invoice_get(invoice_id=invoice.id).status == "matched"


def test_the_correction_shows_the_po_findings_and_the_printed_total(
    invoice, clerk, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    client = logged_in(clerk)
    page = client.get(f"/invoices/{invoice.id}/correct/").content.decode()
    assert "What reconciliation found" in page
    assert "10 × 100.00" in page and "10 left to bill" in page
    assert "PRICE_VARIANCE" in page
    assert "TOTAL_VARIANCE" in page  # in the findings above the form, not a line's
    assert 'value="1115.00"' in page  # the printed total stays
    assert "Attach a revised document only if the vendor sent one" in page


def test_a_correction_takes_a_revised_document_and_the_history_keeps_the_old(
    approved_po, clerk, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    invoice = invoice_create(
        user=clerk, po_id=approved_po.id, invoice_number="DOC-1", invoice_date=TODAY,
        lines=DEARER, attachment=SimpleUploadedFile("first.pdf", pdf),
    )  # fmt: skip
    invoice_reconcile(invoice_id=invoice.id, user=clerk)
    stored = invoice_get(invoice_id=invoice.id)
    old_key = stored.attachment_key
    data = {
        "invoice_number": "DOC-1", "invoice_date": TODAY.isoformat(),
        "tax_amount": "0.00", "total_amount": "1100.00",
        "version": str(stored.version),
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "attachment": SimpleUploadedFile("revised.pdf", pdf),
    }  # fmt: skip
    for index, line in enumerate(DEARER):
        data |= {
            f"lines-{index}-po_line_number": str(line["po_line_number"]),
            f"lines-{index}-description": line["description"],
            f"lines-{index}-quantity": line["quantity"],
            f"lines-{index}-unit_price": "100.00" if index == 0 else "20.00",
        }
    response = logged_in(clerk).post(
        f"/invoices/{invoice.id}/correct/", data, follow=True
    )
    assert "corrected and back in the reconciliation queue" in response.content.decode()
    corrected = invoice_get(invoice_id=invoice.id)
    assert corrected.attachment_name == "revised.pdf"
    assert corrected.attachment_key != old_key
    [entry] = entries(invoice.id, "UPDATE")
    assert entry.details["before"]["attachment_name"] == "first.pdf"
    assert entry.details["before"]["attachment_key"] == old_key
    assert entry.details["after"]["attachment_name"] == "revised.pdf"
