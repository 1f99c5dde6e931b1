"""
A record's audit history page (/audit/<type>/<id>/): every entry newest first,
fifty to a page, with what changed shown as escaped, readable text.
"""

import html as html_lib
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry
from vendors.services import (
    vendor_bank_details_confirm,
    vendor_create,
    vendor_update,
)

VALID_IBAN = "DE89370400440532013000"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def history_url(entity_type: str, entity_id: str) -> str:
    return reverse("audit:entity-history", args=[entity_type, entity_id])


def rows(html: str) -> list[str]:
    """The table body's rows, as HTML."""
    body = html.split("<tbody>", 1)[1].rsplit("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def row_actions(html: str) -> list[str]:
    cells = [re.findall(r"<td>(.*?)</td>", row)[2] for row in rows(html)]
    return [re.sub(r"<wbr>", "", cell) for cell in cells]


def next_link(html: str) -> str | None:
    match = re.search(r'<a href="(\?cursor=[^"]+)" rel="next"', html)
    return html_lib.unescape(match.group(1)) if match else None


# --- the page ---------------------------------------------------------------


def test_history_lists_entries_newest_first_with_who_and_what(clerk, clerk2, vendor):
    vendor_update(vendor_id=vendor.id, user=clerk2, changes={"phone": "+49 40 1"})
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"status": "active"})

    response = logged_in(clerk).get(history_url("vendor", vendor.id))

    assert response.status_code == 200
    html = response.content.decode()
    assert row_actions(html) == ["UPDATE", "UPDATE", "CREATE"]
    newest, middle, oldest = rows(html)
    assert "<td>clerk</td>" in newest and "active" in newest
    assert "<td>clerk2</td>" in middle
    assert re.search(r"<del>\+49 30 1234567</del>\s*→\s*<ins>\+49 40 1</ins>", middle)
    assert "Acme Supplies GmbH" in oldest
    assert 'rel="next"' not in html


def test_history_pages_fifty_entries_at_a_time_with_a_next_link(clerk, vendor_fields):
    vendor = vendor_create(user=clerk, fields=vendor_fields)
    for n in range(55):
        vendor_update(
            vendor_id=vendor.id, user=clerk, changes={"phone": f"+49 30 {n:04d}"}
        )
    client = logged_in(clerk)

    first = client.get(history_url("vendor", vendor.id)).content.decode()
    link = next_link(first)
    assert link is not None
    second = client.get(history_url("vendor", vendor.id) + link).content.decode()

    assert len(rows(first)) == 50
    assert len(rows(second)) == 6
    assert "<ins>+49 30 0054</ins>" in rows(first)[0]  # the newest change first
    assert "<ins>+49 30 0005</ins>" in rows(first)[-1]
    assert row_actions(second) == ["UPDATE"] * 5 + ["CREATE"]
    assert "<ins>+49 30 0000</ins>" in rows(second)[-2]
    assert next_link(second) is None


def test_history_with_a_tampered_cursor_is_refused_with_400(clerk, vendor):
    response = logged_in(clerk).get(
        history_url("vendor", vendor.id), {"cursor": "forged"}
    )

    assert response.status_code == 400
    assert "pagination cursor is not valid" in response.content.decode()


def test_html_in_recorded_values_is_escaped(clerk, vendor_fields):
    evil = '<script>alert("x")</script>'
    vendor = vendor_create(user=clerk, fields={**vendor_fields, "name": evil})
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"address": evil})

    html = logged_in(clerk).get(history_url("vendor", vendor.id)).content.decode()

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    changes = "".join(re.findall(r'<td class="diff">.*?</td>', html, re.S))
    assert (
        changes.count("&lt;script&gt;") == 2
    )  # the name on CREATE, the address on UPDATE


def test_bank_details_confirmation_is_shown_as_readable_text(clerk, clerk2, vendor):
    changed = vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"iban": VALID_IBAN}, version=1
    )
    vendor_bank_details_confirm(
        vendor_id=vendor.id, user=clerk2, version=changed.version
    )

    html = logged_in(clerk).get(history_url("vendor", vendor.id)).content.decode()

    assert row_actions(html)[0] == "CONFIRM_BANK_DETAILS"
    newest = rows(html)[0]
    assert "<td>clerk2</td>" in newest
    assert "{'" not in newest and "&#x27;" not in newest  # no Python dict repr
    assert "<strong>Bank details changed by</strong>: <ins>clerk</ins>" in newest
    # The masked IBAN in groups of four, as people read one.
    assert re.search(
        r"<strong>Bank details confirmed</strong>:\s*<ins>IBAN: [•\s]*30 00</ins>",
        newest,
    )
    assert VALID_IBAN not in html  # the trail shows only the masked account


def test_purchase_order_history_shows_its_lines_as_readable_text(make_po, clerk):
    po = make_po()

    html = logged_in(clerk).get(history_url("purchase_order", po.id)).content.decode()

    assert row_actions(html) == ["CREATE"]
    assert "{'" not in html and "&#x27;" not in html
    # Each line under the PO form's labels, amounts in EUR.
    assert "<li>Line 1: <ins>description Item 1, quantity 10, unit price" in html
    assert "<strong>Total</strong>: <ins>EUR 1,100.00</ins>" in html


def test_the_page_names_the_record_and_links_to_it(make_po, clerk):
    po = make_po()

    html = logged_in(clerk).get(history_url("purchase_order", po.id)).content.decode()

    link = f'<a href="/purchase-orders/{po.id}/">{po.po_number}</a>'
    assert f"<h1>History of purchase order {link}</h1>" in html
    assert f"<title>History of purchase order {po.po_number} · P2P</title>" in html


def test_user_without_a_role_cannot_read_history(nobody, vendor):
    response = logged_in(nobody).get(history_url("vendor", vendor.id))

    assert response.status_code == 403
    assert "Acme Supplies GmbH" not in response.content.decode()


def test_history_of_an_unknown_record_type_is_404(clerk):
    response = logged_in(clerk).get(history_url("spaceship", "x"))

    assert response.status_code == 404


def test_history_of_a_record_without_entries_says_so(clerk):
    response = logged_in(clerk).get(history_url("vendor", "never-existed"))

    assert response.status_code == 200
    assert "No history yet." in response.content.decode()


def test_history_requires_login(db, vendor):
    response = Client().get(history_url("vendor", vendor.id))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- AuditEntry.change_rows --------------------------------------------------


def entry_with(details: dict, action: AuditAction = AuditAction.UPDATE) -> AuditEntry:
    return audit_entry(
        action=action,
        entity_type="vendor",
        entity_id="v1",
        user="clerk",
        details=details,
    )


def test_change_rows_pair_before_and_after_per_field():
    entry = entry_with(
        {
            "before": {"phone": "+49 30 1", "address": None},
            "after": {"phone": "+49 40 2", "address": "Hauptstr. 1"},
        }
    )

    # Fields in name order: details are stored as JSON with sorted keys.
    assert entry.change_rows == [
        {"field": "address", "before": None, "after": "Hauptstr. 1"},
        {"field": "phone", "before": "+49 30 1", "after": "+49 40 2"},
    ]


def test_change_rows_of_a_cleared_field_keep_the_old_value():
    entry = entry_with({"before": {"phone": "+49 30 1"}, "after": {"phone": None}})

    assert entry.change_rows == [
        {"field": "phone", "before": "+49 30 1", "after": None}
    ]


def test_change_rows_of_a_delete_list_what_was_there():
    entry = entry_with(
        {"before": {"name": "Acme", "phone": None}}, action=AuditAction.DELETE
    )

    assert entry.change_rows == [{"field": "name", "before": "Acme", "after": None}]


def test_change_rows_show_other_details_as_readable_text():
    entry = entry_with(
        {
            "changed_by": "clerk",
            "confirmed": {"iban": "••••3000", "bic": None, "account_number": None},
            "lines": [
                {"line_number": 1, "quantity": "10"},
                {"line_number": 2, "quantity": "5"},
            ],
            "approvals_reset": [],
            "note": None,
        },
        action=AuditAction.CONFIRM_BANK_DETAILS,
    )

    assert entry.change_rows == [
        {"field": "approvals_reset", "before": None, "after": "none"},
        {"field": "changed_by", "before": None, "after": "clerk"},
        {"field": "confirmed", "before": None, "after": "iban: ••••3000"},
        {
            "field": "lines",
            "before": None,
            "after": "line_number: 1, quantity: 10; line_number: 2, quantity: 5",
        },
    ]


def test_change_rows_show_nested_before_and_after_values_readably():
    entry = entry_with(
        {
            "before": {"items": [{"description": "Paper", "total_amount": "10.00"}]},
            "after": {"items": [{"description": "Ink", "total_amount": "12.50"}]},
            "approvals_reset": ["approver"],
        }
    )

    assert entry.change_rows == [
        {
            "field": "items",
            "before": "description: Paper, total_amount: 10.00",
            "after": "description: Ink, total_amount: 12.50",
        },
        {"field": "approvals_reset", "before": None, "after": "approver"},
    ]


@pytest.mark.parametrize("details", [{}, {"before": None, "after": None}])
def test_change_rows_of_an_entry_without_details_are_empty(details):
    assert entry_with(details).change_rows == []


def test_details_are_stored_as_json_text_with_amounts_as_exact_strings():
    from decimal import Decimal

    entry = entry_with({"after": {"total_amount": Decimal("1100.00")}})

    assert json.loads(entry.details_json) == {"after": {"total_amount": "1100.00"}}
    assert entry.change_rows == [
        {"field": "total_amount", "before": None, "after": "1100.00"}
    ]


def test_entries_written_before_labels_name_the_record_from_their_details():
    def unlabelled(entity_type, details):
        return audit_entry(
            action=AuditAction.UPDATE,
            entity_type=entity_type,
            entity_id="record-1",
            user="clerk",
            details=details,
        )

    created = unlabelled("purchase_order", {"after": {"po_number": "PO-2026-000007"}})
    deleted = unlabelled("vendor", {"before": {"name": "Acme Supplies GmbH"}})
    built = unlabelled("payment_run", {"number": "PR-20260301-AB12CD"})
    approved = unlabelled("purchase_order", {"after": {"status": "approved"}})

    assert created.record_label == "PO-2026-000007"
    assert deleted.record_label == "Acme Supplies GmbH"
    assert built.record_label == "PR-20260301-AB12CD"
    assert approved.record_label == "record-1"  # nothing names it: the id


def test_every_page_of_a_history_names_the_record_as_it_is_named_now(
    clerk, vendor_fields
):
    vendor = vendor_create(user=clerk, fields=vendor_fields)
    for n in range(50):
        vendor_update(
            vendor_id=vendor.id, user=clerk, changes={"phone": f"+49 30 {n:04d}"}
        )
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"name": "Acme Renamed"})
    client = logged_in(clerk)
    first = client.get(history_url("vendor", vendor.id)).content.decode()

    # The second page holds only entries written under the old name.
    second = client.get(history_url("vendor", vendor.id) + next_link(first))

    heading = re.search(r"<h1>(.*?)</h1>", second.content.decode(), flags=re.S)
    assert "Acme Renamed" in heading.group(1)
    assert "Acme Supplies GmbH" not in heading.group(1)


@pytest.mark.parametrize(
    "action, entity_id, page",
    [
        (AuditAction.UPDATE, "po-1", "purchasing:detail"),
        (AuditAction.DELETE, "po-1", None),  # the record is gone: no link to a 404
        (AuditAction.REFUSED, "refused-build-0a1b2c3d4e5f", None),  # never a run
    ],
)
def test_the_trail_links_to_a_record_only_where_it_exists(action, entity_id, page):
    entry = audit_entry(
        action=action,
        entity_type="payment_run"
        if entity_id.startswith("refused")
        else "purchase_order",
        entity_id=entity_id,
        user="clerk",
        details={},
    )
    assert entry.record_page == page
