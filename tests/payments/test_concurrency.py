"""Races a treasurer could cause, on DynamoDB Local (moto loses conditional updates under threads)."""

import pytest

from accounts.roles import user_roles
from invoicing.selectors import invoice_get
from payments import services
from payments.selectors import payment_run_get
from tests.conftest import TODAY, run_together

pytestmark = pytest.mark.dynamodb_local_only


def prime(user):
    """Read the roles now: threads must not share the test's SQLite connection."""
    assert user_roles(user)


def test_two_treasurers_building_at_once_never_pay_an_invoice_twice(
    treasurer, treasurer2, three_vendors, matched_invoice, monkeypatch
):
    # Small chunks make the two builds interleave transaction by transaction.
    monkeypatch.setattr(services, "CHUNK_INVOICES", 2)
    invoices = [matched_invoice(three_vendors[i % 3]) for i in range(9)]
    prime(treasurer)
    prime(treasurer2)
    built = []

    def build(user):
        return lambda: built.append(
            services.payment_run_create(user=user, payment_date=TODAY)
        )

    outcomes = run_together([build(treasurer), build(treasurer2)])
    assert all(o == "ok" or "taken by another payment run" in o for o in outcomes)
    runs = [payment_run_get(run_id=b.run.id) for b in built]
    listed = [invoice_id for run in runs for invoice_id in run.invoice_ids()]
    assert sorted(listed) == sorted(i.id for i in invoices)  # each exactly once
    for run in runs:
        for invoice_id in run.invoice_ids():
            stored = invoice_get(invoice_id=invoice_id)
            assert (stored.status, stored.payment_run_id) == ("scheduled", run.id)
    assert sum(run.invoice_count for run in runs) == 9


def test_two_confirm_clicks_at_once_confirm_once(
    treasurer, approver, three_vendors, matched_invoice
):
    invoices = [matched_invoice(vendor) for vendor in three_vendors]
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    services.payment_run_export(run_id=run.id, user=treasurer)
    prime(treasurer)

    def confirm():
        services.payment_run_confirm(run_id=run.id, user=treasurer)

    outcomes = run_together([confirm] * 5)
    assert outcomes.count("ok") == 1
    assert all("already confirmed" in o for o in outcomes if o != "ok")
    assert [invoice_get(invoice_id=i.id).status for i in invoices] == ["paid"] * 3
