"""Holds on single invoices (issue 15): the service, the pages and the API."""

import datetime as dt

import pytest
from django.test import Client

from audit.selectors import audit_history
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from invoicing import holds
from invoicing.selectors import invoice_get, invoice_list
from payments import services as payments
from payments.selectors import payment_run_proposal
from tests.api_client import bearer, send
from tests.conftest import TODAY

INVOICES = "/api/v1/invoices"


@pytest.fixture
def invoice(three_vendors, matched_invoice):
    return matched_invoice(three_vendors[0])


def proposed_ids(user, day=TODAY):
    return set(payment_run_proposal(user=user, payment_date=day).invoices())


def entries(invoice, action):
    history = audit_history(entity_type="invoice", entity_id=invoice.id, limit=50)
    return [e for e in history.items if e.action == action]


# --- The service ----------------------------------------------------------------


def test_a_held_invoice_is_not_proposed_until_released(invoice, clerk, treasurer):
    assert invoice.id in proposed_ids(treasurer)
    holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="Disputed price")
    assert invoice.id not in proposed_ids(treasurer)
    held = invoice_get(invoice_id=invoice.id)
    assert held.on_hold() and held.hold_reason == "Disputed price"
    assert held.status == "matched"
    [entry] = entries(invoice, "HOLD")
    assert (entry.user_id, entry.details["reason"]) == ("clerk", "Disputed price")

    holds.invoice_release(invoice_id=invoice.id, user=treasurer)
    assert invoice.id in proposed_ids(treasurer)
    [entry] = entries(invoice, "RELEASE")
    assert entry.user_id == "treasurer"
    assert entry.details["reason"] == "Disputed price"


def test_a_hold_until_a_date_lapses_the_day_after(invoice, clerk, treasurer):
    last_day = TODAY + dt.timedelta(days=3)
    holds.invoice_hold(
        invoice_id=invoice.id, user=clerk, reason="Awaiting credit", until=last_day
    )
    assert invoice.id not in proposed_ids(treasurer, TODAY)
    assert invoice.id not in proposed_ids(treasurer, last_day)
    assert invoice.id in proposed_ids(treasurer, last_day + dt.timedelta(days=1))
    # A run paying after the hold's last day takes the invoice, hold and all.
    built = payments.payment_run_create(
        user=treasurer, payment_date=last_day + dt.timedelta(days=1)
    )
    scheduled = invoice_get(invoice_id=invoice.id)
    assert scheduled.payment_run_id == built.run.id
    assert scheduled.held is None and scheduled.hold_reason is None
    # The trail says when and why the hold ended: with the scheduling.
    [entry] = entries(invoice, "SCHEDULE")
    assert entry.details["hold_lapsed"]["reason"] == "Awaiting credit"
    assert entry.details["hold_lapsed"]["until"] == last_day.isoformat()


def test_a_voided_held_invoice_leaves_the_held_list(invoice, clerk):
    from invoicing.services import invoice_void

    holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="Disputed price")
    invoice_void(invoice_id=invoice.id, user=clerk, reason="Vendor withdrew it")
    voided = invoice_get(invoice_id=invoice.id)
    assert voided.status == "void" and voided.held is None
    assert invoice.id not in {i.id for i in invoice_list(held=True).items}
    [entry] = entries(invoice, "VOID")
    assert entry.details["hold_ended"]["reason"] == "Disputed price"


def test_a_run_built_while_held_leaves_the_invoice_out(
    three_vendors, matched_invoice, clerk, treasurer
):
    held, other = matched_invoice(three_vendors[0]), matched_invoice(three_vendors[1])
    holds.invoice_hold(invoice_id=held.id, user=clerk, reason="Disputed")
    run = payments.payment_run_create(user=treasurer, payment_date=TODAY).run
    assert run.invoice_ids() == [other.id]
    assert invoice_get(invoice_id=held.id).status == "matched"


def test_a_hold_on_an_invoice_in_a_payment_run_is_refused(invoice, clerk, treasurer):
    run = payments.payment_run_create(user=treasurer, payment_date=TODAY).run
    with pytest.raises(InvalidTransition) as refused:
        holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="Too late")
    assert f"in payment run {run.number}" in refused.value.message
    assert "already in a payment run cannot be put on hold" in refused.value.message
    assert invoice_get(invoice_id=invoice.id).held is None
    assert entries(invoice, "HOLD") == []


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_hold_without_reason_is_refused(invoice, clerk, reason):
    with pytest.raises(ValidationFailed) as refused:
        holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason=reason)
    assert refused.value.field_errors == {
        "reason": "Say why the invoice is put on hold."
    }
    assert invoice_get(invoice_id=invoice.id).held is None


def test_a_hold_ending_in_the_past_is_refused(invoice, clerk):
    with pytest.raises(ValidationFailed) as refused:
        holds.invoice_hold(
            invoice_id=invoice.id,
            user=clerk,
            reason="x",
            until=TODAY - dt.timedelta(days=1),
        )
    assert "in the past" in refused.value.field_errors["until"]


def test_only_clerks_and_treasurers_hold_invoices(invoice, requester, approver):
    for user in (requester, approver):
        with pytest.raises(PermissionDenied) as refused:
            holds.invoice_hold(invoice_id=invoice.id, user=user, reason="x")
        assert "Only AP Clerk or Treasurer users" in refused.value.message


def test_holding_twice_and_releasing_an_unheld_invoice_are_refused(invoice, clerk):
    with pytest.raises(InvalidTransition, match="is not on hold"):
        holds.invoice_release(invoice_id=invoice.id, user=clerk)
    holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="first")
    with pytest.raises(InvalidTransition, match="already on hold"):
        holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="second")
    assert invoice_get(invoice_id=invoice.id).hold_reason == "first"


def test_the_held_filter_lists_only_invoices_on_hold(
    three_vendors, matched_invoice, clerk
):
    held, _ = matched_invoice(three_vendors[0]), matched_invoice(three_vendors[1])
    holds.invoice_hold(invoice_id=held.id, user=clerk, reason="Disputed")
    assert [i.id for i in invoice_list(held=True).items] == [held.id]
    assert [i.id for i in invoice_list(held=True, status="paid").items] == []
    assert len(invoice_list().items) == 2


# --- The pages ------------------------------------------------------------------


def test_the_invoice_page_holds_and_releases_with_a_reason(invoice, clerk):
    client = Client()
    client.force_login(clerk)
    page = client.get(f"/invoices/{invoice.id}/").content.decode()
    assert "Put on hold…" in page and "Release the hold" not in page
    response = client.post(
        f"/invoices/{invoice.id}/hold/",
        {"reason": "Vendor <b>disputes</b>", "until": "", "version": invoice.version},
        follow=True,
    )
    page = response.content.decode()
    assert (
        "On hold:</strong> Vendor &lt;b&gt;disputes&lt;/b&gt; (by clerk, until released)"
        in page
    )
    assert "Release the hold…" in page
    held = invoice_get(invoice_id=invoice.id)
    client.post(f"/invoices/{invoice.id}/release/", {"version": held.version})
    assert invoice_get(invoice_id=invoice.id).held is None


def test_the_hold_form_without_reason_answers_422_and_writes_nothing(invoice, clerk):
    client = Client()
    client.force_login(clerk)
    response = client.post(
        f"/invoices/{invoice.id}/hold/", {"reason": "", "version": invoice.version}
    )
    assert response.status_code == 422
    assert "Say why the invoice is put on hold." in response.content.decode()
    assert invoice_get(invoice_id=invoice.id).held is None


def test_the_hold_form_on_a_scheduled_invoice_answers_409(invoice, clerk, treasurer):
    payments.payment_run_create(user=treasurer, payment_date=TODAY)
    scheduled = invoice_get(invoice_id=invoice.id)
    client = Client()
    client.force_login(clerk)
    response = client.post(
        f"/invoices/{invoice.id}/hold/", {"reason": "x", "version": scheduled.version}
    )
    assert response.status_code == 409
    assert "cannot be put on hold" in response.content.decode()
    assert invoice_get(invoice_id=invoice.id).held is None


def test_the_list_filters_by_held(three_vendors, matched_invoice, clerk):
    held, free = matched_invoice(three_vendors[0]), matched_invoice(three_vendors[1])
    holds.invoice_hold(invoice_id=held.id, user=clerk, reason="Disputed")
    client = Client()
    client.force_login(clerk)
    page = client.get("/invoices/?held=on").content.decode()
    assert held.invoice_number in page and f"/invoices/{free.id}/" not in page
    assert "On hold" in page


def test_the_dashboard_shows_the_held_queue(invoice, clerk):
    holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="Disputed")
    client = Client()
    client.force_login(clerk)
    page = client.get("/").content.decode()
    assert "Invoices on hold" in page and "On hold: Disputed" in page
    assert "/invoices/?held=on" in page


# --- The API --------------------------------------------------------------------


def test_the_api_holds_and_releases(invoice, clerk):
    headers = bearer(clerk)
    got = Client().get(f"{INVOICES}/{invoice.id}", **headers).json()
    assert (got["on_hold"], got["hold_reason"]) == (False, None)
    until = (TODAY + dt.timedelta(days=5)).isoformat()
    response = send(
        "put", f"{INVOICES}/{invoice.id}/hold", {"reason": "Dispute", "until": until},
        headers,
    )  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    assert (body["on_hold"], body["hold_reason"], body["hold_until"]) == (
        True, "Dispute", until,
    )  # fmt: skip
    listed = Client().get(f"{INVOICES}?held=true", **headers).json()["items"]
    assert [i["id"] for i in listed] == [invoice.id]
    response = send("put", f"{INVOICES}/{invoice.id}/release", {}, headers)
    assert response.status_code == 200 and response.json()["on_hold"] is False


def test_the_api_refuses_bad_holds_with_4xx(invoice, clerk, treasurer):
    headers = bearer(clerk)
    response = send("put", f"{INVOICES}/{invoice.id}/hold", {}, headers)
    assert response.status_code == 422
    assert response.json()["errors"]["reason"] == "Say why the invoice is put on hold."
    response = send("put", f"{INVOICES}/{invoice.id}/release", {}, headers)
    assert response.status_code == 409 and "not on hold" in response.json()["detail"]
    payments.payment_run_create(user=treasurer, payment_date=TODAY)
    response = send("put", f"{INVOICES}/{invoice.id}/hold", {"reason": "x"}, headers)
    assert response.status_code == 409
    assert "already in a payment run cannot be put on hold" in response.json()["detail"]
    assert response.json()["code"] == "HOLD_NOT_ALLOWED"
    assert entries(invoice, "HOLD") == []


def test_the_openapi_document_has_the_hold_and_comment_paths(clerk):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "put" in paths["/api/v1/invoices/{invoice_id}/hold"]
    assert "put" in paths["/api/v1/invoices/{invoice_id}/release"]
    for kind in ("invoices", "purchase-orders", "payment-runs"):
        assert {"get", "post"} <= set(paths[f"/api/v1/{kind}/{{record_id}}/comments"])


# --- A hold and a run's build, one between the other's read and write ----------


def test_a_hold_landing_after_the_proposal_keeps_the_invoice_out_of_the_run(
    three_vendors, matched_invoice, clerk, treasurer, monkeypatch
):
    held, other = matched_invoice(three_vendors[0]), matched_invoice(three_vendors[1])
    proposal = payments.payment_run_proposal

    def proposal_then_hold(**kwargs):
        found = proposal(**kwargs)  # the build read `held` as payable
        holds.invoice_hold(invoice_id=held.id, user=clerk, reason="Disputed")
        return found

    monkeypatch.setattr(payments, "payment_run_proposal", proposal_then_hold)
    built = payments.payment_run_create(user=treasurer, payment_date=TODAY)
    assert built.run.invoice_ids() == [other.id]
    assert held.invoice_number in built.left_out
    stored = invoice_get(invoice_id=held.id)
    assert (stored.status, stored.payment_run_id, stored.hold_reason) == (
        "matched", None, "Disputed",
    )  # fmt: skip


def test_a_run_landing_after_the_holds_read_makes_the_hold_refused(
    invoice, clerk, treasurer, monkeypatch
):
    read = holds.invoice_get_or_404
    calls = []

    def read_then_build(**kwargs):
        found = read(**kwargs)
        if not calls:  # the hold read a matched invoice; a run takes it now
            calls.append(
                payments.payment_run_create(user=treasurer, payment_date=TODAY)
            )
        return found

    monkeypatch.setattr(holds, "invoice_get_or_404", read_then_build)
    with pytest.raises(InvalidTransition, match="already in a payment run"):
        holds.invoice_hold(invoice_id=invoice.id, user=clerk, reason="Disputed")
    stored = invoice_get(invoice_id=invoice.id)
    assert (stored.status, stored.held) == ("scheduled", None)
    assert entries(invoice, "HOLD") == []
