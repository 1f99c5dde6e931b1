"""
The vendors JSON API (/api/v1/vendors) as a client sees it: status codes, the
`detail` message, the JSON fields, and what was (or was not) written.
"""

import pytest
from django.test import Client

from accounts.services import api_token_create, api_token_revoke
from audit.models import AuditEntry
from audit.selectors import audit_history
from core import dynamo
from tests.api_client import bearer, send
from vendors import services
from vendors.models import Vendor
from vendors.selectors import vendor_get
from vendors.services import vendor_create, vendor_snapshot, vendor_update

VENDORS = "/api/v1/vendors"
ORIGINAL_FIELDS = {
    "id",
    "name",
    "email",
    "phone",
    "address",
    "tax_id",
    "payment_terms",
    "status",
    "created_at",
    "updated_at",
}
VALID_IBAN = "DE89370400440532013000"
VALID_ROUTING = "021000021"

# --- helpers --------------------------------------------------------------


def vendor_url(vendor_id: str) -> str:
    return f"{VENDORS}/{vendor_id}"


def history(vendor_id: str) -> list[AuditEntry]:
    return audit_history(entity_type="vendor", entity_id=vendor_id).items


def all_vendors() -> list[Vendor]:
    return list(Vendor.scan())


def all_audit_entries() -> list[AuditEntry]:
    return list(AuditEntry.scan(AuditEntry.entity_key.exists()))


def field_errors(body: dict) -> dict[str, str]:
    """The `errors` of a 422 as {field: message}, whichever shape they came in."""
    errors = body.get("errors")
    if isinstance(errors, dict):
        return errors
    return {error["field"]: error["message"] for error in errors or []}


def assert_unchanged(vendor: Vendor, audit_count: int) -> None:
    current = vendor_get(vendor_id=vendor.id)
    assert current is not None
    assert current.version == vendor.version
    assert vendor_snapshot(current) == vendor_snapshot(vendor)
    assert len(history(vendor.id)) == audit_count


def make_vendors(user, fields: dict, names: list[str]) -> list[Vendor]:
    return [vendor_create(user=user, fields={**fields, "name": n}) for n in names]


# --- authentication and roles ----------------------------------------------

AUTH_REQUIRED = "Authentication required: send 'Authorization: Bearer <token>'."


def test_request_without_token_is_refused_with_401(db):
    response = Client().get(VENDORS)

    assert response.status_code == 401
    assert response.json() == {"detail": AUTH_REQUIRED}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer p2p_not-a-real-token",
        "Bearer not-even-our-prefix",
        "Token p2p_not-a-real-token",
        "Bearer ",
    ],
)
def test_request_with_invalid_token_is_refused_with_401(clerk, header):
    response = Client().get(VENDORS, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == {"detail": AUTH_REQUIRED}


def test_request_with_revoked_token_is_refused_with_401(clerk, vendor_fields):
    token, raw = api_token_create(user=clerk)
    api_token_revoke(token=token)

    response = send(
        "post", VENDORS, vendor_fields, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    )

    assert response.status_code == 401
    assert response.json() == {"detail": AUTH_REQUIRED}
    assert all_vendors() == []


def test_bearer_scheme_is_case_insensitive(clerk):
    _, raw = api_token_create(user=clerk)

    response = Client().get(VENDORS, HTTP_AUTHORIZATION=f"bearer {raw}")

    assert response.status_code == 200


def test_post_with_token_needs_no_csrf_token(clerk, vendor_fields):
    client = Client(enforce_csrf_checks=True)

    response = send("post", VENDORS, vendor_fields, bearer(clerk), client=client)

    assert response.status_code == 201


def test_session_post_without_csrf_token_is_refused_and_writes_nothing(
    clerk, vendor_fields
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)

    response = send("post", VENDORS, vendor_fields, {}, client=client)

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert all_vendors() == []
    assert all_audit_entries() == []


def test_session_user_may_read_the_list(clerk, vendor):
    client = Client()
    client.force_login(clerk)

    response = client.get(VENDORS)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [vendor.id]


def test_requester_cannot_create_a_vendor_and_nothing_is_written(
    requester, vendor_fields
):
    response = send("post", VENDORS, vendor_fields, bearer(requester))

    assert response.status_code == 403
    assert response.json() == {"detail": "Only AP Clerk users may create vendors."}
    assert all_vendors() == []
    assert all_audit_entries() == []


def test_auditor_may_read_but_not_create(auditor, vendor, vendor_fields):
    headers = bearer(auditor)

    assert Client().get(vendor_url(vendor.id), **headers).status_code == 200
    response = send("post", VENDORS, {**vendor_fields, "name": "Other"}, headers)

    assert response.status_code == 403
    assert [v.id for v in all_vendors()] == [vendor.id]


def test_user_without_role_cannot_read_vendors(nobody, vendor):
    response = Client().get(VENDORS, **bearer(nobody))

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Your account has no role yet; ask an administrator to assign one."
    }


# --- create -----------------------------------------------------------------


def test_create_returns_201_with_the_original_field_names_and_version(
    clerk, vendor_fields
):
    response = send("post", VENDORS, vendor_fields, bearer(clerk))

    assert response.status_code == 201
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert ORIGINAL_FIELDS <= set(body)
    assert body["version"] == 1
    assert body["name"] == "Acme Supplies GmbH"
    assert body["email"] == "billing@acme.example"
    assert body["payment_terms"] == "Net 30"
    assert body["status"] == "pending"
    assert body["created_at"] == body["updated_at"]
    stored = vendor_get(vendor_id=body["id"])
    assert stored is not None and stored.name == "Acme Supplies GmbH"


def test_create_writes_a_create_audit_entry_by_the_tokens_user(clerk, vendor_fields):
    response = send("post", VENDORS, vendor_fields, bearer(clerk))

    entries = history(response.json()["id"])
    assert [(e.action, e.user_id) for e in entries] == [("CREATE", "clerk")]
    assert entries[0].details["after"]["name"] == "Acme Supplies GmbH"


def test_create_with_bank_details_returns_them_but_audits_them_masked(
    clerk, vendor_fields
):
    response = send(
        "post", VENDORS, {**vendor_fields, "iban": VALID_IBAN}, bearer(clerk)
    )

    assert response.status_code == 201
    body = response.json()
    assert body["iban"] == VALID_IBAN
    assert body["bank_details_awaiting_confirmation"] is True
    audited = history(body["id"])[0].details["after"]["iban"]
    assert audited.endswith("3000")
    assert VALID_IBAN not in audited


def test_create_as_inactive_is_refused_with_409(clerk, vendor_fields):
    response = send(
        "post", VENDORS, {**vendor_fields, "status": "inactive"}, bearer(clerk)
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "A new vendor starts as pending or active."}
    assert all_vendors() == []


def test_html_in_name_is_returned_verbatim_in_json(clerk, vendor_fields):
    name = '<script>alert("x")</script> & Co'

    created = send("post", VENDORS, {**vendor_fields, "name": name}, bearer(clerk))
    fetched = Client().get(vendor_url(created.json()["id"]), **bearer(clerk))

    assert created.status_code == 201
    assert created.json()["name"] == name
    assert fetched.json()["name"] == name
    assert fetched["Content-Type"].startswith("application/json")


# --- create: validation -------------------------------------------------------


def test_invalid_email_is_refused_with_422_naming_the_field(clerk, vendor_fields):
    response = send(
        "post", VENDORS, {**vendor_fields, "email": "not-an-address"}, bearer(clerk)
    )

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Please correct the highlighted fields."
    assert set(field_errors(body)) == {"email"}
    assert "valid e-mail" in field_errors(body)["email"]
    assert all_vendors() == []
    assert all_audit_entries() == []


@pytest.mark.parametrize(
    ("field", "length", "limit"), [("name", 201, 200), ("address", 1001, 1000)]
)
def test_text_over_its_limit_is_refused_with_422(
    clerk, vendor_fields, field, length, limit
):
    response = send(
        "post", VENDORS, {**vendor_fields, field: "x" * length}, bearer(clerk)
    )

    assert response.status_code == 422
    assert field_errors(response.json()) == {
        field: f"At most {limit} characters (this has {length})."
    }
    assert all_vendors() == []


@pytest.mark.parametrize(("field", "length"), [("name", 200), ("address", 1000)])
def test_text_at_its_limit_is_accepted(clerk, vendor_fields, field, length):
    response = send(
        "post", VENDORS, {**vendor_fields, field: "x" * length}, bearer(clerk)
    )

    assert response.status_code == 201
    assert response.json()[field] == "x" * length


def test_blank_name_is_refused_with_422(clerk, vendor_fields):
    response = send("post", VENDORS, {**vendor_fields, "name": "   "}, bearer(clerk))

    assert response.status_code == 422
    assert field_errors(response.json()) == {"name": "A vendor needs a name."}


def test_name_of_wrong_type_is_refused_with_422_naming_the_field(clerk, vendor_fields):
    response = send("post", VENDORS, {**vendor_fields, "name": 12345}, bearer(clerk))

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid."
    # The client sent "name"; the handler's parameter name ("payload") is an
    # implementation detail that must not leak into the field name.
    assert set(field_errors(body)) == {"name"}
    assert all_vendors() == []


def test_unknown_extra_field_is_refused_with_422_naming_it(clerk, vendor_fields):
    response = send(
        "post", VENDORS, {**vendor_fields, "discount": "10%"}, bearer(clerk)
    )

    assert response.status_code == 422
    assert set(field_errors(response.json())) == {"discount"}
    assert all_vendors() == []


def test_validation_errors_have_one_shape_for_schema_and_business_rules(
    clerk, vendor_fields
):
    headers = bearer(clerk)
    schema_error = send("post", VENDORS, {**vendor_fields, "name": 5}, headers)
    rule_error = send("post", VENDORS, {**vendor_fields, "email": "nope"}, headers)

    assert schema_error.status_code == rule_error.status_code == 422
    # A client must be able to read `errors` the same way for every 422.
    assert type(schema_error.json()["errors"]) is type(rule_error.json()["errors"])


@pytest.mark.parametrize("body", ["{not json", '{"name": "Acme",', "\x00\x01"])
def test_malformed_json_body_is_refused_with_400_and_a_detail(
    clerk, vendor_fields, body
):
    response = send("post", VENDORS, body, bearer(clerk))

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert all_vendors() == []


@pytest.mark.parametrize("body", ["", "[1, 2]", "null", '"Acme"'])
def test_body_that_is_not_an_object_is_refused_with_422(clerk, body):
    response = send("post", VENDORS, body, bearer(clerk))

    assert response.status_code == 422
    assert response.json()["detail"] == "The request is not valid."
    assert all_vendors() == []


def test_iban_with_bad_checksum_is_refused_with_422(clerk, vendor_fields):
    response = send(
        "post",
        VENDORS,
        {**vendor_fields, "iban": "DE89370400440532013001"},
        bearer(clerk),
    )

    assert response.status_code == 422
    errors = field_errors(response.json())
    assert set(errors) == {"iban"}
    assert "check digits" in errors["iban"]
    assert all_vendors() == []


def test_aba_routing_number_with_bad_checksum_is_refused_with_422(clerk, vendor_fields):
    fields = {
        **vendor_fields,
        "account_number": "123456789",
        "routing_number": "021000022",
    }

    response = send("post", VENDORS, fields, bearer(clerk))

    assert response.status_code == 422
    errors = field_errors(response.json())
    assert set(errors) == {"routing_number"}
    assert "checksum" in errors["routing_number"]
    assert all_vendors() == []


def test_valid_us_account_and_routing_number_are_accepted(clerk, vendor_fields):
    fields = {
        **vendor_fields,
        "account_number": "123456789",
        "routing_number": VALID_ROUTING,
    }

    response = send("post", VENDORS, fields, bearer(clerk))

    assert response.status_code == 201
    assert response.json()["routing_number"] == VALID_ROUTING


# --- list -----------------------------------------------------------------------


def test_list_returns_items_and_next_cursor_newest_first(clerk, vendor_fields):
    made = make_vendors(clerk, vendor_fields, ["First", "Second", "Third"])

    response = Client().get(VENDORS, **bearer(clerk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "next_cursor"}
    assert [item["id"] for item in body["items"]] == [v.id for v in reversed(made)]
    assert body["next_cursor"] is None
    assert ORIGINAL_FIELDS <= set(body["items"][0])


def test_list_filters_by_status(clerk, vendor_fields):
    first, second, third = make_vendors(clerk, vendor_fields, ["A", "B", "C"])
    vendor_update(vendor_id=second.id, user=clerk, changes={"status": "active"})
    headers = bearer(clerk)

    active = Client().get(VENDORS, {"status": "active"}, **headers).json()
    pending = Client().get(VENDORS, {"status": "pending"}, **headers).json()
    inactive = Client().get(VENDORS, {"status": "inactive"}, **headers).json()

    assert [item["id"] for item in active["items"]] == [second.id]
    assert [item["id"] for item in pending["items"]] == [third.id, first.id]
    assert inactive == {"items": [], "next_cursor": None}


def test_list_searches_names_by_prefix_ignoring_case(clerk, vendor_fields):
    make_vendors(clerk, vendor_fields, ["Beta Ltd", "acme east", "Acme West"])

    response = Client().get(VENDORS, {"q": "ACME"}, **bearer(clerk))

    assert [item["name"] for item in response.json()["items"]] == [
        "acme east",
        "Acme West",
    ]


def walk_pages(headers: dict, params: dict) -> list[dict]:
    pages, cursor = [], None
    for _ in range(10):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = Client().get(VENDORS, query, **headers)
        assert response.status_code == 200
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("pagination did not end")


def test_pagination_visits_every_vendor_exactly_once(clerk, vendor_fields):
    made = make_vendors(clerk, vendor_fields, ["V1", "V2", "V3", "V4", "V5"])

    pages = walk_pages(bearer(clerk), {"limit": 2})

    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    seen = [item["id"] for page in pages for item in page["items"]]
    assert seen == [v.id for v in reversed(made)]
    assert pages[-1]["next_cursor"] is None
    assert all(page["next_cursor"] for page in pages[:-1])


def test_last_full_page_offers_no_empty_next_page(clerk, vendor_fields):
    make_vendors(clerk, vendor_fields, ["V1", "V2", "V3", "V4"])

    pages = walk_pages(bearer(clerk), {"limit": 2})

    assert [len(page["items"]) for page in pages] == [2, 2]


def test_pagination_with_status_filter_visits_each_match_once(clerk, vendor_fields):
    made = make_vendors(clerk, vendor_fields, ["V1", "V2", "V3"])

    pages = walk_pages(bearer(clerk), {"limit": 1, "status": "pending"})

    seen = [item["id"] for page in pages for item in page["items"]]
    assert seen == [v.id for v in reversed(made)]


def test_tampered_cursor_is_refused_with_400(clerk, vendor_fields):
    make_vendors(clerk, vendor_fields, ["V1", "V2", "V3"])
    headers = bearer(clerk)
    cursor = Client().get(VENDORS, {"limit": 1}, **headers).json()["next_cursor"]
    tampered = cursor[:-3] + ("aaa" if not cursor.endswith("aaa") else "bbb")

    response = Client().get(VENDORS, {"limit": 1, "cursor": tampered}, **headers)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The pagination cursor is not valid. Start again from the first page."
    }


def test_cursor_from_another_list_is_refused_with_400(clerk, vendor_fields):
    make_vendors(clerk, vendor_fields, ["V1", "V2", "V3"])
    headers = bearer(clerk)
    cursor = Client().get(VENDORS, {"limit": 1}, **headers).json()["next_cursor"]

    response = Client().get(
        VENDORS, {"limit": 1, "status": "pending", "cursor": cursor}, **headers
    )

    assert response.status_code == 400
    assert "pagination cursor is not valid" in response.json()["detail"]


def test_cursor_from_another_name_search_is_refused_with_400(clerk, vendor_fields):
    make_vendors(clerk, vendor_fields, ["Alpha", "Alpine", "Alps", "Zed", "Zeta"])
    headers = bearer(clerk)
    first = Client().get(VENDORS, {"q": "al", "limit": 1}, **headers).json()

    # The same cursor reused after the client changed the search text.
    response = Client().get(
        VENDORS, {"q": "ze", "limit": 1, "cursor": first["next_cursor"]}, **headers
    )

    assert response.status_code == 400
    assert "pagination cursor is not valid" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_list_parameter_is_refused_with_422(clerk, params, field):
    response = Client().get(VENDORS, params, **bearer(clerk))

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "The request is not valid."
    assert set(field_errors(body)) == {field}


# --- get ----------------------------------------------------------------------


def test_get_returns_the_vendor(clerk, vendor):
    response = Client().get(vendor_url(vendor.id), **bearer(clerk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == vendor.id
    assert body["name"] == vendor.name
    assert body["version"] == 1


@pytest.mark.parametrize("vendor_id", ["no-such-vendor", "x" * 150])
def test_get_unknown_vendor_is_404_with_detail(clerk, vendor_id):
    response = Client().get(vendor_url(vendor_id), **bearer(clerk))

    assert response.status_code == 404
    assert response.json() == {"detail": f"There is no vendor with id '{vendor_id}'."}


# --- update ---------------------------------------------------------------------


def test_update_changes_a_field_and_returns_the_new_version(clerk, vendor):
    headers = bearer(clerk)

    response = send(
        "put", vendor_url(vendor.id), {"phone": "+1 555 0100", "version": 1}, headers
    )

    assert response.status_code == 200
    body = response.json()
    assert body["phone"] == "+1 555 0100"
    assert body["version"] == 2
    assert body["name"] == vendor.name
    fetched = Client().get(vendor_url(vendor.id), **headers).json()
    assert fetched["phone"] == "+1 555 0100"
    assert fetched["version"] == 2


def test_update_writes_an_update_audit_entry_with_before_and_after(clerk2, vendor):
    send(
        "put",
        vendor_url(vendor.id),
        {"phone": "+1 555 0100", "version": 1},
        bearer(clerk2),
    )

    latest = history(vendor.id)[0]
    assert latest.action == "UPDATE"
    assert latest.user_id == "clerk2"
    assert latest.details["before"] == {"phone": "+49 30 1234567"}
    assert latest.details["after"] == {"phone": "+1 555 0100"}


def test_update_with_stale_version_is_refused_with_409(clerk, clerk2, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk2, changes={"tax_id": "DE999"})
    current = vendor_get(vendor_id=vendor.id)

    response = send(
        "put", vendor_url(vendor.id), {"name": "Mine", "version": 1}, bearer(clerk)
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert_unchanged(current, audit_count=2)


def test_update_racing_another_change_is_refused_not_overwritten(
    clerk, vendor, monkeypatch
):
    real_get = services.vendor_get_or_404

    def read_then_someone_else_writes(*, vendor_id):
        seen = real_get(vendor_id=vendor_id)
        Vendor.get(vendor_id).update(actions=[Vendor.phone.set("+44 20 7946 0000")])
        return seen

    monkeypatch.setattr(services, "vendor_get_or_404", read_then_someone_else_writes)

    response = send(
        "put", vendor_url(vendor.id), {"phone": "+1 555", "version": 1}, bearer(clerk)
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    stored = vendor_get(vendor_id=vendor.id)
    assert stored.phone == "+44 20 7946 0000"
    assert [e.action for e in history(vendor.id)] == ["CREATE"]


def test_update_with_invalid_status_transition_is_refused_with_409(clerk, vendor):
    response = send(
        "put",
        vendor_url(vendor.id),
        {"status": "inactive", "version": 1},
        bearer(clerk),
    )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"{vendor.name} is pending; only active or suspended vendors can be set "
        "inactive."
    )
    assert_unchanged(vendor, audit_count=1)


def test_update_with_valid_status_transition_is_applied(clerk, vendor):
    response = send(
        "put", vendor_url(vendor.id), {"status": "active", "version": 1}, bearer(clerk)
    )

    assert response.status_code == 200
    assert response.json()["status"] == "active"


@pytest.mark.parametrize("field", ["name", "email", "payment_terms", "status"])
def test_update_setting_a_required_field_to_null_is_refused_with_422(
    clerk, vendor, field
):
    response = send(
        "put", vendor_url(vendor.id), {field: None, "version": 1}, bearer(clerk)
    )

    assert response.status_code == 422
    assert response.json()["detail"] == f"'{field}' cannot be null."
    assert_unchanged(vendor, audit_count=1)


def test_update_setting_an_optional_field_to_null_clears_it(clerk, vendor):
    response = send(
        "put", vendor_url(vendor.id), {"phone": None, "version": 1}, bearer(clerk)
    )

    assert response.status_code == 200
    assert response.json()["phone"] is None
    assert vendor_get(vendor_id=vendor.id).phone is None


def test_update_with_invalid_email_is_refused_with_422(clerk, vendor):
    response = send(
        "put", vendor_url(vendor.id), {"email": "nope", "version": 1}, bearer(clerk)
    )

    assert response.status_code == 422
    assert set(field_errors(response.json())) == {"email"}
    assert_unchanged(vendor, audit_count=1)


def test_update_with_unknown_field_is_refused_with_422(clerk, vendor):
    response = send(
        "put", vendor_url(vendor.id), {"rating": 5, "version": 1}, bearer(clerk)
    )

    assert response.status_code == 422
    assert_unchanged(vendor, audit_count=1)


def test_update_with_malformed_json_is_refused_with_400(clerk, vendor):
    response = send("put", vendor_url(vendor.id), "{oops", bearer(clerk))

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert_unchanged(vendor, audit_count=1)


def test_update_by_requester_is_refused_with_403(requester, vendor):
    response = send(
        "put", vendor_url(vendor.id), {"name": "X", "version": 1}, bearer(requester)
    )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only AP Clerk users may edit vendors."}
    assert_unchanged(vendor, audit_count=1)


def test_update_of_unknown_vendor_is_404(clerk):
    response = send(
        "put", vendor_url("missing"), {"name": "X", "version": 1}, bearer(clerk)
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no vendor with id 'missing'."}
    assert all_audit_entries() == []


# --- delete ---------------------------------------------------------------------


def test_delete_answers_204_then_the_vendor_is_gone(clerk, vendor):
    headers = bearer(clerk)

    response = Client().delete(f"{vendor_url(vendor.id)}?version=1", **headers)

    assert response.status_code == 204
    assert response.content == b""
    assert Client().get(vendor_url(vendor.id), **headers).status_code == 404


def test_delete_writes_a_delete_audit_entry(clerk2, vendor):
    Client().delete(f"{vendor_url(vendor.id)}?version=1", **bearer(clerk2))

    latest = history(vendor.id)[0]
    assert latest.action == "DELETE"
    assert latest.user_id == "clerk2"
    assert latest.details["before"]["name"] == "Acme Supplies GmbH"


def test_delete_of_vendor_with_purchase_orders_is_refused_with_409(clerk, vendor):
    vendor.update(actions=[Vendor.po_count.set(1)])

    response = Client().delete(f"{vendor_url(vendor.id)}?version=2", **bearer(clerk))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Acme Supplies GmbH has 1 purchase order(s) and cannot be "
        "deleted; set the vendor inactive instead."
    }
    assert_unchanged(vendor, audit_count=1)


def test_delete_racing_a_new_purchase_order_is_refused_with_409(
    clerk, vendor, monkeypatch
):
    real_get = services.vendor_get_or_404

    def read_then_po_is_created(*, vendor_id):
        seen = real_get(vendor_id=vendor_id)
        Vendor.get(vendor_id).update(actions=[Vendor.po_count.add(1)])
        return seen

    monkeypatch.setattr(services, "vendor_get_or_404", read_then_po_is_created)

    response = Client().delete(f"{vendor_url(vendor.id)}?version=1", **bearer(clerk))

    assert response.status_code == 409
    assert "purchase order" in response.json()["detail"]
    assert vendor_get(vendor_id=vendor.id) is not None
    assert [e.action for e in history(vendor.id)] == ["CREATE"]


def test_delete_with_stale_version_is_refused_with_409(clerk, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"tax_id": "DE1"})

    response = Client().delete(f"{vendor_url(vendor.id)}?version=1", **bearer(clerk))

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]
    assert vendor_get(vendor_id=vendor.id) is not None


def test_delete_by_requester_is_refused_with_403(requester, vendor):
    response = Client().delete(
        f"{vendor_url(vendor.id)}?version=1", **bearer(requester)
    )

    assert response.status_code == 403
    assert_unchanged(vendor, audit_count=1)


def test_delete_of_unknown_vendor_is_404(clerk):
    response = Client().delete(vendor_url("missing") + "?version=1", **bearer(clerk))

    assert response.status_code == 404
    assert response.json() == {"detail": "There is no vendor with id 'missing'."}


# --- DynamoDB unreachable ---------------------------------------------------


@pytest.fixture
def dynamodb_unreachable(settings):
    """Point every model at a port nothing listens on (connection refused)."""
    settings.DYNAMODB_ENDPOINT_URL = "http://127.0.0.1:9"
    settings.AWS_ACCESS_KEY_ID = settings.AWS_SECRET_ACCESS_KEY = "unreachable"
    dynamo.configure_models()
    yield
    # The dynamodb fixture re-configures the models for the next test.


def test_read_while_dynamodb_is_unreachable_answers_503(clerk, dynamodb_unreachable):
    client = Client(raise_request_exception=False)

    response = client.get(vendor_url("any"), **bearer(clerk))

    assert response.status_code == 503
    assert response.json() == {"detail": dynamo.UNREACHABLE_MESSAGE}


def test_create_while_dynamodb_is_unreachable_answers_503_in_json(
    clerk, vendor_fields, dynamodb_unreachable
):
    client = Client(raise_request_exception=False)

    response = send("post", VENDORS, vendor_fields, bearer(clerk), client=client)

    assert response.status_code == 503
    assert response.json() == {"detail": dynamo.UNREACHABLE_MESSAGE}


# --- health and schema ------------------------------------------------------


def test_health_answers_ok_without_authentication(db):
    response = Client().get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_load_balancer_gets_its_200_on_the_tasks_own_address_over_http(
    db, settings
):
    # As production runs behind the load balancer: HTTPS enforced, one host.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["p2p.example.com"]
    task_address = {"HTTP_HOST": "10.0.1.23:8000"}

    health = Client().get("/health", **task_address)
    page = Client().get("/vendors/", **task_address)

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert page.status_code == 400  # every other path still checks the host


def test_health_names_dynamodb_when_it_is_unreachable(db, dynamodb_unreachable):
    response = Client().get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "unreachable": ["dynamodb"]}


def test_openapi_schema_lists_the_vendor_paths(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/vendors" in paths
    assert "/api/v1/vendors/{vendor_id}" in paths
