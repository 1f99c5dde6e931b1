"""
Bank details checked harder (issue 17): a BIC the bank registry lacks is a
warning; an IBAN another vendor has, or the company's own, is flagged on the
vendor's form and page, on the second clerk's confirmation and in the API.
Flags, never refusals.
"""

import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse

from core import dynamo
from tests.api_client import bearer, send
from tests.vendors.test_views import logged_in
from treasury.models import CompanyBankAccount
from vendors.bank_details import IbanSharing, bic_registry_warning
from vendors.selectors import iban_sharing, iban_sharings, vendor_get
from vendors.services import vendor_bank_details_confirm, vendor_create

IBAN = "DE89370400440532013000"  # Commerzbank, COBADEFFXXX
OTHER_IBAN = "DE02120300000000202051"
VENDORS = "/api/v1/vendors"


def company_account(iban: str, name: str = "Operating account EUR"):
    now = dynamo.utcnow()
    account = CompanyBankAccount(
        id=uuid.uuid4().hex, name=name, currency="EUR", iban=iban,
        bic="COBADEFFXXX", created_at=now, created_by="admin", updated_at=now,
        updated_by="admin",
    )  # fmt: skip
    account.save()
    return account


def vendor(id, name):
    return SimpleNamespace(id=id, name=name)


# --- the pure checks --------------------------------------------------------


def test_a_registered_bic_gets_no_warning_head_office_or_branch():
    assert bic_registry_warning("COBADEFFXXX") is None
    assert bic_registry_warning("COBADEFF") is None
    # The registry lists UBS's branches in Zürich, not its head office code.
    assert bic_registry_warning("UBSWCHZHXXX") is None


def test_a_bic_missing_from_the_registry_is_named_in_the_warning():
    warning = bic_registry_warning("ZZZZDEFFXXX")
    assert warning.startswith(
        "The BIC ZZZZDEFFXXX is not in the bank registry of Germany"
    )


def test_a_country_the_registry_does_not_cover_gets_no_warning():
    assert bic_registry_warning("CHASUS33") is None  # no US bank registry


def test_two_vendors_sharing_an_iban_are_both_named():
    sharing = IbanSharing(
        iban=IBAN, vendor_id="a", vendors=(vendor("a", "Alpha"), vendor("b", "Beta"))
    )
    assert sharing.flagged and not sharing.is_company_account
    assert [v.name for v in sharing.other_vendors] == ["Beta"]
    assert sharing.message == "2 vendors share this IBAN: Alpha, Beta."


def test_a_vendor_not_saved_yet_hears_who_else_has_the_iban():
    sharing = IbanSharing(iban=IBAN, vendor_id=None, vendors=(vendor("b", "Beta"),))
    assert sharing.message == "1 other vendor has this IBAN: Beta."


def test_the_company_s_own_account_is_said_first():
    sharing = IbanSharing(
        iban=IBAN, vendor_id="a", vendors=(vendor("a", "Alpha"),),
        company_accounts=("Operating account EUR",),
    )  # fmt: skip
    assert sharing.is_company_account and sharing.flagged
    assert sharing.message == (
        "This IBAN is the company's own account “Operating account EUR”: a "
        "payment to it pays no vendor."
    )


def test_an_iban_only_this_vendor_has_is_not_flagged():
    sharing = IbanSharing(iban=IBAN, vendor_id="a", vendors=(vendor("a", "Alpha"),))
    assert not sharing.flagged and sharing.message is None
    assert IbanSharing(iban=None).message is None


# --- the selector the payment run calls -------------------------------------


def test_iban_sharing_finds_the_other_vendors_and_the_company(make_vendor):
    alpha = make_vendor("Alpha GmbH", iban=IBAN)
    beta = make_vendor("Beta AG", iban="de89 3704 0044 0532 0130 00")
    make_vendor("Gamma SA", iban=OTHER_IBAN)

    sharing = iban_sharing(iban=IBAN, vendor_id=alpha.id)
    assert [v.id for v in sharing.other_vendors] == [beta.id]
    assert sharing.message == "2 vendors share this IBAN: Alpha GmbH, Beta AG."
    assert not iban_sharing(iban=OTHER_IBAN, vendor_id=None).is_company_account

    company_account(OTHER_IBAN)
    flagged = iban_sharing(iban=OTHER_IBAN, vendor_id=None)
    assert flagged.is_company_account
    assert "“Operating account EUR”" in flagged.message
    assert iban_sharing(iban=None, vendor_id=alpha.id).flagged is False


# --- where a clerk sees them ------------------------------------------------


def test_the_second_clerk_sees_both_vendors_named_before_confirming(
    clerk, clerk2, make_vendor, vendor_fields
):
    alpha = make_vendor("Alpha GmbH", iban=IBAN)
    beta = vendor_create(
        user=clerk, fields={**vendor_fields, "name": "Beta AG", "iban": IBAN}
    )
    response = logged_in(clerk2).get(reverse("vendors:detail", args=[beta.id]))
    html = response.content.decode()
    assert "I have verified these bank details" in html
    assert "2 vendors share this IBAN: Alpha GmbH, Beta AG." in html
    assert reverse("vendors:detail", args=[alpha.id]) in html
    assert html.index("share this IBAN") < html.index("I have verified")

    # A flag, not a refusal: the second clerk may still confirm.
    confirmed = vendor_bank_details_confirm(
        vendor_id=beta.id, user=clerk2, version=beta.version
    )
    assert not confirmed.bank_details_awaiting_confirmation


def test_the_vendor_form_shows_the_flags(clerk, make_vendor):
    make_vendor("Alpha GmbH", iban=IBAN)
    beta = make_vendor("Beta AG", iban=IBAN, bic="ZZZZDEFFXXX")
    html = logged_in(clerk).get(reverse("vendors:edit", args=[beta.id])).content
    html = html.decode()
    assert "2 vendors share this IBAN: Alpha GmbH, Beta AG." in html
    assert "The BIC ZZZZDEFFXXX is not in the bank registry of Germany" in html


def test_saving_a_vendor_paid_into_the_company_s_account_flags_it(clerk):
    company_account(IBAN)
    response = logged_in(clerk).post(
        reverse("vendors:create"),
        {
            "name": "Sneaky Ltd",
            "email": "pay@sneaky.example",
            "payment_terms": "Net 30",
            "status": "pending",
            "currency": "EUR",
            "iban": IBAN,
            "remittance_advice": "on",
        },  # fmt: skip
        follow=True,
    )
    html = response.content.decode()
    assert "Vendor “Sneaky Ltd” created." in html  # flagged, not refused
    assert "Saved with 1 warning(s)" in html
    assert "the company&#x27;s own account “Operating account EUR”" in html


def test_the_api_returns_the_bank_warnings(clerk, make_vendor, vendor_fields):
    alpha = make_vendor("Alpha GmbH", iban=IBAN)
    response = send(
        "post",
        VENDORS,
        {**vendor_fields, "name": "Beta AG", "iban": IBAN, "bic": "ZZZZDEFFXXX"},
        bearer(clerk),
    )
    assert response.status_code == 201
    warnings = {w["code"]: w for w in response.json()["warnings"]}
    assert set(warnings) == {"BIC_NOT_IN_REGISTRY", "IBAN_SHARED"}
    assert warnings["IBAN_SHARED"]["vendors"] == [{"id": alpha.id, "name": alpha.name}]
    assert warnings["IBAN_SHARED"]["message"] == (
        "2 vendors share this IBAN: Alpha GmbH, Beta AG."
    )
    assert warnings["BIC_NOT_IN_REGISTRY"]["field"] == "bic"
    assert vendor_get(vendor_id=response.json()["id"]).bic == "ZZZZDEFFXXX"


@pytest.mark.parametrize("bic", ["COBADEFFXXX", None])
def test_a_vendor_alone_on_its_iban_with_a_known_bic_has_no_warnings(
    clerk, vendor_fields, bic
):
    fields = {**vendor_fields, "iban": IBAN, **({"bic": bic} if bic else {})}
    response = send("post", VENDORS, fields, bearer(clerk))
    assert response.json()["warnings"] == []


def test_a_run_s_payees_are_checked_together_each_iban_once(make_vendor):
    alpha = make_vendor("Alpha GmbH", iban=IBAN)
    beta = make_vendor("Beta AG", iban=IBAN)
    gamma = make_vendor("Gamma SA", iban=OTHER_IBAN)
    us = make_vendor(
        "Delta Inc", account_number="000123456789", routing_number="021000021"
    )

    sharings = iban_sharings(ibans={v.id: v.iban for v in (alpha, beta, gamma, us)})
    assert (
        sharings[alpha.id].message
        == sharings[beta.id].message
        == ("2 vendors share this IBAN: Alpha GmbH, Beta AG.")
    )
    assert [v.name for v in sharings[beta.id].other_vendors] == ["Alpha GmbH"]
    assert not sharings[gamma.id].flagged and not sharings[us.id].flagged
