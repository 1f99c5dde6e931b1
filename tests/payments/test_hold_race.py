"""A hold and a payment run's build racing, on DynamoDB Local (issue 15)."""

import pytest

from invoicing import holds
from invoicing.selectors import invoice_get
from payments import services
from payments.selectors import payment_run_get
from tests.conftest import TODAY, run_together
from tests.payments.test_concurrency import prime

pytestmark = pytest.mark.dynamodb_local_only


@pytest.mark.parametrize("chunk", [1, 30])
def test_a_hold_racing_a_run_build_gives_one_outcome_per_invoice(
    clerk, treasurer, three_vendors, matched_invoice, monkeypatch, chunk
):
    # One-invoice chunks interleave build and holds transaction by transaction.
    monkeypatch.setattr(services, "CHUNK_INVOICES", chunk)
    invoices = [matched_invoice(three_vendors[i % 3]) for i in range(6)]
    prime(clerk)
    prime(treasurer)
    built = []

    def build():
        built.append(services.payment_run_create(user=treasurer, payment_date=TODAY))

    def hold(invoice):
        return lambda: holds.invoice_hold(
            invoice_id=invoice.id, user=clerk, reason="Disputed"
        )

    outcomes = run_together([build] + [hold(i) for i in invoices])
    build_outcome, hold_outcomes = outcomes[0], outcomes[1:]
    assert build_outcome == "ok" or "taken by another payment run" in build_outcome
    run = payment_run_get(run_id=built[0].run.id) if built else None
    in_run = set(run.invoice_ids()) if run else set()
    if any(o != "ok" for o in hold_outcomes):
        # The build ran (a hold refused means a run took the invoice).
        assert run is not None and in_run
    for invoice, outcome in zip(invoices, hold_outcomes, strict=True):
        stored = invoice_get(invoice_id=invoice.id)
        if outcome == "ok":  # the hold won: never scheduled, never in the run
            assert (stored.status, stored.hold_reason) == ("matched", "Disputed")
            assert invoice.id not in in_run
        else:  # the run won: the hold was refused, naming the rule
            assert "already in a payment run cannot be put on hold" in outcome
            assert (stored.status, stored.payment_run_id) == ("scheduled", run.id)
            assert stored.held is None
            assert invoice.id in in_run
    if run:
        assert run.invoice_count == len(in_run)
