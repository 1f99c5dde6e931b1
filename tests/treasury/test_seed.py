"""make run's demo: the company's EUR and USD paying accounts, confirmed."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from treasury.selectors import bank_account_for_currency, bank_account_list


@pytest.mark.django_db
def test_the_demo_pays_eur_from_the_payer_and_usd_from_a_us_account():
    out = StringIO()
    call_command("seed_demo", "--password", "first-pass-123", stdout=out)
    call_command("seed_demo", "--password", "first-pass-123", stdout=out)

    assert len(bank_account_list()) == 2  # a rerun adds none
    eur = bank_account_for_currency(currency="EUR")
    assert (eur.iban, eur.bic) == (settings.PAYER_IBAN, settings.PAYER_BIC)
    assert (eur.town, eur.country) == ("Berlin", "DE")
    usd = bank_account_for_currency(currency="USD")
    assert (usd.account_number, usd.routing_number) == ("4820150937", "026009593")
    assert (usd.created_by, usd.updated_by) == ("admin", "admin2")
    assert "kept the company's bank accounts" in out.getvalue()
