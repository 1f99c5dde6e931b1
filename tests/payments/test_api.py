"""/api/v1/payment-runs as a treasury script would use it."""

import datetime as dt

import pytest
from django.test import Client

from invoicing.selectors import invoice_get
from payments.pain001 import pain001_errors
from tests.api_client import bearer, send
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, TODAY, US_ACCOUNT

RUNS = "/api/v1/payment-runs"


@pytest.fixture
def due(three_vendors, matched_invoice):
    return [matched_invoice(vendor) for vendor in three_vendors]


def test_build_approve_export_download_confirm(treasurer, approver, auditor, due):
    as_treasurer = bearer(treasurer)
    created = send("post", RUNS, {"payment_date": TODAY.isoformat()}, as_treasurer)
    assert created.status_code == 201, created.content
    run = created.json()
    assert run["status"] == "draft" and run["invoice_count"] == 3
    assert {p["currency"] for p in run["payments"]} == {"EUR", "USD"}
    assert run["payments"][0]["amount"] == "1000.00"  # a decimal string, not a float

    url = f"{RUNS}/{run['id']}"
    version = {"version": run["version"]}
    missing = send("put", f"{url}/approve", {}, bearer(approver))
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    refused = send("put", f"{url}/approve", version, as_treasurer)
    assert refused.status_code == 403
    assert "another user must approve" in refused.json()["detail"]
    early = send("post", f"{url}/export", version, as_treasurer)
    assert early.status_code == 409

    approved = send("put", f"{url}/approve", version, bearer(approver)).json()
    assert approved["status"] == "approved"
    exported = send(
        "post", f"{url}/export", {"version": approved["version"]}, as_treasurer
    )
    assert exported.status_code == 200 and exported.json()["status"] == "exported"

    download = Client().get(f"{url}/file", **bearer(auditor))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/xml"
    assert pain001_errors(b"".join(download.streaming_content)) == []
    summary = Client().get(f"{url}/file?name=summary.json", **as_treasurer)
    assert summary.status_code == 200
    assert Client().get(f"{url}/file", **bearer(approver)).status_code == 403
    assert Client().get(f"{url}/file?name=../../x", **as_treasurer).status_code == 404

    confirmed = send(
        "put", f"{url}/confirm", {"version": exported.json()["version"]}, as_treasurer
    ).json()
    assert confirmed["status"] == "confirmed"
    again = send(
        "put", f"{url}/confirm", {"version": confirmed["version"]}, as_treasurer
    )
    assert again.status_code == 409
    assert [invoice_get(invoice_id=i.id).status for i in due] == ["paid"] * 3
    listed = Client().get(f"{RUNS}?status=confirmed", **as_treasurer).json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]


def test_idempotency_key_retry_returns_the_same_run(treasurer, due):
    headers = {**bearer(treasurer), "HTTP_IDEMPOTENCY_KEY": "weekly-2026-48"}
    body = {"payment_date": TODAY.isoformat()}
    first = send("post", RUNS, body, headers)
    retry = send("post", RUNS, body, headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    other = send("post", RUNS, {**body, "invoice_ids": [due[0].id]}, headers)
    assert other.status_code == 422
    assert "different request" in other.json()["detail"]


def test_bad_requests_get_clear_4xx(treasurer, requester, due):
    headers = bearer(treasurer)
    past = (TODAY - dt.timedelta(days=1)).isoformat()
    response = send("post", RUNS, {"payment_date": past}, headers)
    assert response.status_code == 422
    assert "in the past" in response.json()["errors"]["payment_date"]
    assert send("post", RUNS, {"payment_date": "soon"}, headers).status_code == 422
    assert (
        send(
            "post", RUNS, {"payment_date": TODAY.isoformat(), "x": 1}, headers
        ).status_code
        == 422
    )
    assert (
        send(
            "post", RUNS, {"payment_date": TODAY.isoformat()}, bearer(requester)
        ).status_code
        == 403
    )
    assert Client().get(f"{RUNS}/nope", **headers).status_code == 404
    cancel = send("put", f"{RUNS}/nope/cancel", {"reason": "x"}, headers)
    assert cancel.status_code == 404


def test_requesters_and_approvers_read_payment_runs_with_masked_accounts(
    treasurer, requester, approver, auditor, clerk, due
):
    """Issue 13 item 8: the run's API showed every payee's full IBAN to any reader."""
    built = send("post", RUNS, {"payment_date": TODAY.isoformat()}, bearer(treasurer))
    run = built.json()
    url = f"{RUNS}/{run['id']}"
    approved = send(
        "put", f"{url}/approve", {"version": run["version"]}, bearer(approver)
    )
    assert approved.status_code == 200

    def accounts(body):
        return {(p["iban"], p["account_number"]) for p in body["payments"]}

    full = {(EUR_IBAN_1, None), (EUR_IBAN_2, None), (None, US_ACCOUNT)}
    masked = {
        ("•" * 18 + "3000", None),
        ("•" * 23 + "2606", None),
        (None, "•" * 5 + "6789"),
    }
    # The approver's own answer to approving is masked too.
    assert accounts(approved.json()) == masked
    for user in (requester, approver):
        shown = Client().get(url, **bearer(user)).json()
        assert accounts(shown) == masked, user.username
        assert {p["bic"] for p in shown["payments"]} >= {"COBADEFFXXX"}
    # Who maintains, pays or audits vendors reads the accounts in full.
    for user in (treasurer, auditor, clerk):
        assert accounts(Client().get(url, **bearer(user)).json()) == full, user
