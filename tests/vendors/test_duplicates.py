"""
One vendor, one record: a tax id or VAT id another vendor has is refused in
the form and the API; a similar name is a warning with a link. Run on moto
and on DynamoDB Local (the refusal reads the sparse tax-id and VAT-id indexes).
"""

import pytest
from django.urls import reverse

from core.errors import ValidationFailed
from tests.api_client import bearer, send
from tests.vendors.test_views import logged_in
from vendors.duplicates import likeness_key, likeness_prefix, similar_names
from vendors.models import VendorVatIdKey
from vendors.selectors import vendor_list, vendors_with_identity
from vendors.services import vendor_create, vendor_update, vendor_vat_id_keys_backfill

VENDORS = "/api/v1/vendors"
VAT_DE = "DE136695976"
VAT_AT = "ATU13585627"


def form_data(**overrides):
    data = {
        "name": "Acme Supplies GmbH", "email": "billing@acme.example",
        "payment_terms": "Net 30", "status": "pending", "currency": "EUR",
        "remittance_advice": "on",
    }  # fmt: skip
    data.update(overrides)
    return data


# --- the pure rules ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Nordwind Bürobedarf GmbH",
        "NORDWIND  bürobedarf AG",
        "Nordwind Bürobedarf",
        "Nordwind Bürobedarf GmbH & Co. KG",
        "Nordwind Bürobedarf S.A.",
    ],
)
def test_names_compare_without_case_spaces_and_legal_form(name):
    assert likeness_key(name) == "nordwind bürobedarf"


def test_different_words_are_different_names():
    assert likeness_key("Nordwind Logistik GmbH") != likeness_key("Nordwind GmbH")
    assert likeness_key("Cascade Industrial Supply, Inc.") == likeness_key(
        "Cascade Industrial Supply LLC"
    )


def test_the_prefix_is_the_words_before_the_legal_form():
    assert likeness_prefix("Cascade Industrial Supply, Inc.") == (
        "cascade industrial supply"
    )
    assert likeness_prefix("Nordwind Bürobedarf GmbH") == "nordwind bürobedarf"
    # A name starting with its legal form: the words after it.
    assert likeness_prefix("AB Volvo") == "volvo"


def test_similar_names_leave_out_the_vendor_itself():
    class Named:
        def __init__(self, id, name):
            self.id, self.name = id, name

    same, other = Named("1", "Acme AG"), Named("2", "Acme Supplies GmbH")
    assert similar_names("ACME GmbH", [same, other]) == [same]
    assert similar_names("ACME GmbH", [same, other], exclude_id="1") == []


# --- the tax id and the VAT id: refused -------------------------------------


def test_a_second_vendor_with_a_tax_id_on_file_is_refused_naming_the_first(
    clerk, vendor, vendor_fields
):
    with pytest.raises(ValidationFailed) as caught:
        vendor_create(
            user=clerk,
            fields={**vendor_fields, "name": "Other Name", "tax_id": "de 123.456.789"},
        )
    message = caught.value.field_errors["tax_id"]
    assert "Vendor “Acme Supplies GmbH” already has this tax id" in message
    assert caught.value.message == message
    assert [v.id for v in vendor_list().items] == [vendor.id]


def test_a_second_vendor_with_a_vat_id_on_file_is_refused(clerk, vendor_fields):
    first = vendor_create(user=clerk, fields={**vendor_fields, "vat_id": VAT_DE})
    with pytest.raises(ValidationFailed) as caught:
        vendor_create(
            user=clerk,
            fields={**vendor_fields, "name": "Beta", "vat_id": "de 136695976"},
        )
    assert caught.value.field_errors == {
        "vat_id": f"Vendor “{first.name}” already has this VAT id ({VAT_DE}): a "
        "vendor is entered once, so edit that vendor instead of adding another."
    }
    assert caught.value.extra["duplicates"] == [{"id": first.id, "name": first.name}]


def test_a_tax_id_that_is_another_vendors_vat_id_is_refused(clerk, vendor_fields):
    vendor_create(user=clerk, fields={**vendor_fields, "vat_id": VAT_AT})
    with pytest.raises(ValidationFailed) as caught:
        vendor_create(
            user=clerk, fields={**vendor_fields, "name": "Beta", "tax_id": VAT_AT}
        )
    assert "has ATU13585627 as its VAT id" in caught.value.field_errors["tax_id"]


def test_an_edit_taking_another_vendors_tax_id_is_refused_and_changes_nothing(
    clerk, vendor, vendor_fields
):
    other = vendor_create(user=clerk, fields={**vendor_fields, "name": "Beta"})
    with pytest.raises(ValidationFailed) as caught:
        vendor_update(vendor_id=other.id, user=clerk, changes={"tax_id": vendor.tax_id})
    assert "“Acme Supplies GmbH”" in caught.value.field_errors["tax_id"]
    (stored,) = [v for v in vendor_list().items if v.id == other.id]
    assert stored.tax_id is None and stored.version == other.version


def test_a_vendor_keeps_its_own_tax_id_and_vat_id_when_edited(clerk, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"vat_id": VAT_DE})
    edited = vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"tax_id": "DE 123 456 789", "phone": "+49 30 7654321"},
    )
    assert edited.phone == "+49 30 7654321"


def test_a_vat_id_change_moves_the_vendor_in_the_vat_id_index(clerk, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"vat_id": VAT_DE})
    assert vendors_with_identity(tax_id=None, vat_id=VAT_DE)["vat_id"][0][1].id == (
        vendor.id
    )
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"vat_id": VAT_AT})
    assert vendors_with_identity(tax_id=None, vat_id=VAT_DE) == {}


def test_vendors_stored_before_the_vat_id_index_get_their_key(clerk, vendor):
    vendor = vendor_update(vendor_id=vendor.id, user=clerk, changes={"vat_id": VAT_DE})
    VendorVatIdKey.get(vendor.id).update(actions=[VendorVatIdKey.vat_id_key.remove()])
    assert vendors_with_identity(tax_id=None, vat_id=VAT_DE) == {}

    assert vendor_vat_id_keys_backfill(dry_run=True) == 1
    assert vendor_vat_id_keys_backfill() == 1
    assert vendor_vat_id_keys_backfill() == 0
    assert "vat_id" in vendors_with_identity(tax_id=None, vat_id=VAT_DE)
    # Not an edit: an open vendor form is not made stale.
    assert vendor_list().items[0].version == vendor.version


def test_the_api_answers_422_naming_the_other_vendor(clerk, vendor, vendor_fields):
    response = send(
        "post",
        VENDORS,
        {**vendor_fields, "name": "Other", "tax_id": vendor.tax_id},
        bearer(clerk),
    )
    assert response.status_code == 422
    body = response.json()
    assert "Vendor “Acme Supplies GmbH” already has this tax id" in body["detail"]
    assert body["duplicates"] == [{"id": vendor.id, "name": vendor.name}]

    other = send("post", VENDORS, {**vendor_fields, "name": "Other"}, bearer(clerk))
    assert other.status_code == 201
    response = send(
        "put",
        f"{VENDORS}/{other.json()['id']}",
        {"tax_id": vendor.tax_id},
        bearer(clerk),
    )
    assert response.status_code == 422
    assert "“Acme Supplies GmbH”" in response.json()["detail"]


def test_the_form_refuses_the_duplicate_beside_the_field_with_a_link(clerk, vendor):
    response = logged_in(clerk).post(
        reverse("vendors:create"),
        form_data(name="Someone Else", tax_id="DE123456789"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Vendor “Acme Supplies GmbH” already has this tax id" in html
    assert reverse("vendors:detail", args=[vendor.id]) in html
    assert len(vendor_list().items) == 1


# --- a similar name: a warning ----------------------------------------------


def test_a_similar_name_is_saved_with_a_warning_linking_the_other(clerk, vendor):
    client = logged_in(clerk)
    response = client.post(
        reverse("vendors:create"), form_data(name="ACME Supplies AG"), follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vendor “ACME Supplies AG” created." in html
    assert "Saved with 1 warning(s)" in html
    assert "Vendor “Acme Supplies GmbH” has a similar name" in html
    assert reverse("vendors:detail", args=[vendor.id]) in html
    assert len(vendor_list().items) == 2


def test_a_vendor_unlike_the_others_gets_no_warning(clerk, vendor):
    response = logged_in(clerk).post(
        reverse("vendors:create"), form_data(name="Acme Logistics GmbH"), follow=True
    )
    html = response.content.decode()
    assert "Check before paying" not in html and "warning(s)" not in html


def test_the_api_returns_the_similar_name_warning_with_the_vendor(clerk, vendor):
    response = send(
        "post",
        VENDORS,
        {"name": "Acme Supplies Ltd", "email": "a@acme.example"},
        bearer(clerk),
    )
    assert response.status_code == 201
    (warning,) = response.json()["warnings"]
    assert warning["code"] == "SIMILAR_NAME"
    assert warning["field"] == "name"
    assert warning["vendors"] == [{"id": vendor.id, "name": vendor.name}]
    fetched = send("get", f"{VENDORS}/{vendor.id}", "", bearer(clerk)).json()
    assert [w["code"] for w in fetched["warnings"]] == ["SIMILAR_NAME"]
    listed = send("get", VENDORS, "", bearer(clerk)).json()["items"][0]
    assert "warnings" not in listed  # a list reads no warnings per vendor


def test_the_form_names_similar_vendors_as_the_name_is_typed(clerk, vendor):
    client = logged_in(clerk)
    form = client.get(reverse("vendors:create")).content.decode()
    check = reverse("vendors:similar-names")
    assert f'hx-get="{check}"' in form and 'id="similar-names"' in form

    html = client.get(check, {"name": "acme supplies ag"}).content.decode()
    assert "Vendor “Acme Supplies GmbH” has a similar name" in html
    assert reverse("vendors:detail", args=[vendor.id]) in html
    assert "similar name" not in client.get(check, {"name": "Zeta"}).content.decode()
    # Editing the vendor itself: it is not like itself.
    own = client.get(check, {"name": vendor.name, "vendor": vendor.id})
    assert "similar name" not in own.content.decode()
    edit = client.get(reverse("vendors:edit", args=[vendor.id])).content.decode()
    assert f"{check}?vendor={vendor.id}" in edit


def test_the_live_check_is_for_clerks(requester):
    response = logged_in(requester).get(
        reverse("vendors:similar-names"), {"name": "Acme"}
    )
    assert response.status_code == 403
