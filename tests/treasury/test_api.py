"""GET /api/v1/bank-accounts: the company's paying accounts, numbers masked by role."""

from django.test import Client

from tests.treasury.accounts import (
    EUR_ACCOUNT,
    USD_ACCOUNT,
    confirmed_account,
    second_admin,
)
from treasury.services import bank_account_create


def listed(user):
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/bank-accounts")
    assert response.status_code == 200
    return {row["name"]: row for row in response.json()}


def test_treasurers_see_every_account_in_full_and_requesters_masked(
    admin_user, treasurer, requester
):
    eur = confirmed_account(admin_user, second_admin(), **EUR_ACCOUNT)
    bank_account_create(user=admin_user, fields=USD_ACCOUNT)

    rows = listed(treasurer)

    assert rows["Operating account EUR"] == {
        "id": eur.id,
        "name": "Operating account EUR",
        "currency": "EUR",
        "iban": "DE02120300000000202051",
        "bic": "BYLADEM1001",
        "account_number": None,
        "routing_number": None,
        "street": "Friedrichstraße",
        "building_number": "123",
        "address_line2": None,
        "postcode": "10117",
        "town": "Berlin",
        "country": "DE",
        "active": True,
        "awaiting_confirmation": False,
        "usable": True,
        "version": eur.version,
    }
    usd = rows["Operating account USD"]
    assert usd["account_number"] == "4820150937"
    assert usd["routing_number"] == "026009593"
    assert (usd["awaiting_confirmation"], usd["usable"]) == (True, False)

    masked = listed(requester)
    assert masked["Operating account EUR"]["iban"] == "••••••••••••••••••2051"
    assert masked["Operating account USD"]["account_number"] == "••••••0937"
    assert masked["Operating account USD"]["routing_number"] == "026009593"
    assert listed(admin_user)["Operating account EUR"]["iban"] == EUR_ACCOUNT["iban"]


def test_a_user_without_a_role_reads_nothing(nobody):
    client = Client()
    client.force_login(nobody)
    assert client.get("/api/v1/bank-accounts").status_code == 403


def test_the_list_is_in_the_openapi_document(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/bank-accounts"]
    run_payment = schema["components"]["schemas"]["VendorPaymentOut"]["properties"]
    assert "paying_account" in run_payment
    run_file = schema["components"]["schemas"]["RunFileOut"]["properties"]
    assert {"execution_date", "paying_account"} <= set(run_file)
