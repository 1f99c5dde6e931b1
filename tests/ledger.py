"""What the sub-ledger tests share: two vendors, and a payment run taken to confirmed."""

import pytest

from payments import services as payments
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, TODAY


def confirmed_run(treasurer, approver):
    """Build, approve, export and confirm a run of today's payable invoices."""
    run = payments.payment_run_create(user=treasurer, payment_date=TODAY).run
    payments.payment_run_approve(run_id=run.id, user=approver)
    payments.payment_run_export(run_id=run.id, user=treasurer)
    return payments.payment_run_confirm(run_id=run.id, user=treasurer)


@pytest.fixture
def acme(make_vendor):
    return make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")


@pytest.fixture
def bureau(make_vendor):
    return make_vendor(
        "Bureau Fournitures SA", iban=EUR_IBAN_2, payment_terms="2/10 Net 30"
    )
