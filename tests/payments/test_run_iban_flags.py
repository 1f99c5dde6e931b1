"""An IBAN shared by two vendors, or the company's own, is flagged on the payment run."""

import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from core import dynamo
from payments import checks, selectors, services
from tests.conftest import EUR_IBAN_1, EUR_IBAN_2, TODAY
from tests.payments.test_views import logged_in
from treasury.models import CompanyBankAccount


def payment(payment_id, vendor_id, vendor_name, iban):
    return SimpleNamespace(
        id=payment_id, vendor_id=vendor_id, vendor_name=vendor_name, iban=iban
    )


# --- The rule (pure) --------------------------------------------------------------


def test_a_payment_whose_iban_another_vendor_has_names_both():
    flags = checks.iban_flags(
        [
            payment("p1", "v1", "Acme Supplies GmbH", "DE89 3704 0044 0532 0130 00"),
            payment("p2", "v3", "Globex", None),
            payment("p3", "v4", "Alone SA", EUR_IBAN_2),
        ],
        vendors_by_iban={
            EUR_IBAN_1: [("v2", "Acme Twin Ltd"), ("v1", "Acme Supplies GmbH")],
            EUR_IBAN_2: [("v4", "Alone SA")],
        },
        own_accounts_by_iban={},
    )
    assert list(flags) == ["p1"]
    flag = flags["p1"]
    assert flag.shared
    assert [v.name for v in flag.vendors] == ["Acme Supplies GmbH", "Acme Twin Ltd"]
    assert flag.own_accounts == ()


def test_a_payment_to_the_companys_own_account_is_flagged():
    flags = checks.iban_flags(
        [payment("p1", "v1", "Acme", EUR_IBAN_1)],
        vendors_by_iban={EUR_IBAN_1: [("v1", "Acme")]},
        own_accounts_by_iban={EUR_IBAN_1: ["Operating account EUR"]},
    )
    assert not flags["p1"].shared
    assert flags["p1"].vendors == ()
    assert flags["p1"].own_accounts == ("Operating account EUR",)


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
    real = selectors.vendors_with_iban
    monkeypatch.setattr(
        selectors,
        "vendors_with_iban",
        lambda *, iban: asked.append(iban) or real(iban=iban),
    )
    flags = selectors.payment_run_iban_flags(run=run)
    assert sorted(asked) == sorted([EUR_IBAN_1, EUR_IBAN_2])
    assert len(flags) == 2
