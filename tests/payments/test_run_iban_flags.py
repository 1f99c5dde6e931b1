"""An IBAN shared by two vendors, or the company's own, is flagged on the payment run."""

import uuid

import pytest
from django.urls import reverse

from core import dynamo
from payments import selectors, services
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, TODAY
from tests.payments.test_views import logged_in
from treasury.models import CompanyBankAccount
from vendors import selectors as vendor_selectors

# --- The run page -----------------------------------------------------------------


@pytest.fixture
def shared_run(treasurer, make_vendor, matched_invoice):
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    twin = make_vendor("Acme Twin Ltd", iban=EUR_IBAN_1, tax_id=None)
    bureau = make_vendor("Bureau Fournitures SA", iban=EUR_IBAN_2, tax_id=None)
    for vendor in (acme, twin, bureau):
        matched_invoice(vendor, "100.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    return run, acme, twin, bureau


def own_account(iban):
    now = dynamo.utcnow()
    CompanyBankAccount(
        uuid.uuid4().hex,
        name="Operating account EUR",
        currency="EUR",
        iban=iban,
        bic="BNPAFRPPXXX",
        created_at=now,
        created_by="admin",
        updated_at=now,
        updated_by="admin",
    ).save()


def test_the_approver_sees_which_vendors_share_an_iban_linked(shared_run, approver):
    run, acme, twin, bureau = shared_run
    own_account(EUR_IBAN_2)
    html = logged_in(approver).get(reverse("payments:detail", args=[run.id]))
    html = html.content.decode()
    acme_link = (
        f'<a href="{reverse("vendors:detail", args=[acme.id])}">Acme Supplies GmbH</a>'
    )
    twin_link = (
        f'<a href="{reverse("vendors:detail", args=[twin.id])}">Acme Twin Ltd</a>'
    )
    # Each of the two payments to that IBAN names both vendors, its own first.
    assert html.count("2 vendors share this IBAN: ") == 2
    assert f"2 vendors share this IBAN: {acme_link}, {twin_link}." in html
    assert f"2 vendors share this IBAN: {twin_link}, {acme_link}." in html
    assert "This IBAN is the company's own account: Operating account EUR." in html


def test_a_run_without_shared_ibans_shows_no_flag(
    treasurer, approver, make_vendor, matched_invoice
):
    acme = make_vendor("Acme Supplies GmbH", iban=EUR_IBAN_1, bic="COBADEFFXXX")
    matched_invoice(acme, "100.00")
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    html = logged_in(approver).get(reverse("payments:detail", args=[run.id]))
    assert "share this IBAN" not in html.content.decode()
    assert "own account" not in html.content.decode()


def test_one_lookup_per_distinct_iban(shared_run, monkeypatch):
    run, *_ = shared_run
    asked = []
    real = vendor_selectors.vendors_with_iban
    monkeypatch.setattr(
        vendor_selectors,
        "vendors_with_iban",
        lambda *, iban: asked.append(iban) or real(iban=iban),
    )
    flags = selectors.payment_run_iban_flags(run=run)
    assert sorted(asked) == sorted([EUR_IBAN_1, EUR_IBAN_2])
    assert len(flags) == 2
