"""The audit trail browser (/audit/): filters, order, pages, and who may read it."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import HTMX, htmx_fragment, htmx_next_page, whole_page
from vendors.services import vendor_create, vendor_update


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def trail(clerk, clerk2, vendor_fields, make_po):
    first = vendor_create(
        user=clerk, fields={**vendor_fields, "name": "First <i>Vendor</i>"}
    )
    second = vendor_create(
        user=clerk2, fields={**vendor_fields, "name": "Second Vendor", "tax_id": None}
    )
    vendor_update(
        vendor_id=first.id,
        user=clerk2,
        changes={"phone": "+49 1"},
        version=first.version,
    )
    po = make_po()
    return first, second, po


def page(client, **query):
    return client.get(reverse("audit:browser"), query)


def test_auditor_sees_every_change_newest_first_naming_each_record(auditor, trail):
    first, second, po = trail
    response = page(logged_in(auditor))
    html = response.content.decode()
    assert response.status_code == 200
    # Each record by its number or name, linking to its page; newest first.
    po_link = f'<a href="/purchase-orders/{po.id}/">{po.po_number}</a>'
    second_link = f'<a href="/vendors/{second.id}/">Second Vendor</a>'
    assert po_link in html and second_link in html
    assert html.index(po_link) < html.index(second_link)
    assert f'<a href="/audit/purchase_order/{po.id}/">history' in html
    assert "First &lt;i&gt;Vendor&lt;/i&gt;" in html and "<i>Vendor</i>" not in html


def test_filters_narrow_the_trail(auditor, trail):
    first, second, po = trail
    client = logged_in(auditor)
    by_user = page(client, user_id="clerk2").content.decode()
    assert "<td>clerk2</td>" in by_user and "<td>clerk</td>" not in by_user
    assert by_user.count("<td>CREATE</td>") == 1 and "Second Vendor" in by_user
    updates = page(client, entity_type="vendor", action="UPDATE").content.decode()
    assert updates.count("<td>UPDATE</td>") == 1 and "<td>CREATE</td>" not in updates
    one = page(client, entity_type="purchase_order", entity_id=po.id).content.decode()
    assert po.id[:10] in one and "Second Vendor" not in one
    # Two days on: tomorrow in every reader's zone (the page's days are the
    # reader's, Europe/Berlin here, ahead of the machine's UTC before midnight).
    later = dt.date.today() + dt.timedelta(days=2)
    empty = page(client, date_from=later.isoformat()).content.decode()
    assert "No entry matches these filters" in empty


def test_bad_filters_say_which_field_is_wrong(auditor, trail):
    client = logged_in(auditor)
    reversed_range = page(client, date_from="2026-02-01", date_to="2026-01-01")
    assert reversed_range.status_code == 400
    assert "The end date is before the start date." in reversed_range.content.decode()


def test_pages_keep_the_filters(auditor, trail, settings):
    settings.PAGE_SIZE = 1
    client = logged_in(auditor)
    first = page(client, entity_type="vendor")
    assert 'rel="next"' in first.content.decode()
    cursor = first.context["next_query"]
    assert "entity_type=vendor" in cursor
    second = client.get(reverse("audit:browser") + "?" + cursor)
    assert second.status_code == 200
    assert second.context["page"].items[0].id != first.context["page"].items[0].id
    # Past the first page, a way back to it under the same filters.
    assert "First page" not in first.content.decode()
    assert re.search(
        r'<a href="\?entity_type=vendor[^"]*" [^>]*>« First page</a>',
        second.content.decode(),
    )


def test_htmx_filters_and_pages_get_the_trail_alone_a_plain_request_the_page(
    auditor, trail, settings
):
    settings.PAGE_SIZE = 1
    client = logged_in(auditor)
    url = reverse("audit:browser")

    updates = client.get(url, {"action": "UPDATE"}, headers=HTMX)
    vendors = client.get(url, {"entity_type": "vendor"}, headers=HTMX)
    html = htmx_fragment(vendors, region="audit-list")
    older = client.get(htmx_next_page(url, html), headers=HTMX)
    bad = client.get(
        url, {"date_from": "2026-02-01", "date_to": "2026-01-01"}, headers=HTMX
    )
    page = whole_page(client.get(url, {"action": "UPDATE"}), region="audit-list")

    update_html = htmx_fragment(updates, region="audit-list")
    assert "<td>UPDATE</td>" in update_html and "<td>CREATE</td>" not in update_html
    assert "<td>UPDATE</td>" in html  # the vendor's update is its newest entry
    older_html = htmx_fragment(older, region="audit-list")
    assert "<td>CREATE</td>" in older_html and "Second Vendor" in older_html
    assert bad.status_code == 400
    assert "The end date is before the start date." in htmx_fragment(
        bad, region="audit-list"
    )
    assert "<td>UPDATE</td>" in page and "<h1>Audit trail</h1>" in page


def test_only_auditors_browse_the_trail(clerk, trail):
    assert page(logged_in(clerk)).status_code == 403
