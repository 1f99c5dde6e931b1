"""
Issue 14 item 9: new bank details wait in a queue the second clerk is told
about: a dashboard entry, an e-mail, and the vendor list's filter "Bank
details awaiting confirmation", read through a sparse index, paged, never a scan.
"""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from tests.conftest import make_user
from tests.vendors.test_import import confirm, upload
from vendors.models import Vendor, VendorBankQueueKey
from vendors.selectors import vendor_get
from vendors.services import vendor_bank_details_confirm, vendor_create, vendor_update

IBAN = "DE89370400440532013000"
OTHER_IBAN = "DE02120300000000202051"
AWAITING = reverse("vendors:list") + "?bank_details=awaiting"
AWAITING_ME = reverse("vendors:list") + "?bank_details=awaiting_me"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [v.name for v in response.context["vendors"]]


@pytest.fixture
def no_scans(monkeypatch):
    """A list read by a table scan fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the vendor table was scanned")

    monkeypatch.setattr(Vendor, "scan", refuse)


def with_bank(clerk, vendor_fields, name, iban=IBAN):
    return vendor_create(
        user=clerk,
        fields={**vendor_fields, "name": name, "tax_id": None, "iban": iban},
    )


def test_the_filter_lists_vendors_awaiting_confirmation_from_the_index(
    clerk, clerk2, vendor_fields, no_scans
):
    waiting = with_bank(clerk, vendor_fields, "Acme Supplies GmbH")
    vendor_create(
        user=clerk, fields={**vendor_fields, "name": "No Bank Ltd", "tax_id": None}
    )

    assert listed(logged_in(clerk2), AWAITING) == ["Acme Supplies GmbH"]
    # The one who changed them cannot confirm them: not in "awaiting me".
    assert listed(logged_in(clerk), AWAITING_ME) == []
    assert listed(logged_in(clerk2), AWAITING_ME) == ["Acme Supplies GmbH"]
    # Sparse: only vendors awaiting confirmation are in the index at all.
    assert [v.id for v in Vendor.bank_queue_index.query("vendor")] == [waiting.id]

    vendor_bank_details_confirm(
        vendor_id=waiting.id, user=clerk2, version=waiting.version
    )

    assert listed(logged_in(clerk2), AWAITING) == []
    assert list(Vendor.bank_queue_index.query("vendor")) == []


def test_changing_or_removing_bank_details_moves_the_vendor_in_the_queue(
    clerk, clerk2, vendor, no_scans
):
    assert listed(logged_in(clerk2), AWAITING) == []
    vendor = vendor_update(vendor_id=vendor.id, user=clerk2, changes={"iban": IBAN})
    assert listed(logged_in(clerk), AWAITING_ME) == [vendor.name]
    assert listed(logged_in(clerk2), AWAITING_ME) == []

    vendor_update(vendor_id=vendor.id, user=clerk2, changes={"iban": ""})

    assert listed(logged_in(clerk), AWAITING) == []


def test_the_filtered_list_is_paged_and_combines_with_status_and_name(
    clerk, clerk2, vendor_fields, settings, no_scans
):
    settings.PAGE_SIZE = 2
    for name in ("Alpha AG", "Beta AG", "Gamma AG"):
        with_bank(clerk, vendor_fields, name)
    client = logged_in(clerk2)

    first = client.get(AWAITING_ME)
    assert len(first.context["vendors"]) == 2
    second = client.get(reverse("vendors:list") + "?" + first.context["next_query"])
    names = [v.name for v in first.context["vendors"] + second.context["vendors"]]
    assert sorted(names) == ["Alpha AG", "Beta AG", "Gamma AG"]
    assert listed(client, AWAITING + "&q=be") == ["Beta AG"]
    assert listed(client, AWAITING + "&status=active") == []


def test_the_list_says_who_changed_them_and_offers_the_filter(
    clerk, clerk2, vendor_fields
):
    with_bank(clerk, vendor_fields, "Acme Supplies GmbH")

    html = logged_in(clerk2).get(AWAITING).content.decode()

    assert "Bank details awaiting confirmation" in html  # the filter's choice
    assert "changed by clerk" in html


def test_the_dashboard_tells_the_other_clerks_only(clerk, clerk2, vendor_fields):
    with_bank(clerk, vendor_fields, "Acme Supplies GmbH")
    with_bank(clerk, vendor_fields, "Globex GmbH", iban=OTHER_IBAN)

    other = logged_in(clerk2).get("/").content.decode()
    own = logged_in(clerk).get("/").content.decode()

    assert "2 vendors await your bank-detail confirmation" in other
    assert f'href="{AWAITING_ME.replace("&", "&amp;")}"' in other
    assert "await your bank-detail confirmation" not in own


def test_the_other_clerks_are_emailed_without_the_account_number(
    clerk, clerk2, vendor_fields
):
    clerk3 = make_user("clerk3", "AP Clerk")
    Profile.objects.create(user=clerk3, email_bank_details_awaiting=False)
    make_user("approver9", "Approver")

    vendor = with_bank(clerk, vendor_fields, "Acme Supplies GmbH")

    assert [m.to for m in mail.outbox] == [["clerk2@example.com"]]
    message = mail.outbox[0]
    assert (
        message.subject
        == "Acme Supplies GmbH: new bank details await your confirmation"
    )
    assert "changed by clerk" in message.body
    assert reverse("vendors:detail", args=[vendor.id]) in message.body
    assert IBAN not in message.body and IBAN[-4:] not in message.body


def test_an_edit_of_the_bank_details_emails_the_other_clerks(clerk, clerk2, vendor):
    mail.outbox.clear()
    vendor_update(vendor_id=vendor.id, user=clerk2, changes={"iban": IBAN})
    assert [m.to for m in mail.outbox] == [["clerk@example.com"]]
    mail.outbox.clear()
    vendor_update(vendor_id=vendor.id, user=clerk2, changes={"phone": "+49 30 1"})
    assert mail.outbox == []


def test_an_import_sends_one_email_for_all_its_vendors(clerk, clerk2):
    text = (
        "name,email,iban,payment_terms\n"
        f"Alpha GmbH,ap@alpha.example,{IBAN},Net 30\n"
        f"Beta GmbH,ap@beta.example,{OTHER_IBAN},Net 30\n"
    )
    client = logged_in(clerk)
    confirm(client, upload(client, text).content.decode())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["clerk2@example.com"]
    assert (
        message.subject
        == "2 imported vendors: new bank details await your confirmation"
    )
    assert "bank_details=awaiting_me" in message.body


def test_the_command_queues_vendors_stored_before_the_index(
    clerk, clerk2, vendor_fields
):
    vendor = with_bank(clerk, vendor_fields, "Acme Supplies GmbH")
    # A vendor written before the queue existed awaits but has no queue key.
    item = VendorBankQueueKey.get(vendor.id)
    item.update(
        actions=[
            VendorBankQueueKey.bank_details_queue.remove(),
            VendorBankQueueKey.bank_details_changed_at.remove(),
        ]
    )
    assert listed(logged_in(clerk2), AWAITING) == []

    out = StringIO()
    call_command("index_vendors", stdout=out)

    assert "1 vendor(s) awaiting bank-detail confirmation got their queue key." in (
        out.getvalue()
    )
    assert listed(logged_in(clerk2), AWAITING) == ["Acme Supplies GmbH"]
    assert vendor_get(vendor_id=vendor.id).version == vendor.version
    call_command("index_vendors", stdout=out)
    assert "0 vendor(s) awaiting bank-detail confirmation got" in out.getvalue()


def test_the_api_list_filters_too(clerk, clerk2, vendor_fields):
    from tests.api_client import bearer

    with_bank(clerk, vendor_fields, "Acme Supplies GmbH")

    def names(user, which):
        response = Client().get(f"/api/v1/vendors?bank_details={which}", **bearer(user))
        assert response.status_code == 200
        return [v["name"] for v in response.json()["items"]]

    assert names(clerk2, "awaiting") == ["Acme Supplies GmbH"]
    assert names(clerk2, "awaiting_me") == ["Acme Supplies GmbH"]
    assert names(clerk, "awaiting_me") == []
