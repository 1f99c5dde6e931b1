"""
The admin's read-only pages of the DynamoDB records (superuser only).

`admin_client` is pytest-django's: logged in as a superuser with staff status.
"""

import re

import pytest
from django.test import Client

from audit.selectors import audit_history
from payments.services import payment_run_create
from purchasing.selectors import purchase_order_get
from purchasing.services import purchase_order_approve
from tests.conftest import EUR_IBAN_1, TODAY, VALID_VENDOR, make_user
from vendors.services import vendor_create

RECORDS = "/admin/records"
KINDS = ("vendors", "purchase-orders", "invoices", "payment-runs", "audit-entries")


@pytest.fixture
def staff_client(db):
    """A staff user who may open the admin for users and tokens, not a superuser."""
    staff = make_user("helpdesk")
    staff.is_staff = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def paid_vendor(make_vendor):
    return make_vendor("Bankable Ltd", iban=EUR_IBAN_1, bic="COBADEFFXXX")


@pytest.fixture
def run(treasurer, paid_vendor, matched_invoice):
    invoice = matched_invoice(paid_vendor, "250.00", number="INV-RUN-1")
    return payment_run_create(
        user=treasurer, payment_date=TODAY, invoice_ids=[invoice.id]
    ).run


def html_of(response) -> str:
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def test_superuser_finds_the_records_section_on_the_admin_index(admin_client):
    html = html_of(admin_client.get("/admin/"))
    assert "Business records (DynamoDB)" in html
    for kind in KINDS:
        assert f'href="{RECORDS}/{kind}/"' in html
    # Beside the ORM-backed sections, which still work.
    assert 'href="/admin/auth/user/"' in html
    assert 'href="/admin/accounts/apitoken/"' in html


def test_records_index_lists_every_kind_read_only(admin_client):
    html = html_of(admin_client.get(f"{RECORDS}/"))
    assert (
        "Read-only: changes go through the app so they are validated and audited."
        in html
    )
    for name in (
        "Vendors",
        "Purchase orders",
        "Invoices",
        "Payment runs",
        "Audit entries",
    ):
        assert f">{name}</a>" in html
    assert "addlink" not in html


def test_each_list_shows_records_made_through_services_newest_first(
    admin_client, make_po, approver, run, paid_vendor
):
    first, second = make_po(), make_po(("1", "42.00"))
    purchase_order_approve(po_id=first.id, user=approver)

    vendors = html_of(admin_client.get(f"{RECORDS}/vendors/"))
    assert "Acme Supplies GmbH" in vendors and "Bankable Ltd" in vendors
    assert f'href="{RECORDS}/vendors/{paid_vendor.id}/"' in vendors

    orders = html_of(admin_client.get(f"{RECORDS}/purchase-orders/"))
    assert orders.index(second.po_number) < orders.index(first.po_number)
    assert "EUR 1,100.00" in orders and "EUR 42.00" in orders
    assert f'href="{RECORDS}/purchase-orders/{first.id}/"' in orders

    invoices = html_of(admin_client.get(f"{RECORDS}/invoices/"))
    assert "INV-RUN-1" in invoices and "EUR 250.00" in invoices

    runs = html_of(admin_client.get(f"{RECORDS}/payment-runs/"))
    assert run.number in runs and "draft" in runs

    entries = html_of(admin_client.get(f"{RECORDS}/audit-entries/"))
    newest = entries.split('id="result_list"')[1].split("</tr>")[1]
    assert "APPROVE" in newest and f"purchase_order {first.id}" in newest
    assert f'href="/audit/purchase_order/{first.id}/"' in entries


def test_status_filter_narrows_each_list(admin_client, make_po, approver, clerk):
    vendor_create(user=clerk, fields={**VALID_VENDOR, "name": "Waiting Co"})
    pending, approved = make_po(("1", "10.00")), make_po(("1", "20.00"))
    purchase_order_approve(po_id=approved.id, user=approver)

    html = html_of(admin_client.get(f"{RECORDS}/purchase-orders/?status=approved"))
    assert approved.po_number in html and pending.po_number not in html
    assert '<li class="selected"><a href="?status=approved">Approved</a></li>' in html
    html = html_of(admin_client.get(f"{RECORDS}/purchase-orders/?status=pending"))
    assert pending.po_number in html and approved.po_number not in html

    html = html_of(admin_client.get(f"{RECORDS}/vendors/?status=pending"))
    assert "Waiting Co" in html and "Acme Supplies GmbH" not in html  # active
    html = html_of(admin_client.get(f"{RECORDS}/vendors/?status=active"))
    assert "Acme Supplies GmbH" in html and "Waiting Co" not in html


def test_other_filters_are_the_selectors_own(admin_client, make_po, requester):
    po = make_po()
    approver_po = make_po(("1", "5.00"), user=make_user("requester2", "Requester"))
    html = html_of(
        admin_client.get(f"{RECORDS}/purchase-orders/?requester={requester.username}")
    )
    assert po.po_number in html and approver_po.po_number not in html
    html = html_of(
        admin_client.get(
            f"{RECORDS}/audit-entries/?entity_type=purchase_order&entity_id={po.id}"
        )
    )
    assert po.id in html and approver_po.id not in html


def test_lists_page_by_cursor_with_a_next_page_link(admin_client, clerk, settings):
    settings.PAGE_SIZE = 2
    for name in ("First Co", "Second Co", "Third Co"):
        vendor_create(user=clerk, fields={**VALID_VENDOR, "name": name})
    html = html_of(admin_client.get(f"{RECORDS}/vendors/?status=pending"))
    assert "Third Co" in html and "Second Co" in html and "First Co" not in html
    next_query = re.search(r'href="\?([^"]+)" rel="next">Next page', html).group(1)
    assert "status=pending" in next_query
    html = html_of(
        admin_client.get(f"{RECORDS}/vendors/?{next_query.replace('&amp;', '&')}")
    )
    assert "First Co" in html and "Third Co" not in html
    assert "Next page" not in html


def test_a_bad_filter_or_cursor_is_a_400_with_the_reason(admin_client):
    response = admin_client.get(
        f"{RECORDS}/purchase-orders/?created_from=2026-03-01&created_to=2026-02-01"
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    response = admin_client.get(f"{RECORDS}/vendors/?cursor=forged")
    assert response.status_code == 400
    assert "The pagination cursor is not valid." in response.content.decode()


def test_vendor_page_shows_its_fields_bank_details_and_history(
    admin_client, paid_vendor
):
    html = html_of(admin_client.get(f"{RECORDS}/vendors/{paid_vendor.id}/"))
    assert "Bankable Ltd" in html and "billing@acme.example" in html
    assert EUR_IBAN_1 in html  # in full, as the vendors app shows privileged roles
    assert "COBADEFFXXX" in html
    assert (
        f'<a href="/vendors/{paid_vendor.id}/" class="viewsitelink">Open in the app</a>'
        in html
    )
    assert (
        "Read-only: changes go through the app so they are validated and audited."
        in html
    )
    assert "Last audit entries" in html
    assert "CONFIRM_BANK_DETAILS" in html.replace("<wbr>", "")  # may wrap at "_"
    assert f'href="/audit/vendor/{paid_vendor.id}/"' in html


def test_po_page_shows_amounts_with_currency_lines_and_approvals(
    admin_client, make_po, approver
):
    po = purchase_order_approve(po_id=make_po().id, user=approver)
    html = html_of(admin_client.get(f"{RECORDS}/purchase-orders/{po.id}/"))
    assert po.po_number in html and "approved" in html
    assert "EUR 1,100.00" in html and "EUR 100.00" in html and "Item 2" in html
    assert f'href="{RECORDS}/vendors/{po.vendor_id}/"' in html
    assert (
        f'<a href="/purchase-orders/{po.id}/" class="viewsitelink">Open in the app</a>'
        in html
    )
    history = html.split("Last audit entries")[1]
    assert "APPROVE" in history and "CREATE" in history


def test_invoice_and_run_pages_show_their_fields(admin_client, run, paid_vendor):
    invoice_id = run.invoice_ids()[0]
    html = html_of(admin_client.get(f"{RECORDS}/invoices/{invoice_id}/"))
    assert "INV-RUN-1" in html and "EUR 250.00" in html and "scheduled" in html
    assert f'href="{RECORDS}/payment-runs/{run.id}/"' in html
    assert (
        f'<a href="/invoices/{invoice_id}/" class="viewsitelink">Open in the app</a>'
        in html
    )

    html = html_of(admin_client.get(f"{RECORDS}/payment-runs/{run.id}/"))
    assert run.number in html and "EUR 250.00" in html and EUR_IBAN_1 in html
    assert (
        f'<a href="/payment-runs/{run.id}/" class="viewsitelink">Open in the app</a>'
        in html
    )
    assert "Last audit entries" in html


def test_audit_entry_page_leads_to_its_records_history(admin_client, vendor):
    entry = audit_history(entity_type="vendor", entity_id=vendor.id).items[0]
    html = html_of(admin_client.get(f"{RECORDS}/audit-entries/{entry.id}/"))
    assert "CREATE" in html and "Acme Supplies GmbH" in html  # what changed
    assert (
        f'<a href="/audit/vendor/{vendor.id}/" class="viewsitelink">Open in the app</a>'
        in html
    )
    assert f'href="{RECORDS}/vendors/{vendor.id}/"' in html


def test_user_text_is_escaped(admin_client, clerk):
    vendor = vendor_create(
        user=clerk, fields={**VALID_VENDOR, "name": "<script>alert(1)</script> Ltd"}
    )
    for url in (f"{RECORDS}/vendors/", f"{RECORDS}/vendors/{vendor.id}/"):
        html = html_of(admin_client.get(url))
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in html
        assert "<script>alert(1)" not in html


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_id_is_a_404(admin_client, kind):
    response = admin_client.get(f"{RECORDS}/{kind}/no-such-id/")
    assert response.status_code == 404
    assert "no-such-id" in response.content.decode()


def test_unknown_kind_and_items_that_are_no_records_are_404(admin_client, make_po):
    po = make_po()
    assert admin_client.get(f"{RECORDS}/widgets/").status_code == 404
    sequence = f"sequence%23{po.po_number.rsplit('-', 1)[0]}"
    assert admin_client.get(f"{RECORDS}/purchase-orders/{sequence}/").status_code == 404
    chain = f"chain%23purchase_order%23{po.id}"
    assert admin_client.get(f"{RECORDS}/audit-entries/{chain}/").status_code == 404


def test_staff_who_are_not_superusers_get_403_and_no_section(staff_client, vendor):
    assert "Business records" not in html_of(staff_client.get("/admin/"))
    for url in (
        f"{RECORDS}/",
        f"{RECORDS}/vendors/",
        f"{RECORDS}/vendors/{vendor.id}/",
        f"{RECORDS}/audit-entries/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 403, url
        assert "Acme Supplies GmbH" not in response.content.decode()


def test_anonymous_users_are_sent_to_the_admin_login(db, vendor):
    for url in (
        f"{RECORDS}/",
        f"{RECORDS}/vendors/",
        f"{RECORDS}/vendors/{vendor.id}/",
    ):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/admin/login/?next={url}"


def test_users_without_staff_status_are_sent_to_the_admin_login(clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get(f"{RECORDS}/vendors/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_nothing_is_editable_and_post_changes_nothing(admin_client, make_po):
    po = make_po()
    detail = f"{RECORDS}/purchase-orders/{po.id}/"
    for url in (f"{RECORDS}/", f"{RECORDS}/purchase-orders/", detail):
        html = html_of(admin_client.get(url))
        posting = re.findall(r"<form[^>]*method=\"post\"[^>]*>", html, flags=re.I)
        assert all('action="/admin/logout/"' in form for form in posting), posting
        assert admin_client.post(url, {"status": "approved"}).status_code == 405
        assert admin_client.put(url).status_code == 405
        assert admin_client.delete(url).status_code == 405
    fresh = purchase_order_get(po_id=po.id)
    assert (fresh.status, fresh.version) == ("pending", po.version)
