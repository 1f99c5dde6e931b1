"""
Refused payment-run attempts on the audit trail: recorded for the users who
may act on runs, bounded in size, never lost without a word.
"""

import json
import logging

import pytest

from audit.models import AuditEntry
from core import dynamo
from core.errors import PermissionDenied, ValidationFailed
from payments import refusals, services
from tests.api_client import bearer, send
from tests.conftest import TODAY

RUNS = "/api/v1/payment-runs"


def audit_table_items() -> list[dict]:
    """Every item of the audit table: entries and chain heads alike."""
    client = dynamo.boto3_client()
    return client.scan(TableName=AuditEntry.Meta.table_name).get("Items", [])


def refused_entries() -> list[AuditEntry]:
    return [e for e in AuditEntry.scan() if e.action == "REFUSED"]


@pytest.fixture
def due(three_vendors, matched_invoice):
    return [matched_invoice(vendor) for vendor in three_vendors]


@pytest.mark.parametrize("role", ["auditor", "requester", "nobody"])
def test_a_user_who_may_not_act_on_runs_gets_403_and_nothing_is_written(
    role, request, treasurer, due
):
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    user = request.getfixturevalue(role)
    before = len(audit_table_items())
    headers = bearer(user)
    build = send("post", RUNS, {"payment_date": TODAY.isoformat()}, headers)
    approve = send("put", f"{RUNS}/{run.id}/approve", {"version": run.version}, headers)
    export = send("post", f"{RUNS}/{run.id}/export", {"version": run.version}, headers)
    assert [build.status_code, approve.status_code, export.status_code] == [403] * 3
    assert len(audit_table_items()) == before


def test_an_approver_refused_a_build_is_still_recorded(approver, due):
    with pytest.raises(PermissionDenied):
        services.payment_run_create(user=approver, payment_date=TODAY)
    (entry,) = refused_entries()
    assert entry.user_id == "approver"
    assert json.loads(entry.details_json)["attempted"] == "CREATE"


@pytest.mark.parametrize(
    ("length", "status"),
    [(10_000, 422), (350_000, 413)],  # 413: past the API's body limit itself
)
def test_an_oversized_currency_is_refused_briefly_and_records_nothing(
    treasurer, due, length, status
):
    before = len(audit_table_items())
    answer = send(
        "post",
        RUNS,
        {"payment_date": TODAY.isoformat(), "currency": "X" * length},
        bearer(treasurer),
    )
    assert answer.status_code == status
    assert len(answer.content) < 2_000
    if status == 422:
        assert "currency" in answer.json()["errors"]
    assert len(audit_table_items()) == before


def test_an_unsupported_currency_code_is_refused_before_anything_is_recorded(
    treasurer, due
):
    answer = send(
        "post",
        RUNS,
        {"payment_date": TODAY.isoformat(), "currency": "XYZ"},
        bearer(treasurer),
    )
    assert answer.status_code == 422
    assert "currency" in answer.json()["errors"]
    assert refused_entries() == []


def test_an_oversized_currency_given_to_the_service_is_refused_without_its_echo(
    treasurer, due
):
    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(
            user=treasurer, payment_date=TODAY, currency="X" * 350_000
        )
    assert len(refused.value.message) < 200
    for entry in refused_entries():
        assert len(entry.details_json) < 2_000


def test_oversized_invoice_ids_are_refused_by_the_api(treasurer, due):
    answer = send(
        "post",
        RUNS,
        {"payment_date": TODAY.isoformat(), "invoice_ids": ["i" * 10_000] * 3},
        bearer(treasurer),
    )
    assert answer.status_code == 422
    assert len(answer.content) < 2_000
    assert refused_entries() == []


def test_a_recorded_refusal_keeps_its_details_bounded(treasurer, due):
    many_unknown = [f"{n:032x}" for n in range(1000)]
    with pytest.raises(ValidationFailed) as refused:
        services.payment_run_create(
            user=treasurer, payment_date=TODAY, invoice_ids=many_unknown
        )
    assert len(refused.value.message) < 1_000
    assert "and 990 more" in refused.value.message
    (entry,) = refused_entries()
    assert len(entry.details_json) < 2_000


def test_a_failed_refusal_write_is_logged_as_an_error_and_the_refusal_stands(
    treasurer, due, monkeypatch, caplog
):
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run

    def too_large(entry):
        raise ValidationFailed("DynamoDB refused the record as too large")

    monkeypatch.setattr(refusals, "audit_entry_write", too_large)
    with caplog.at_level(logging.WARNING, logger="payments"):
        with pytest.raises(PermissionDenied, match="another user must approve"):
            services.payment_run_approve(run_id=run.id, user=treasurer)
    (record,) = [r for r in caplog.records if "was not recorded" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert f"refused APPROVE of payment run {run.id}" in record.getMessage()
