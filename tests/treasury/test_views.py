"""The Treasury pages: Admin adds, edits and confirms; Treasurers read."""

from django.test import Client
from django.urls import reverse

from tests.treasury.accounts import EUR_ACCOUNT, second_admin
from treasury.selectors import bank_account_list
from treasury.services import bank_account_create


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_adds_an_account_and_another_admin_confirms_it(admin_user):
    client = signed_in(admin_user)
    assert client.get(reverse("treasury:create")).status_code == 200

    response = client.post(
        reverse("treasury:create"), {**EUR_ACCOUNT, "active": "on"}, follow=True
    )

    assert "Operating account EUR added. It awaits another Admin" in (
        response.content.decode()
    )
    (account,) = bank_account_list()
    page = response.content.decode()
    assert "Awaiting confirmation" in page
    assert "Another Admin confirms your change." in page
    assert f'aria-label="Confirm {account.name}"' not in page

    other = signed_in(second_admin())
    page = other.get(reverse("treasury:list")).content.decode()
    assert f'aria-label="Confirm {account.name}"' in page
    response = other.post(
        reverse("treasury:confirm", args=[account.id]),
        {"version": account.version},
        follow=True,
    )
    assert "Operating account EUR confirmed: runs may pay from it." in (
        response.content.decode()
    )
    assert bank_account_list()[0].usable


def test_a_bad_iban_is_shown_beside_its_field(admin_user):
    response = signed_in(admin_user).post(
        reverse("treasury:create"),
        {**EUR_ACCOUNT, "iban": "DE02120300000000202052"},
    )
    assert response.status_code == 422
    assert "check digits do not match" in response.content.decode()
    assert bank_account_list() == []


def test_an_edit_made_on_a_stale_page_is_refused(admin_user):
    account = bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    client = signed_in(admin_user)
    url = reverse("treasury:edit", args=[account.id])
    client.post(url, {**EUR_ACCOUNT, "name": "A", "version": account.version})

    response = client.post(
        url, {**EUR_ACCOUNT, "name": "B", "version": account.version}
    )

    assert response.status_code == 409
    assert bank_account_list()[0].name == "A"


def test_treasurers_read_the_list_masked_for_nobody_else_and_change_nothing(
    admin_user, treasurer, requester
):
    bank_account_create(user=admin_user, fields=EUR_ACCOUNT)
    client = signed_in(treasurer)
    page = client.get(reverse("treasury:list")).content.decode()
    assert EUR_ACCOUNT["iban"] in page
    assert "Add a bank account" not in page
    assert reverse("treasury:list") in client.get("/").content.decode()
    assert client.get(reverse("treasury:create")).status_code == 403
    assert signed_in(requester).get(reverse("treasury:list")).status_code == 403
