"""
Bad input that once reached DynamoDB or overwrote a change: each is refused
with a message naming the problem (never a 500), and nothing is written.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import api_token_create
from audit.models import AuditEntry
from audit.selectors import audit_history
from vendors.models import NAME_KEY_MAX_BYTES, Vendor, name_key
from vendors.selectors import vendor_get
from vendors.services import vendor_snapshot, vendor_update

VENDORS = "/api/v1/vendors"
VALID_IBAN = "DE89370400440532013000"

# 200 characters (the name's limit) that case-fold to 600 two-byte characters:
# 1,200 bytes, over the 1,024 bytes an index sort key may hold.
LONG_FOLDING_NAME = "ΐ" * 200


# --- helpers --------------------------------------------------------------


def bearer(user) -> dict:
    _, raw = api_token_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def send(method: str, url: str, body, headers: dict, client: Client | None = None):
    """Send `body` (a dict, or a str sent as is) as JSON with `method`."""
    client = client or Client(raise_request_exception=False)
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(
        url, data=data, content_type="application/json", **headers
    )


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def history(vendor_id: str) -> list[AuditEntry]:
    return audit_history(entity_type="vendor", entity_id=vendor_id).items


def all_vendors() -> list[Vendor]:
    return list(Vendor.scan())


def all_audit_entries() -> list[AuditEntry]:
    return list(AuditEntry.scan(AuditEntry.entity_key.exists()))


def assert_unchanged(vendor: Vendor, audit_count: int) -> None:
    current = vendor_get(vendor_id=vendor.id)
    assert current is not None
    assert current.version == vendor.version
    assert vendor_snapshot(current) == vendor_snapshot(vendor)
    assert current.bank_details_changed_by == vendor.bank_details_changed_by
    assert len(history(vendor.id)) == audit_count


def form_data(**overrides) -> dict:
    data = {
        "name": "Acme Supplies GmbH",
        "email": "billing@acme.example",
        "phone": "+49 30 1234567",
        "address": "Hauptstr. 1\n10115 Berlin",
        "tax_id": "DE123456789",
        "payment_terms": "Net 30",
        "status": "pending",
        "currency": "EUR",
        "iban": "",
        "bic": "",
        "account_number": "",
        "routing_number": "",
        "payment_hold_reason": "",
        "payment_hold_until": "",
    }
    data.update(overrides)
    return data


# --- a name that case-folds past the index key limit ------------------------


def test_the_long_folding_name_is_within_the_length_limit_but_over_the_key_limit():
    assert len(LONG_FOLDING_NAME) == 200
    assert len(name_key(LONG_FOLDING_NAME).encode()) > NAME_KEY_MAX_BYTES


def test_api_create_with_a_name_too_long_to_index_is_refused_with_422(
    clerk, vendor_fields
):
    response = send(
        "post", VENDORS, {**vendor_fields, "name": LONG_FOLDING_NAME}, bearer(clerk)
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": "This name is too long to index; please shorten it."
    }
    assert all_vendors() == []
    assert all_audit_entries() == []


def test_api_rename_to_a_name_too_long_to_index_is_refused_with_422(clerk, vendor):
    response = send(
        "put",
        f"{VENDORS}/{vendor.id}",
        {"name": LONG_FOLDING_NAME, "version": 1},
        bearer(clerk),
    )

    assert response.status_code == 422
    assert "too long to index" in response.json()["errors"]["name"]
    assert_unchanged(vendor, audit_count=1)


def test_create_form_with_a_name_too_long_to_index_shows_a_form_error(clerk):
    response = logged_in(clerk).post(
        reverse("vendors:create"), form_data(name=LONG_FOLDING_NAME)
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "This name is too long to index; please shorten it." in html
    assert LONG_FOLDING_NAME in html  # what the user typed is kept
    assert all_vendors() == []


def test_edit_form_with_a_name_too_long_to_index_shows_a_form_error(clerk, vendor):
    response = logged_in(clerk).post(
        reverse("vendors:edit", args=[vendor.id]),
        form_data(name=LONG_FOLDING_NAME, version="1"),
    )

    assert response.status_code == 422
    assert "too long to index" in response.content.decode()
    assert_unchanged(vendor, audit_count=1)


def test_api_search_for_a_name_too_long_to_index_is_not_a_500(clerk, vendor):
    response = Client(raise_request_exception=False).get(
        VENDORS, {"q": LONG_FOLDING_NAME}, **bearer(clerk)
    )

    # No stored name can start with it: an empty page, or a 422 naming `q`.
    assert response.status_code in (200, 422), response.status_code
    if response.status_code == 200:
        assert response.json() == {"items": [], "next_cursor": None}
    else:
        assert "q" in response.json()["errors"]


def test_page_search_for_a_name_too_long_to_index_is_not_a_500(clerk, vendor):
    response = logged_in(clerk).get(reverse("vendors:list"), {"q": LONG_FOLDING_NAME})

    assert response.status_code in (200, 422), response.status_code
    assert "Acme Supplies GmbH" not in response.content.decode()


# --- a lone surrogate in JSON ---------------------------------------------------


def raw_vendor_body(name_json: str, fields: dict) -> str:
    """A vendor as JSON text with the name's JSON literal written verbatim."""
    others = json.dumps({k: v for k, v in fields.items() if k != "name"})
    return '{"name": ' + name_json + ", " + others[1:]


def test_name_with_a_lone_surrogate_is_refused_with_422_and_the_list_still_loads(
    clerk, vendor_fields
):
    headers = bearer(clerk)
    body = raw_vendor_body('"A\\ud800"', vendor_fields)
    assert '"A\\ud800"' in body  # sent as the JSON escape, not as a character

    response = send("post", VENDORS, body, headers)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": "Contains characters that are not valid text."
    }
    assert all_vendors() == []
    assert all_audit_entries() == []
    listing = Client().get(VENDORS, **headers)
    assert listing.status_code == 200
    assert listing.json()["items"] == []
    assert logged_in(clerk).get(reverse("vendors:list")).status_code == 200


def test_rename_to_a_lone_surrogate_is_refused_with_422_and_the_vendor_still_loads(
    clerk, vendor
):
    headers = bearer(clerk)

    response = send(
        "put", f"{VENDORS}/{vendor.id}", '{"name": "\\udfff", "version": 1}', headers
    )

    assert response.status_code == 422
    assert "name" in response.json()["errors"]
    assert_unchanged(vendor, audit_count=1)
    assert Client().get(f"{VENDORS}/{vendor.id}", **headers).status_code == 200
    detail = logged_in(clerk).get(reverse("vendors:detail", args=[vendor.id]))
    assert detail.status_code == 200


@pytest.mark.parametrize("field", ["address", "tax_id", "payment_hold_reason"])
def test_other_text_with_a_lone_surrogate_is_refused_with_422(
    clerk, vendor_fields, field
):
    body = json.dumps(vendor_fields)[:-1] + f', "{field}": "x\\ud800y"}}'

    response = send("post", VENDORS, body, bearer(clerk))

    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert all_vendors() == []


# --- edits without the version they were made on -------------------------------


def test_edit_form_posted_without_version_is_refused_and_changes_nothing(clerk, vendor):
    response = logged_in(clerk).post(
        reverse("vendors:edit", args=[vendor.id]),
        form_data(name="Renamed", phone="+1 555 0100"),
    )

    assert 400 <= response.status_code < 500
    assert 'role="alert"' in response.content.decode()  # the form's error box
    assert_unchanged(vendor, audit_count=1)


def test_edit_form_posted_without_version_tells_the_user_to_reload(clerk, vendor):
    response = logged_in(clerk).post(
        reverse("vendors:edit", args=[vendor.id]), form_data(name="Renamed")
    )

    html = response.content.decode()
    # The version is a hidden field: "correct the highlighted fields" names
    # nothing the user can see or fix; the message must say what to do.
    assert "reload" in html.lower()
    assert_unchanged(vendor, audit_count=1)


def test_edit_form_posted_with_a_non_numeric_version_changes_nothing(clerk, vendor):
    response = logged_in(clerk).post(
        reverse("vendors:edit", args=[vendor.id]),
        form_data(name="Renamed", version="latest"),
    )

    assert 400 <= response.status_code < 500
    assert_unchanged(vendor, audit_count=1)


@pytest.fixture
def vendor_with_new_bank_details(clerk, vendor):
    """The vendor after `clerk` changed its IBAN: awaiting another clerk's confirmation."""
    return vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"iban": VALID_IBAN}, version=1
    )


@pytest.mark.parametrize("data", [{}, {"version": ""}, {"version": "two"}])
def test_bank_details_confirmation_without_version_changes_nothing_and_says_so(
    clerk2, vendor_with_new_bank_details, data
):
    vendor = vendor_with_new_bank_details

    response = logged_in(clerk2).post(
        reverse("vendors:confirm-bank-details", args=[vendor.id]), data, follow=True
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Reload the page and confirm the bank details shown there." in html
    assert "confirmed." not in html
    assert_unchanged(vendor, audit_count=2)
    assert vendor_get(vendor_id=vendor.id).bank_details_awaiting_confirmation


def test_bank_details_confirmation_with_a_stale_version_changes_nothing(
    clerk, clerk2, vendor_with_new_bank_details
):
    vendor = vendor_update(
        vendor_id=vendor_with_new_bank_details.id,
        user=clerk,
        changes={"iban": "GB82WEST12345698765432"},
        version=2,
    )

    response = logged_in(clerk2).post(
        reverse("vendors:confirm-bank-details", args=[vendor.id]),
        {"version": "2"},
        follow=True,
    )

    assert "changed by someone else" in response.content.decode()
    assert_unchanged(vendor, audit_count=3)
    assert vendor_get(vendor_id=vendor.id).bank_details_awaiting_confirmation


def test_api_update_without_version_is_conditional_on_version_read(clerk, vendor):
    response = send(
        "put", f"{VENDORS}/{vendor.id}", {"phone": "+1 555 0100"}, bearer(clerk)
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert vendor_get(vendor_id=vendor.id).phone == "+1 555 0100"


def test_api_update_with_a_stale_version_still_answers_409(clerk, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"tax_id": "DE1"}, version=1)
    current = vendor_get(vendor_id=vendor.id)

    response = send(
        "put",
        f"{VENDORS}/{vendor.id}",
        {"phone": "+1 555 0100", "version": 1},
        bearer(clerk),
    )

    assert response.status_code == 409
    assert_unchanged(current, audit_count=2)


def test_if_match_of_4301_digits_is_refused_with_422_not_500(clerk, vendor):
    headers = {**bearer(clerk), "HTTP_IF_MATCH": "1" * 4301}

    response = send("put", f"{VENDORS}/{vendor.id}", {"phone": "+1 555 0100"}, headers)

    assert response.status_code == 422
    assert "If-Match" in response.json()["detail"]
    assert_unchanged(vendor, audit_count=1)


@pytest.mark.parametrize("if_match", ['"1"', "1"])
def test_api_update_with_if_match_header_instead_of_version_is_applied(
    clerk, vendor, if_match
):
    headers = {**bearer(clerk), "HTTP_IF_MATCH": if_match}

    response = send("put", f"{VENDORS}/{vendor.id}", {"phone": "+1 555 0100"}, headers)

    assert response.status_code == 200
    assert response.json()["phone"] == "+1 555 0100"
    assert response.json()["version"] == 2
    assert vendor_get(vendor_id=vendor.id).phone == "+1 555 0100"


def test_api_update_with_a_stale_if_match_header_is_refused_with_409(clerk, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"tax_id": "DE1"}, version=1)
    current = vendor_get(vendor_id=vendor.id)
    headers = {**bearer(clerk), "HTTP_IF_MATCH": '"1"'}

    response = send("put", f"{VENDORS}/{vendor.id}", {"phone": "+1 555 0100"}, headers)

    assert response.status_code == 409
    assert_unchanged(current, audit_count=2)


def test_api_delete_without_version_is_conditional_on_version_read(clerk, vendor):
    response = Client().delete(f"{VENDORS}/{vendor.id}", **bearer(clerk))

    assert response.status_code == 204
    assert vendor_get(vendor_id=vendor.id) is None


@pytest.mark.parametrize("char", ["\uffff", "\ufffe", "\x0b"])
def test_vendor_name_with_a_non_character_is_refused_in_the_form(clerk, char):
    response = logged_in(clerk).post(
        reverse("vendors:create"), form_data(name=f"Acme{char}Supplies")
    )

    assert response.status_code == 422
    assert f"U+{ord(char):04X}" in response.content.decode()
    assert all_vendors() == []


def test_vendor_name_with_a_non_character_is_refused_by_the_api(clerk, vendor_fields):
    body = json.dumps(vendor_fields)[:-1] + ', "name": "Acme\\uffffSupplies"}'

    response = send("post", VENDORS, body, bearer(clerk))

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": "Contains a character that is not text (U+FFFF)."
    }
    assert all_vendors() == []


def test_list_with_an_invalid_status_says_so_instead_of_listing_every_vendor(
    clerk, vendor
):
    page = logged_in(clerk).get(reverse("vendors:list") + "?status=bogus")
    api = Client().get(f"{VENDORS}?state=active", **bearer(clerk))

    assert page.status_code == 400
    assert vendor.name not in page.content.decode()
    assert "Select a valid choice" in page.content.decode()
    assert api.status_code == 422
    assert api.json()["errors"] == {"state": "Unknown filter."}
