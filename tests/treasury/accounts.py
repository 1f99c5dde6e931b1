"""The company's paying accounts as the payment tests use them."""

from tests.conftest import make_user
from treasury.services import bank_account_confirm, bank_account_create

EUR_ACCOUNT = {
    "name": "Operating account EUR",
    "currency": "EUR",
    "iban": "DE02120300000000202051",
    "bic": "BYLADEM1001",
    "street": "Friedrichstraße",
    "building_number": "123",
    "postcode": "10117",
    "town": "Berlin",
    "country": "DE",
}
USD_ACCOUNT = {
    "name": "Operating account USD",
    "currency": "USD",
    "account_number": "4820150937",
    "routing_number": "026009593",
    "bic": "BOFAUS3N",
    "street": "Park Avenue",
    "building_number": "270",
    "address_line2": "Floor 12",
    "postcode": "10017",
    "town": "New York",
    "country": "US",
}


def second_admin():
    return make_user("admin2", superuser=True)


def confirmed_account(admin, confirmer, **fields):
    """An account `admin` added and `confirmer` confirmed: usable by a run."""
    account = bank_account_create(user=admin, fields=fields)
    return bank_account_confirm(
        user=confirmer, account_id=account.id, version=account.version
    )
