"""
History as a person reads it (issue 14, item 11): labels, not field names;
names, not ids; amounts in their currency, grouped; dates; IBANs in groups
of four; Yes/No; lines as a table or the lines that changed; and only what
changed. On the record pages' history panels and on /audit/ alike.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.changes import entry_changes
from audit.entries import audit_entry
from audit.models import AuditAction
from audit.selectors import audit_history
from purchasing.services import purchase_order_approve, purchase_order_update
from tests.conftest import EUR_IBAN_1, po_lines
from vendors.services import vendor_update


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(html: str) -> str:
    """The page's text as a reader sees it: tags gone, spaces collapsed."""
    inline = re.sub(r"</?(strong|del|ins|a|span|small|wbr)\b[^>]*>", "", html)
    return " ".join(re.sub(r"<[^>]+>", " ", inline).split())


def history_text(client, entity_type, entity_id) -> str:
    url = reverse("audit:entity-history", args=[entity_type, entity_id])
    response = client.get(url)
    assert response.status_code == 200
    return text_of(response.content.decode())


def test_a_new_po_reads_with_labels_its_vendors_name_and_its_lines_one_by_one(
    auditor, make_po, active_vendor
):
    po = make_po(("10", "390.00"), expected_delivery="2026-12-24")
    html = logged_in(auditor).get(
        reverse("audit:entity-history", args=["purchase_order", po.id])
    )
    html = html.content.decode()
    text = text_of(html)
    assert f"Vendor: {active_vendor.name}" in text
    assert active_vendor.id not in text.replace(f"/vendors/{active_vendor.id}/", "")
    assert "vendor_id" not in text and "items" not in text
    assert "Total: EUR 3,900.00" in text
    assert "Expected delivery: 2026-12-24" in text
    assert "Invoice matching: 2-way" in text
    # The lines one by one, under the line form's labels.
    assert (
        "Lines Line 1: description Item 1, quantity 10, unit price EUR 390.00, "
        "amount EUR 3,900.00"
    ) in text


def test_the_first_of_two_approvals_says_so_not_pending_to_pending(
    auditor, make_po, approver, approver2
):
    po = make_po(("10", "600.00"))
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_approve(po_id=po.id, user=approver2)
    text = history_text(logged_in(auditor), "purchase_order", po.id)
    assert "Approval: 1 of 2 by approver" in text
    assert "Approval: 2 of 2 by approver2" in text
    assert "Status: pending → approved" in text
    assert "pending → pending" not in text
    assert "Value compared with the limit: EUR 6,000.00" in text
    assert "Approval limit: EUR 10,000.00" in text
    assert "base_currency" not in text and "Base currency" not in text


def test_a_close_with_goods_outstanding_reads_per_line_in_the_readers_format(
    auditor, make_po, approver, requester
):
    from accounts.models import Profile
    from purchasing.services import purchase_order_close, purchase_order_send

    po = make_po(("10", "100.00"))
    purchase_order_approve(po_id=po.id, user=approver)
    purchase_order_send(po_id=po.id, user=requester)
    purchase_order_close(po_id=po.id, user=requester, reason="Vendor out of stock")
    Profile.objects.update_or_create(
        user=auditor, defaults={"number_format": "1.234,56"}
    )
    text = history_text(logged_in(auditor), "purchase_order", po.id)
    assert "Reason: Vendor out of stock" in text
    assert "outstanding" not in text  # the field's name, not its label
    assert "Outstanding when closed" in text and "not received 10" in text
    assert "EUR 1.000,00" in text  # the reader's number format


def test_an_edited_line_shows_only_what_changed_on_it(auditor, requester, make_po):
    po = make_po(("10", "100.00"), ("5", "20.00"))
    purchase_order_update(
        po_id=po.id,
        user=requester,
        version=po.version,
        lines=po_lines(("10", "100.00"), ("8", "20.00")),
    )
    (update, _) = audit_history(entity_type="purchase_order", entity_id=po.id).items
    changes = {c.label: c for c in entry_changes(update)}
    lines = changes["Lines"]
    assert [part.label for part in lines.parts] == ["Line 2"]
    assert [(f.label, f.before, f.after) for f in lines.parts[0].parts] == [
        ("Quantity", "5", "8"),
        ("Amount", "100.00", "160.00"),
    ]
    text = history_text(logged_in(auditor), "purchase_order", po.id)
    assert "Line 2: quantity 5 → 8; amount" in text
    assert (
        "Total: 1,100.00 → 1,160.00" in text
        or "Total: EUR 1,100.00 → EUR 1,160.00" in text
    )


def test_an_edited_lines_amounts_carry_the_pos_currency(auditor, requester, make_po):
    po = make_po(("1", "100.00"))
    purchase_order_update(
        po_id=po.id, user=requester, version=po.version, lines=po_lines(("2", "100.00"))
    )
    text = history_text(logged_in(auditor), "purchase_order", po.id)
    assert "Total: EUR 100.00 → EUR 200.00" in text


def test_a_vendors_hold_reads_yes_no_and_its_iban_in_groups_of_four(
    auditor, clerk, clerk2, make_vendor
):
    vendor = make_vendor("Bank Change GmbH", iban=EUR_IBAN_1)
    vendor = vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"payment_hold": True, "payment_hold_reason": "Disputed invoice"},
        version=vendor.version,
    )
    client = logged_in(auditor)
    page = client.get(reverse("vendors:detail", args=[vendor.id]))
    text = text_of(page.content.decode())
    assert "Hold payments to this vendor: No → Yes" in text
    assert "Reason for the hold: — → Disputed invoice" in text
    assert "payment_hold" not in text and "False" not in text
    # Masked as the trail keeps it, grouped as people read an IBAN.
    masked = "•" * (len(EUR_IBAN_1) - 4) + EUR_IBAN_1[-4:]
    grouped = " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))
    assert f"IBAN: {grouped}" in text


def test_the_audit_browser_reads_the_same(auditor, make_po, active_vendor):
    po = make_po(("10", "390.00"))
    response = logged_in(auditor).get(
        reverse("audit:browser"), {"entity_id": po.po_number}
    )
    text = text_of(response.content.decode())
    assert f"Vendor: {active_vendor.name}" in text
    assert "Total: EUR 3,900.00" in text and "vendor_id" not in text


def test_the_po_page_panel_reads_the_same(requester, make_po, active_vendor):
    po = make_po(("10", "390.00"))
    page = logged_in(requester).get(reverse("purchasing:detail", args=[po.id]))
    text = text_of(page.content.decode())
    history = text[text.index("History") :]
    assert f"Vendor: {active_vendor.name}" in history
    assert "Total: EUR 3,900.00" in history


@pytest.mark.parametrize(
    ("value", "shown"),
    [(True, "Yes"), (False, "No"), ("pending_review", "pending_review")],
)
def test_a_field_no_app_registered_still_reads_sensibly(value, shown):
    entry = audit_entry(
        action=AuditAction.UPDATE,
        entity_type="vendor",
        entity_id="v1",
        user="clerk",
        details={"before": {"odd_flag": None}, "after": {"odd_flag": value}},
    )
    (change,) = entry_changes(entry)
    assert (change.label, change.after) == ("Odd flag", shown)


def test_a_deleted_records_entry_still_reads_without_its_record(
    auditor, requester, make_po
):
    from purchasing.services import purchase_order_delete

    po = make_po(("10", "390.00"))
    purchase_order_delete(po_id=po.id, user=requester, version=po.version)
    text = history_text(logged_in(auditor), "purchase_order", po.id)
    assert "Total: EUR 3,900.00" in text  # the snapshot names its currency
