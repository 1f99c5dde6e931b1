"""
A vendor's structured address and its remittance advice switch (issue 17),
through the service, the form and page, the API, the CSV import and the audit
trail. The old free-text `address` stays as it was for old clients.
"""

import pytest
from django.test import Client
from django.urls import reverse

from audit.selectors import audit_history
from core.errors import ValidationFailed
from tests.api_client import bearer, send
from tests.core.test_exports import csv_rows
from tests.vendors.test_duplicates import form_data as vendor_form_data
from tests.vendors.test_import import confirm, upload
from tests.vendors.test_views import logged_in
from vendors.models import Vendor
from vendors.selectors import vendor_get, vendor_list
from vendors.services import vendor_create, vendor_update

VENDORS = "/api/v1/vendors"
ZURICH = {
    "street": "Bahnhofstrasse",
    "building_number": "21",
    "address_line2": "3. Stock",
    "postcode": "8001",
    "town": "Zürich",
    "country": "ch",
}


def form_data(**overrides):
    return vendor_form_data(
        **{"name": "Bergkristall AG", "email": "ap@bergkristall.example", **overrides}
    )


def history(vendor_id):
    return audit_history(entity_type="vendor", entity_id=vendor_id).items


# --- the service --------------------------------------------------------------


def test_a_vendor_keeps_its_address_parts_the_country_upper_cased(clerk, vendor_fields):
    vendor = vendor_create(user=clerk, fields={**vendor_fields, **ZURICH})
    stored = vendor_get(vendor_id=vendor.id)
    assert (stored.street, stored.building_number, stored.address_line2) == (
        "Bahnhofstrasse", "21", "3. Stock",
    )  # fmt: skip
    assert (stored.postcode, stored.town, stored.country) == ("8001", "Zürich", "CH")
    assert stored.address == vendor_fields["address"]  # the old text, unchanged
    (entry,) = history(vendor.id)
    assert entry.details["after"]["town"] == "Zürich"
    assert entry.details["after"]["country"] == "CH"


def test_a_town_without_a_country_is_refused_and_nothing_is_written(
    clerk, vendor_fields
):
    with pytest.raises(ValidationFailed) as caught:
        vendor_create(
            user=clerk, fields={**vendor_fields, "town": "Zürich", "street": "x" * 71}
        )
    errors = caught.value.field_errors
    assert errors["country"].startswith("A town needs its country")
    assert errors["street"].startswith("At most 70 characters (this has 71)")
    assert vendor_list().items == []


def test_an_edit_audits_only_the_address_parts_it_changed(clerk, vendor_fields):
    vendor = vendor_create(user=clerk, fields={**vendor_fields, **ZURICH})
    vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"town": "Zurich", "postcode": "8002"},
        version=vendor.version,
    )
    entry = history(vendor.id)[0]
    assert entry.action == "UPDATE"
    assert entry.details["before"] == {"postcode": "8001", "town": "Zürich"}
    assert entry.details["after"] == {"postcode": "8002", "town": "Zurich"}


def test_an_address_can_be_cleared_part_and_pair_together(clerk, vendor_fields):
    vendor = vendor_create(user=clerk, fields={**vendor_fields, **ZURICH})
    with pytest.raises(ValidationFailed):
        vendor_update(vendor_id=vendor.id, user=clerk, changes={"country": ""})
    cleared = vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"country": "", "town": None}
    )
    stored = vendor_get(vendor_id=cleared.id)
    assert (stored.town, stored.country, stored.street) == (
        None,
        None,
        "Bahnhofstrasse",
    )


def test_remittance_advice_is_on_unless_switched_off(clerk, vendor_fields):
    vendor = vendor_create(user=clerk, fields=vendor_fields)
    assert vendor_get(vendor_id=vendor.id).remittance_advice is True
    off = vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"remittance_advice": False}
    )
    assert not vendor_get(vendor_id=off.id).sends_remittance_advice
    assert history(vendor.id)[0].details["after"] == {"remittance_advice": False}
    with pytest.raises(ValidationFailed) as caught:
        vendor_update(
            vendor_id=vendor.id, user=clerk, changes={"remittance_advice": "no"}
        )
    assert caught.value.field_errors == {"remittance_advice": "Must be true or false."}


def test_a_vendor_kept_before_the_switch_gets_the_advice_and_no_spurious_change(
    clerk, vendor_fields
):
    vendor = vendor_create(user=clerk, fields=vendor_fields)
    stored = Vendor.get(vendor.id)
    stored.update(actions=[Vendor.remittance_advice.remove()])
    edited = vendor_update(vendor_id=vendor.id, user=clerk, changes={"phone": "+41 1"})
    assert edited.sends_remittance_advice
    assert history(vendor.id)[0].details["after"] == {"phone": "+41 1"}


# --- the form and the page ----------------------------------------------------


def test_the_form_takes_the_address_and_the_page_shows_it(clerk, auditor):
    client = logged_in(clerk)
    response = client.post(
        reverse("vendors:create"), form_data(**{**ZURICH, "country": "CH"}), follow=True
    )
    assert response.status_code == 200
    (vendor,) = vendor_list().items
    assert vendor.town == "Zürich" and vendor.sends_remittance_advice
    page = logged_in(auditor).get(reverse("vendors:detail", args=[vendor.id]))
    html = page.content.decode()
    assert "Bahnhofstrasse 21" in html and "8001 Zürich" in html
    assert "Switzerland (CH)" in html
    assert "E-mailed for each payment" in html


def test_the_form_has_an_address_fieldset_with_a_country_select(clerk):
    html = logged_in(clerk).get(reverse("vendors:create")).content.decode()
    fieldset = html[html.index("<legend>Address</legend>") :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    for label in ("Street", "Building number", "Address line 2", "Postcode", "Town"):
        assert f">{label}</label>" in fieldset
    assert '<select name="country"' in fieldset
    assert '<option value="CH">Switzerland (CH)</option>' in fieldset
    assert 'name="remittance_advice"' in html and "checked" in html


def test_the_form_refuses_a_town_without_its_country_beside_the_field(clerk):
    response = logged_in(clerk).post(
        reverse("vendors:create"), form_data(town="Zürich", country="")
    )
    assert response.status_code == 422
    assert "A town needs its country" in response.content.decode()
    assert vendor_list().items == []


def test_unticking_remittance_advice_switches_it_off(clerk, vendor):
    client = logged_in(clerk)
    data = form_data(name=vendor.name, email=vendor.email, version=vendor.version)
    del data["remittance_advice"]
    response = client.post(reverse("vendors:edit", args=[vendor.id]), data, follow=True)
    assert "Not sent" in response.content.decode()
    assert vendor_get(vendor_id=vendor.id).remittance_advice is False


def test_the_history_names_the_changed_parts(clerk, auditor, vendor_fields):
    vendor = vendor_create(user=clerk, fields={**vendor_fields, **ZURICH})
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"town": "Winterthur"})
    html = logged_in(auditor).get(reverse("vendors:detail", args=[vendor.id]))
    section = html.content.decode().split("<h2>History</h2>")[1]
    # The change reads with the form's label, from what it was to what it is.
    assert "Town" in section
    assert "Zürich" in section and "Winterthur" in section


# --- the API ------------------------------------------------------------------


def test_the_api_takes_and_returns_the_address_parts_and_vat_id(clerk, vendor_fields):
    body = {**vendor_fields, **ZURICH, "vat_id": "DE136695976"}
    created = send("post", VENDORS, body, bearer(clerk))
    assert created.status_code == 201
    got = created.json()
    assert {k: got[k] for k in ZURICH} == {**ZURICH, "country": "CH"}
    assert got["address"] == vendor_fields["address"]
    assert got["vat_id"] == "DE136695976" and got["remittance_advice"] is True

    updated = send(
        "put",
        f"{VENDORS}/{got['id']}",
        {"town": "Basel", "postcode": "4051", "remittance_advice": False},
        bearer(clerk),
    )
    assert updated.status_code == 200
    assert (updated.json()["town"], updated.json()["street"]) == (
        "Basel", "Bahnhofstrasse",
    )  # fmt: skip
    assert updated.json()["remittance_advice"] is False


def test_an_old_client_sends_and_reads_only_the_text_address(clerk):
    body = {"name": "Old Client Co", "email": "a@old.example", "address": "Somewhere 1"}
    created = send("post", VENDORS, body, bearer(clerk))
    assert created.status_code == 201
    got = created.json()
    assert got["address"] == "Somewhere 1"
    assert got["town"] is None and got["country"] is None
    updated = send(
        "put", f"{VENDORS}/{got['id']}", {"address": "Elsewhere 2"}, bearer(clerk)
    )
    assert updated.json()["address"] == "Elsewhere 2"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"town": "Paris", "country": "France"}, "country", "not an ISO 3166"),
        ({"town": "Paris"}, "country", "A town needs its country"),
        ({"country": "FR"}, "town", "A country needs its town"),
        ({"town": "P" * 36, "country": "FR"}, "town", "TwnNm"),
        ({"postcode": "1" * 17}, "postcode", "PstCd"),
    ],
)
def test_the_api_refuses_a_bad_address_with_422(clerk, vendor, change, field, message):
    response = send("put", f"{VENDORS}/{vendor.id}", change, bearer(clerk))
    assert response.status_code == 422
    assert message in response.json()["errors"][field]


def test_the_openapi_document_names_the_new_fields(clerk):
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    create = schema["VendorCreateIn"]["properties"]
    for name in ("street", "building_number", "postcode", "town", "country",
                 "address", "vat_id", "remittance_advice"):  # fmt: skip
        assert name in create
    assert "warnings" in schema["VendorDetailOut"]["properties"]


# --- the CSV import -----------------------------------------------------------


def test_the_import_takes_the_address_columns_when_a_file_has_them(clerk):
    client = logged_in(clerk)
    text = "\n".join(
        [
            "name,email,payment_terms,street,building_number,postcode,town,country",
            "Alpha GmbH,ap@alpha.example,Net 30,Hauptstr.,5,10115,Berlin,de",
            "Beta SA,ap@beta.example,Net 30,,,,Lyon,",
        ]
    )
    preview = upload(client, text).content.decode()
    assert "A town needs its country" in preview
    confirm(client, preview)
    (alpha,) = vendor_list().items
    assert (alpha.street, alpha.town, alpha.country) == ("Hauptstr.", "Berlin", "DE")


def test_the_import_refuses_a_vat_id_on_file_or_repeated_in_the_file(
    clerk, vendor_fields
):
    vendor_create(user=clerk, fields={**vendor_fields, "vat_id": "DE136695976"})
    client = logged_in(clerk)
    text = "\n".join(
        [
            "name,email,payment_terms,vat_id",
            "Alpha GmbH,ap@alpha.example,Net 30,DE 136 695 976",
            "Beta GmbH,ap@beta.example,Net 30,ATU13585627",
            "Gamma GmbH,ap@gamma.example,Net 30,atu13585627",
            "Delta GmbH,ap@delta.example,Net 30,",
        ]
    )
    preview = upload(client, text).content.decode()
    assert "Vendor “Acme Supplies GmbH” already has this VAT id." in preview
    assert "Rows 3, 4 of this file have the same VAT id." in preview
    confirm(client, preview)
    assert {v.name for v in vendor_list().items} == {"Acme Supplies GmbH", "Delta GmbH"}


def test_the_vendor_export_has_the_address_parts(clerk, vendor_fields):
    vendor_create(
        user=clerk, fields={**vendor_fields, **ZURICH, "remittance_advice": False}
    )
    response = logged_in(clerk).get(reverse("vendors:list-export", args=["csv"]))
    header, row = csv_rows(response)
    exported = dict(zip(header, row, strict=True))
    assert (exported["Street"], exported["Town"], exported["Country"]) == (
        "Bahnhofstrasse", "Zürich", "CH",
    )  # fmt: skip
    assert exported["Remittance advice"] in {"False", "no", "No"}, exported
