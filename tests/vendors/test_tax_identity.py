"""A vendor's tax identity and coding defaults: VAT id, tax country, default codes."""

import json

import pytest
from django.test import Client

from accounting.services import accounting_code_update
from audit.selectors import audit_history
from core.errors import ValidationFailed
from tests.api_client import bearer, send
from vendors.selectors import vendor_get
from vendors.services import vendor_create, vendor_update
from vendors.tax_identity import TaxIdentityError, clean_tax_country, clean_vat_id

VENDORS = "/api/v1/vendors"


@pytest.mark.parametrize(
    ("typed", "vat_id", "country"),
    [("DE 136 695 976", "DE136695976", "DE"), ("atu13585627", "ATU13585627", "AT"),
     ("NL004495445B01", "NL004495445B01", "NL"), ("EL094259216", "EL094259216", "GR"),
     ("", None, None)],
)  # fmt: skip
def test_a_vat_id_is_compacted_with_its_prefix_and_country(typed, vat_id, country):
    assert clean_vat_id(typed) == (vat_id, country)


@pytest.mark.parametrize(
    ("typed", "message"),
    [("DE123456789", "DE123456789 is not a valid VAT id of Germany: its check digits"),
     ("DE12345678", "not a valid VAT id of Germany: check its length"),
     ("136695976", "has no country prefix"),
     ("US123456789", "US VAT ids cannot be checked here")],
)  # fmt: skip
def test_a_bad_vat_id_is_refused_naming_why(typed, message):
    with pytest.raises(TaxIdentityError, match=message):
        clean_vat_id(typed)


def test_a_tax_country_is_an_iso_code():
    assert clean_tax_country(" at ") == "AT"
    with pytest.raises(TaxIdentityError, match="XX is not a country code"):
        clean_tax_country("XX")


def test_a_vendor_gets_its_vat_id_and_the_country_from_it(clerk, vendor_fields):
    vendor = vendor_create(
        user=clerk,
        fields={**vendor_fields, "tax_id": "DE123456789", "vat_id": "atu 13585627"},
    )
    stored = vendor_get(vendor_id=vendor.id)
    assert (stored.vat_id, stored.tax_country) == ("ATU13585627", "AT")
    assert stored.tax_id == "DE123456789"  # the tax id field is kept apart


def test_a_tax_country_other_than_the_vat_ids_is_refused(clerk, vendor_fields):
    with pytest.raises(ValidationFailed) as refused:
        vendor_create(
            user=clerk,
            fields={**vendor_fields, "vat_id": "DE136695976", "tax_country": "AT"},
        )
    assert refused.value.field_errors["tax_country"] == (
        "The VAT id DE136695976 is of Germany: the tax country is DE (or leave it empty)."
    )


def test_coding_defaults_must_be_existing_active_codes(tax_codes, clerk, admin_user,
                                                       vendor_fields):  # fmt: skip
    accounting_code_update(
        user=admin_user, kind="tax_code", code="V7", changes={"active": False},
        version=1,
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        vendor_create(
            user=clerk,
            fields={**vendor_fields, "default_tax_code": "v7",
                    "default_gl_account": "9999", "default_cost_centre": "4100"},
        )  # fmt: skip
    assert refused.value.field_errors == {
        "default_tax_code": "Tax code V7 is inactive: new documents cannot use it, "
        "so choose an active one.",
        "default_gl_account": "GL account 9999 does not exist: choose an existing one.",
    }

    vendor = vendor_create(
        user=clerk,
        fields={**vendor_fields, "default_tax_code": "v19",
                "default_gl_account": "4930", "default_cost_centre": "4100"},
    )  # fmt: skip
    assert (vendor.default_tax_code, vendor.default_gl_account) == ("V19", "4930")


def test_a_default_deactivated_later_does_not_block_other_edits(
    tax_codes, clerk, admin_user, vendor_fields
):
    vendor = vendor_create(
        user=clerk, fields={**vendor_fields, "default_cost_centre": "4200"}
    )
    accounting_code_update(
        user=admin_user, kind="cost_centre", code="4200", changes={"active": False},
        version=1,
    )  # fmt: skip

    vendor = vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"phone": "+49 30 1"}, version=1
    )
    assert (vendor.phone, vendor.default_cost_centre) == ("+49 30 1", "4200")
    vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"default_cost_centre": "1000"},
        version=2,
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="Cost centre 4200 is inactive"):
        vendor_update(
            vendor_id=vendor.id, user=clerk, changes={"default_cost_centre": "4200"},
            version=3,
        )  # fmt: skip


def test_a_new_vat_id_brings_its_country_and_the_change_is_audited(
    clerk, vendor_fields
):
    vendor = vendor_create(
        user=clerk, fields={**vendor_fields, "vat_id": "DE136695976"}
    )
    vendor = vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"vat_id": "NL004495445B01"}, version=1
    )
    assert (vendor.vat_id, vendor.tax_country) == ("NL004495445B01", "NL")
    entry = audit_history(entity_type="vendor", entity_id=vendor.id).items[0]
    after = json.loads(entry.details_json)["after"]
    assert (after["vat_id"], after["tax_country"]) == ("NL004495445B01", "NL")


def test_the_api_takes_and_returns_the_tax_identity(tax_codes, clerk, vendor_fields):
    headers = bearer(clerk)
    response = send(
        "post", VENDORS,
        {**vendor_fields, "vat_id": "ATU13585627", "default_tax_code": "RC19"}, headers,
    )  # fmt: skip
    assert response.status_code == 201
    body = response.json()
    assert (body["vat_id"], body["tax_country"], body["default_tax_code"]) == (
        "ATU13585627", "AT", "RC19",
    )  # fmt: skip
    assert body["default_gl_account"] is None

    refused = send("put", f"{VENDORS}/{body['id']}", {"vat_id": "ATU13585628"}, headers)
    assert refused.status_code == 422
    assert (
        "ATU13585628 is not a valid VAT id of Austria"
        in (refused.json()["errors"]["vat_id"])
    )


def test_an_old_client_sending_no_tax_fields_is_unaffected(clerk, vendor_fields):
    response = send("post", VENDORS, vendor_fields, bearer(clerk))
    assert response.status_code == 201
    body = response.json()
    assert body["vat_id"] is body["tax_country"] is body["default_tax_code"] is None
    update = send(
        "put", f"{VENDORS}/{body['id']}", {"phone": "+43 1 234"}, bearer(clerk)
    )
    assert update.status_code == 200 and update.json()["phone"] == "+43 1 234"


def test_the_vendor_pages_edit_and_show_the_tax_identity(tax_codes, clerk, vendor):
    client = Client()
    client.force_login(clerk)
    form = client.get(f"/vendors/{vendor.id}/edit/").content.decode()
    assert 'name="vat_id"' in form and '<option value="RC19">' in form

    response = client.post(
        f"/vendors/{vendor.id}/edit/",
        {"name": vendor.name, "email": vendor.email, "payment_terms": "Net 30",
         "status": vendor.status, "currency": "EUR", "vat_id": "ATU13585627",
         "tax_country": "", "default_tax_code": "RC19",
         "default_gl_account": "3400", "default_cost_centre": "1000",
         "version": vendor.version},
        follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "<dt>VAT id</dt><dd>ATU13585627</dd>" in html
    assert "<dt>Tax country</dt><dd>AT</dd>" in html
    assert "<dt>Default tax code</dt><dd>RC19</dd>" in html
    assert "<dt>Default cost centre</dt><dd>1000</dd>" in html


def test_a_bad_vat_id_shows_beside_its_field(clerk, vendor):
    client = Client()
    client.force_login(clerk)
    response = client.post(
        f"/vendors/{vendor.id}/edit/",
        {"name": vendor.name, "email": vendor.email, "payment_terms": "Net 30",
         "status": vendor.status, "currency": "EUR", "vat_id": "DE123456789",
         "version": vendor.version},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_vat_id_error"' in html
    assert "DE123456789 is not a valid VAT id of Germany" in html
