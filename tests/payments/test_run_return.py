"""An approver returns a draft run to its builder with a reason instead of approving it."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.selectors import audit_history
from core.errors import (
    InvalidTransition,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from invoicing.selectors import invoice_get
from payments import services
from payments.selectors import payment_run_get
from tests.api_client import bearer, send
from tests.conftest import EUR_IBAN_1, TODAY
from tests.payments.test_views import logged_in

RUNS = "/api/v1/payment-runs"


@pytest.fixture
def draft(treasurer, make_vendor, matched_invoice):
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    invoice = matched_invoice(acme, "1000.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    mail.outbox.clear()
    return run, invoice


def entries(run):
    page = audit_history(entity_type="payment_run", entity_id=run.id, limit=50)
    return list(reversed(page.items))


def test_an_approver_returns_a_draft_with_a_reason_and_the_builder_is_told(
    draft, approver, settings
):
    settings.APP_BASE_URL = "https://p2p.example.com"
    run, invoice = draft
    returned = services.payment_run_return(
        run_id=run.id, user=approver, reason="Leave out the Acme <invoice> for now"
    )
    assert returned.status == "returned"
    stored = payment_run_get(run_id=run.id)
    assert stored.status == "returned"
    assert stored.returned_by == "approver"
    assert stored.return_reason == "Leave out the Acme <invoice> for now"
    # Its invoices stay in the run until it is cancelled.
    assert invoice_get(invoice_id=invoice.id).status == "scheduled"

    last = entries(run)[-1]
    assert last.action == "REJECT"
    assert last.user_id == "approver"
    details = json.loads(last.details_json)
    assert details["before"] == {"status": "draft"}
    assert details["after"] == {"status": "returned"}
    assert details["reason"] == "Leave out the Acme <invoice> for now"

    (message,) = mail.outbox
    assert message.to == ["treasurer@example.com"]
    assert message.subject.startswith(f"Payment run {run.number} was returned to you")
    assert "approver returned payment run" in message.body
    assert '"Leave out the Acme <invoice> for now"' in message.body
    assert f"https://p2p.example.com/payment-runs/{run.id}/" in message.body


def test_a_return_needs_a_reason_and_is_not_for_the_builder_nor_a_clerk(
    draft, treasurer, clerk, approver
):
    run, _ = draft
    with pytest.raises(ValidationFailed, match="Say why the run goes back"):
        services.payment_run_return(run_id=run.id, user=approver, reason="  ")
    with pytest.raises(PermissionDenied, match="you built it"):
        services.payment_run_return(run_id=run.id, user=treasurer, reason="Mine")
    with pytest.raises(PermissionDenied):
        services.payment_run_return(run_id=run.id, user=clerk, reason="No")
    assert payment_run_get(run_id=run.id).status == "draft"
    assert mail.outbox == []


def test_only_a_draft_is_returned(draft, approver):
    run, _ = draft
    services.payment_run_approve(run_id=run.id, user=approver)
    with pytest.raises(InvalidTransition, match="only draft payment runs"):
        services.payment_run_return(run_id=run.id, user=approver, reason="Too late")
    assert payment_run_get(run_id=run.id).status == "approved"


def test_the_builder_sends_a_returned_run_again_and_it_is_approved(
    draft, treasurer, treasurer2, approver
):
    run, invoice = draft
    services.payment_run_return(run_id=run.id, user=approver, reason="Check Acme")
    with pytest.raises(InvalidTransition, match="only draft payment runs"):
        services.payment_run_approve(run_id=run.id, user=approver)
    with pytest.raises(PermissionDenied, match="Only treasurer, who built"):
        services.payment_run_resubmit(run_id=run.id, user=treasurer2)
    again = services.payment_run_resubmit(run_id=run.id, user=treasurer)
    assert again.status == "draft"
    assert entries(run)[-1].action == "SEND_TO_APPROVAL"
    approved = services.payment_run_approve(run_id=run.id, user=approver)
    assert approved.status == "approved"
    # The last return stays on the record for whoever reads it later.
    assert payment_run_get(run_id=run.id).return_reason == "Check Acme"
    assert invoice_get(invoice_id=invoice.id).status == "scheduled"


def test_cancelling_a_returned_run_releases_its_invoices(draft, treasurer, approver):
    run, invoice = draft
    services.payment_run_return(run_id=run.id, user=approver, reason="Wrong date")
    cancelled = services.payment_run_cancel(
        run_id=run.id, user=treasurer, reason="Rebuilding for Monday"
    )
    assert cancelled.status == "cancelled"
    assert invoice_get(invoice_id=invoice.id).status == "matched"
    with pytest.raises(InvalidTransition):
        services.payment_run_resubmit(run_id=run.id, user=treasurer)


def test_a_stale_version_returns_nothing(draft, approver):
    run, _ = draft
    with pytest.raises(StaleRecord):
        services.payment_run_return(
            run_id=run.id, user=approver, reason="Old page", version=run.version - 1
        )
    assert payment_run_get(run_id=run.id).status == "draft"


# --- The API --------------------------------------------------------------------


def test_put_return_sends_the_run_back_and_needs_a_reason(draft, approver):
    run, _ = draft
    headers = bearer(approver)
    url = f"{RUNS}/{run.id}/return"
    assert send("put", url, {}, headers).status_code == 422
    blank = send("put", url, {"reason": ""}, headers)
    assert blank.status_code == 422
    assert blank.json()["errors"]["reason"]
    response = send(
        "put", url, {"reason": "Acme's IBAN looks new", "version": run.version}, headers
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "returned"
    assert body["return_reason"] == "Acme's IBAN looks new"
    assert body["returned_by"] == "approver"
    listed = Client().get(RUNS, {"status": "returned"}, **headers)
    assert [r["id"] for r in listed.json()["items"]] == [run.id]


def test_the_openapi_document_names_the_return(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/payment-runs/{run_id}/return"]["put"]
    assert "builder" in operation["summary"]
    assert "returned" in json.dumps(schema["components"]["schemas"])
    create = schema["paths"]["/api/v1/payment-runs"]["post"]
    assert "`next_business_day`" in create["description"]


# --- The run page ---------------------------------------------------------------


def test_the_approver_returns_the_run_from_its_page_and_the_builder_sees_why(
    draft, treasurer, approver
):
    run, _ = draft
    detail = reverse("payments:detail", args=[run.id])
    page = logged_in(approver).get(detail).content.decode()
    assert "Return to builder…" in page
    assert "Why it goes back to treasurer" in page
    # The builder is offered no return of their own run.
    assert "Return to builder…" not in logged_in(treasurer).get(detail).content.decode()

    refused = logged_in(approver).post(
        reverse("payments:return", args=[run.id]),
        {"version": run.version, "reason": ""},
        follow=True,
    )
    assert "Say why the run goes back to its builder." in refused.content.decode()
    response = logged_in(approver).post(
        reverse("payments:return", args=[run.id]),
        {"version": run.version, "reason": "Split <b>Acme</b> into its own run"},
        follow=True,
    )
    html = response.content.decode()
    assert f"Payment run {run.number} returned to treasurer, who built it." in html

    builder_page = logged_in(treasurer).get(detail).content.decode()
    assert "Returned to treasurer by approver: Split &lt;b&gt;Acme&lt;/b&gt;" in (
        builder_page
    )
    assert ">Returned</span>" in builder_page
    assert "Send for approval again" in builder_page
    assert "Cancel this run…" in builder_page

    sent = logged_in(treasurer).post(
        reverse("payments:resubmit", args=[run.id]),
        {"version": payment_run_get(run_id=run.id).version},
        follow=True,
    )
    assert f"Payment run {run.number} sent for approval again." in (
        sent.content.decode()
    )
    assert payment_run_get(run_id=run.id).status == "draft"


def test_the_run_list_filters_returned_runs_and_the_dashboard_shows_them(
    draft, treasurer, approver
):
    run, _ = draft
    services.payment_run_return(run_id=run.id, user=approver, reason="Check")
    listing = logged_in(treasurer).get(reverse("payments:list"), {"status": "returned"})
    html = listing.content.decode()
    assert '<option value="returned" selected>Returned</option>' in html
    assert run.number in html
    board = logged_in(treasurer).get(reverse("home")).content.decode()
    assert "Payment runs returned to their builder" in board
