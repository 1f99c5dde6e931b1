import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.selectors import audit_history
from tests.conftest import HTMX, htmx_fragment, htmx_next_page, whole_page
from vendors.models import Vendor
from vendors.selectors import vendor_get, vendor_list
from vendors.services import vendor_update


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides):
    data = {
        "name": "Acme Supplies GmbH",
        "email": "billing@acme.example",
        "phone": "",
        "address": "",
        "tax_id": "",
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


@pytest.mark.django_db
def test_pages_require_login_but_health_does_not():
    client = Client()
    response = client.get(reverse("vendors:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get("/health").json() == {"status": "ok"}


def test_clerk_creates_a_vendor_through_the_form_and_sees_it(clerk):
    client = logged_in(clerk)
    response = client.post(reverse("vendors:create"), form_data(), follow=True)
    assert response.status_code == 200
    assert "Vendor “Acme Supplies GmbH” created." in response.content.decode()
    (vendor,) = vendor_list().items
    assert response.redirect_chain[-1][0] == reverse("vendors:detail", args=[vendor.id])
    assert "CREATE" in response.content.decode()  # the history on the detail page


def test_form_errors_are_shown_beside_the_fields_and_nothing_is_saved(clerk):
    client = logged_in(clerk)
    response = client.post(
        reverse("vendors:create"),
        form_data(name="", email="nope", iban="DE89370400440532013001"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "A vendor needs a name." in html
    assert "Enter a valid e-mail address" in html
    assert "check digits do not match" in html
    assert 'value="nope"' in html  # what the user typed is kept
    assert vendor_list().items == []


def test_script_in_a_vendor_name_is_escaped_on_every_page(clerk, vendor_fields):
    from vendors.services import vendor_create

    evil = '<script>alert("x")</script>'
    vendor = vendor_create(
        user=clerk, fields={**vendor_fields, "name": evil, "address": evil}
    )
    client = logged_in(clerk)
    for url in [
        reverse("vendors:list"),
        reverse("vendors:detail", args=[vendor.id]),
        reverse("vendors:edit", args=[vendor.id]),
        reverse("vendors:delete", args=[vendor.id]),
    ]:
        html = client.get(url).content.decode()
        assert evil not in html, url
        assert "&lt;script&gt;" in html, url


def test_edit_form_saves_and_history_shows_before_and_after(clerk, vendor):
    client = logged_in(clerk)
    response = client.post(
        reverse("vendors:edit", args=[vendor.id]),
        form_data(phone="+49 40 999", status="active", version="1"),
        follow=True,
    )
    html = response.content.decode()
    assert "saved" in html
    assert re.search(r"<del>\+49 30 1234567</del>\s*→\s*<ins>\+49 40 999</ins>", html)
    assert vendor_get(vendor_id=vendor.id).status == "active"


def test_saving_a_stale_edit_form_says_someone_else_changed_it(clerk, clerk2, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk2, changes={"phone": "+1 555 0100"})
    client = logged_in(clerk)
    response = client.post(
        reverse("vendors:edit", args=[vendor.id]), form_data(name="Mine", version="1")
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    stored = vendor_get(vendor_id=vendor.id)
    assert (stored.name, stored.phone) == ("Acme Supplies GmbH", "+1 555 0100")


def test_edit_form_offers_only_allowed_status_changes(clerk, vendor):
    html = (
        logged_in(clerk).get(reverse("vendors:edit", args=[vendor.id])).content.decode()
    )
    options = re.findall(
        r'<option value="(\w+)"', html.split('name="status"')[1].split("</select>")[0]
    )
    assert options == ["pending", "active", "suspended"]


def test_delete_asks_for_confirmation_then_deletes(clerk, vendor):
    client = logged_in(clerk)
    confirm = client.get(reverse("vendors:delete", args=[vendor.id]))
    assert "Delete Acme Supplies GmbH?" in confirm.content.decode()
    assert vendor_get(vendor_id=vendor.id) is not None
    response = client.post(
        reverse("vendors:delete", args=[vendor.id]), {"version": "1"}, follow=True
    )
    assert "deleted" in response.content.decode()
    assert vendor_get(vendor_id=vendor.id) is None
    assert client.get(reverse("vendors:detail", args=[vendor.id])).status_code == 404


def test_delete_of_a_vendor_with_orders_is_refused_with_the_reason(clerk, vendor):
    Vendor(vendor.id).update(
        actions=[Vendor.po_count.set(1)], add_version_condition=False
    )
    response = logged_in(clerk).post(
        reverse("vendors:delete", args=[vendor.id]), {"version": "2"}
    )
    assert response.status_code == 409
    assert "cannot be deleted" in response.content.decode()
    assert vendor_get(vendor_id=vendor.id) is not None


def test_roles_without_vendor_rights_see_no_buttons_and_are_refused(requester, vendor):
    client = logged_in(requester)
    detail = client.get(reverse("vendors:detail", args=[vendor.id])).content.decode()
    assert "Edit" not in detail and "Delete" not in detail
    assert "New vendor" not in client.get(reverse("vendors:list")).content.decode()
    assert client.get(reverse("vendors:create")).status_code == 403
    response = client.post(
        reverse("vendors:edit", args=[vendor.id]), form_data(version="1")
    )
    assert response.status_code == 403
    assert "Only AP Clerk users may edit vendors." in response.content.decode()
    assert len(audit_history(entity_type="vendor", entity_id=vendor.id).items) == 1


def test_user_without_any_role_cannot_read_vendors(nobody, vendor):
    response = logged_in(nobody).get(reverse("vendors:list"))
    assert response.status_code == 403
    assert "no role yet" in response.content.decode()


def test_unknown_vendor_and_tampered_cursor_are_4xx_pages(clerk):
    client = logged_in(clerk)
    assert client.get(reverse("vendors:detail", args=["nope"])).status_code == 404
    response = client.get(reverse("vendors:list"), {"cursor": "forged"})
    assert response.status_code == 400
    assert "pagination cursor is not valid" in response.content.decode()


@pytest.fixture
def alpha_alpine_beta(clerk, vendor_fields):
    from vendors.services import vendor_create

    for name in ["Alpha", "Alpine", "Beta"]:
        vendor_create(user=clerk, fields={**vendor_fields, "name": name})


def test_list_filters_by_status_and_name_and_pages_with_next_link(
    clerk, alpha_alpine_beta, settings
):
    settings.PAGE_SIZE = 2
    client = logged_in(clerk)
    html = client.get(reverse("vendors:list"), {"q": "al"}).content.decode()
    assert "Alpha" in html and "Alpine" in html and "Beta" not in html
    first = client.get(reverse("vendors:list")).content.decode()
    next_href = re.search(r'href="\?([^"]+)" rel="next"', first).group(1)
    second = client.get(reverse("vendors:list") + "?" + next_href.replace("&amp;", "&"))
    assert "Alpha" in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    empty = client.get(
        reverse("vendors:list"), {"status": "suspended"}
    ).content.decode()
    assert "No vendor matches these filters." in empty


def test_htmx_filters_and_pages_get_the_list_alone_a_plain_request_the_page(
    clerk, alpha_alpine_beta, settings
):
    settings.PAGE_SIZE = 1
    client = logged_in(clerk)
    url = reverse("vendors:list")
    filtered = client.get(url, {"q": "al"}, headers=HTMX)
    html = htmx_fragment(filtered, region="vendor-list")
    assert ">Alpha</a>" in html and "Alpine" not in html and "Beta" not in html
    second = client.get(htmx_next_page(url, html), headers=HTMX)
    html = htmx_fragment(second, region="vendor-list")
    assert ">Alpine</a>" in html and "Alpha" not in html and "« First page" in html
    page = whole_page(client.get(url, {"q": "al"}), region="vendor-list")
    assert ">Alpha</a>" in page and "<h1>Vendors</h1>" in page


def test_bank_details_confirmation_button_only_for_another_clerk(clerk, clerk2, vendor):
    vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"iban": "DE89370400440532013000"}
    )
    url = reverse("vendors:detail", args=[vendor.id])
    own = logged_in(clerk).get(url).content.decode()
    assert "must be confirmed by another AP clerk" in own
    assert "confirm</button>" not in own
    other = logged_in(clerk2)
    assert "confirm</button>" in other.get(url).content.decode()
    response = other.post(
        reverse("vendors:confirm-bank-details", args=[vendor.id]),
        {"version": "2"},
        follow=True,
    )
    assert (
        "Bank details of “Acme Supplies GmbH” confirmed." in response.content.decode()
    )
    assert not vendor_get(vendor_id=vendor.id).on_payment_hold()


def test_login_page_logs_in_with_the_demo_password(clerk):
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "clerk", "password": "pw-for-tests-1"},
        follow=True,
    )
    # The home page is the dashboard: what waits for the clerk.
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Invoices waiting for reconciliation" in response.content.decode()
    bad = Client().post(reverse("login"), {"username": "clerk", "password": "wrong"})
    assert "didn't match" in bad.content.decode()


def test_deleted_vendors_history_stays_readable_from_the_delete_message(clerk, vendor):
    client = logged_in(clerk)
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"phone": "+49 40 1"})
    response = client.post(
        reverse("vendors:delete", args=[vendor.id]), {"version": "2"}, follow=True
    )
    html = response.content.decode()
    history_url = reverse("audit:entity-history", args=["vendor", vendor.id])
    assert f'<a href="{history_url}">See its history</a>' in html
    history = client.get(history_url).content.decode()
    assert [a for a in ("DELETE", "UPDATE", "CREATE") if a in history] == [
        "DELETE",
        "UPDATE",
        "CREATE",
    ]
    assert history.index("DELETE") < history.index("UPDATE") < history.index("CREATE")


def test_a_deleted_vendors_page_says_who_deleted_it_and_links_its_history(
    clerk, vendor
):
    client = logged_in(clerk)
    client.post(reverse("vendors:delete", args=[vendor.id]), {"version": "1"})
    response = client.get(reverse("vendors:detail", args=[vendor.id]))
    assert response.status_code == 404
    html = response.content.decode()
    assert f"Vendor {vendor.name} was deleted on " in html
    assert f" by {clerk.username}." in html
    history_url = reverse("audit:entity-history", args=["vendor", vendor.id])
    assert f'<a href="{history_url}">Read its history</a>' in html
    unknown = client.get(reverse("vendors:detail", args=["no-such-vendor"]))
    assert unknown.status_code == 404
    assert "There is no vendor with id" in unknown.content.decode()
    assert "Read its history" not in unknown.content.decode()


def test_history_of_an_unknown_record_type_is_404(clerk):
    response = logged_in(clerk).get(
        reverse("audit:entity-history", args=["spaceship", "x"])
    )
    assert response.status_code == 404


def test_full_account_numbers_only_for_clerks_treasurers_and_auditors(
    clerk, requester, auditor, vendor
):
    from accounts.services import api_token_create

    vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"iban": "DE89370400440532013000"}
    )
    url = reverse("vendors:detail", args=[vendor.id])
    assert "DE89370400440532013000" in logged_in(clerk).get(url).content.decode()
    assert "DE89370400440532013000" in logged_in(auditor).get(url).content.decode()
    requester_html = logged_in(requester).get(url).content.decode()
    assert "DE89370400440532013000" not in requester_html
    assert "••••••••••••••••••3000" in requester_html
    _, token = api_token_create(user=requester)
    data = (
        Client()
        .get(f"/api/v1/vendors/{vendor.id}", HTTP_AUTHORIZATION=f"Bearer {token}")
        .json()
    )
    assert data["iban"] == "••••••••••••••••••3000"
