"""
Issue 14 item 20: a BIC's country (letters 5-6) agrees with its IBAN's, on the
vendor form, the API and the CSV import alike, with the registry's known
exceptions (territories that use another country's IBANs).
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.api_client import bearer, send
from vendors.bank_details import bic_country_error
from vendors.imports import check_vendor_rows, read_vendor_csv
from vendors.selectors import vendor_list

FR_IBAN = "FR1420041010050500013M02606"
DE_IBAN = "DE89370400440532013000"
GB_IBAN = "GB82WEST12345698765432"
MC_IBAN = "MC5811222000010123456789030"
GERMAN_BIC = "COBADEFFXXX"
FRENCH_BIC = "PSSTFRPPLYO"
BOTH_NAMED = "The BIC is from Germany (DE), the IBAN from France (FR)"


@pytest.mark.parametrize(
    ("iban", "bic"),
    [
        (DE_IBAN, GERMAN_BIC),
        (FR_IBAN, FRENCH_BIC),
        # Overseas France, the Channel Islands and Åland use French, British
        # and Finnish IBANs; their banks' BICs carry their own codes.
        (FR_IBAN, "BDAFGFGFXXX"),
        (FR_IBAN, "BNPAGPGPXXX"),
        (FR_IBAN, "BNPAMQMXXXX"),
        (FR_IBAN, "BNPARERXXXX"),
        (GB_IBAN, "HSBCJESHXXX"),
        ("FI2112345600000785", "AABAAX22XXX"),
        # Monaco's banks are in the French clearing: an MC IBAN may sit at a
        # French bank's BIC, or at a Monegasque one.
        (MC_IBAN, "CCBPFRPPNCE"),
        (MC_IBAN, "CFMOMCMXXXX"),
    ],
)
def test_a_bic_of_the_ibans_country_or_a_known_territory_is_accepted(iban, bic):
    assert bic_country_error(iban, bic) is None


def test_a_german_bic_for_a_french_iban_names_both_countries():
    assert BOTH_NAMED in bic_country_error(FR_IBAN, GERMAN_BIC)


def test_a_french_bic_is_not_accepted_for_a_british_iban():
    message = bic_country_error(GB_IBAN, FRENCH_BIC)
    assert "The BIC is from France (FR), the IBAN from United Kingdom" in message


def test_the_vendor_form_refuses_the_pair_beside_the_bic_and_saves_nothing(clerk):
    from tests.vendors.test_views import form_data

    client = Client()
    client.force_login(clerk)
    response = client.post(
        reverse("vendors:create"), form_data(iban=FR_IBAN, bic=GERMAN_BIC)
    )

    assert response.status_code == 422
    assert BOTH_NAMED in response.content.decode()
    assert response.context["form"].errors["bic"][0].startswith(BOTH_NAMED)
    assert vendor_list().items == []


def test_the_api_refuses_the_pair_with_422_naming_the_bic(clerk, vendor_fields):
    response = send(
        "post",
        "/api/v1/vendors",
        {**vendor_fields, "iban": FR_IBAN, "bic": GERMAN_BIC},
        bearer(clerk),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    if isinstance(errors, list):
        errors = {error["field"]: error["message"] for error in errors}
    assert BOTH_NAMED in errors["bic"]
    assert vendor_list().items == []


def test_the_csv_import_flags_the_row():
    text = (
        "name,email,iban,bic,payment_terms\n"
        f"Alpha SARL,ap@alpha.example,{FR_IBAN},{GERMAN_BIC},Net 30\n"
        f"Beta SARL,ap@beta.example,{FR_IBAN},{FRENCH_BIC},Net 30\n"
    )
    rows = check_vendor_rows(
        read_vendor_csv(text.encode(), max_bytes=10_000, max_rows=10),
        existing_tax_ids=lambda keys: {},
    )

    assert BOTH_NAMED in rows[0].errors["bic"]
    assert rows[1].valid


def test_a_vendor_stored_with_the_pair_before_the_check_cannot_be_paid():
    from vendors.bank_details import bank_details_problem

    problem = bank_details_problem(
        iban=FR_IBAN, bic=GERMAN_BIC, account_number=None, routing_number=None
    )

    assert BOTH_NAMED in problem
