"""
Finding entries on the audit trail by what people know a record by: its
number or name (any case, no record type needed) and who acted, in any case.
"""

import datetime as dt
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from audit.entries import entity_key
from audit.models import AuditEntry
from audit.selectors import audit_entry_list
from core import dynamo
from purchasing.services import purchase_order_delete
from tests.conftest import TODAY
from vendors.services import vendor_create, vendor_update


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, **query):
    return client.get(reverse("audit:browser"), query)


def found(auditor, **filters) -> list[AuditEntry]:
    return audit_entry_list(user=auditor, limit=200, **filters).items


def old_entry(*, entity_type, entity_id, user_id, action="UPDATE", label=None):
    """An entry as written before entries carried their lookup keys."""
    entry = AuditEntry(
        id=str(uuid.uuid4()),
        type="PO_ACTION",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_key=entity_key(entity_type, entity_id),
        user_id=user_id,
        timestamp=dynamo.utcnow(),
        details_json=json.dumps({"note": "written long ago"}),
        label=label,
    )
    entry.save()
    assert entry.actor_key is None and entry.number_key is None
    return entry


def test_a_po_number_finds_the_po_entries_without_a_record_type(auditor, make_po):
    po = make_po()
    other = make_po()
    response = page(logged_in(auditor), entity_id=po.po_number.lower())
    html = response.content.decode()
    assert response.status_code == 200
    assert f">{po.po_number}</a>" in html and other.po_number not in html
    assert "Pick the record type" not in html


def test_invoice_and_payment_run_numbers_and_vendor_names_find_their_records(
    auditor, clerk, treasurer, approver, three_vendors, matched_invoice
):
    from payments.services import payment_run_create

    acme = three_vendors[0]
    invoice = matched_invoice(acme, "100.00", number="RE 2026/0042")
    # A week ahead: a date valid in any time zone the test runs in.
    run = payment_run_create(
        user=treasurer, payment_date=TODAY + dt.timedelta(days=7)
    ).run
    by_invoice = found(auditor, entity_id="re-2026.0042")
    assert {e.entity_id for e in by_invoice} == {invoice.id}
    assert {e.action for e in by_invoice} >= {"CREATE", "RECONCILE", "SCHEDULE"}
    by_run = found(auditor, entity_id=run.number)
    assert by_run and {e.entity_id for e in by_run} == {run.id}
    by_vendor = found(auditor, entity_id="acme supplies gmbh")
    assert by_vendor and {e.entity_id for e in by_vendor} == {acme.id}


def test_an_internal_id_needs_no_record_type_either(auditor, make_po):
    po = make_po()
    entries = found(auditor, entity_id=po.id)
    assert [e.action for e in entries] == ["CREATE"]
    assert [e.action for e in found(auditor, entity_id=po.vendor_id)] == ["CREATE"]


def test_a_record_type_narrows_a_number_shared_by_two_kinds(
    auditor, make_po, matched_invoice, active_vendor
):
    po = make_po()
    invoice = matched_invoice(active_vendor, number=po.po_number)
    both = {e.entity_type for e in found(auditor, entity_id=po.po_number)}
    assert both == {"purchase_order", "invoice"}
    only = found(auditor, entity_id=po.po_number, entity_type="invoice")
    assert {e.entity_id for e in only} == {invoice.id}


def test_a_deleted_po_is_found_by_its_number(auditor, requester, make_po):
    po = make_po()
    purchase_order_delete(po_id=po.id, user=requester, version=po.version)
    entries = found(auditor, entity_id=po.po_number)
    assert [e.action for e in entries] == ["DELETE", "CREATE"]


def test_a_vendor_is_found_by_its_name_and_by_a_name_it_had(auditor, clerk, vendor):
    vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"name": "Acme Renamed AG"},
        version=vendor.version,
    )
    by_name = found(auditor, entity_id="acme renamed ag")
    assert [e.action for e in by_name] == ["UPDATE", "CREATE"]
    # The entries written while it had its former name (which they show).
    by_former = found(auditor, entity_id="Acme Supplies GmbH")
    assert [(e.action, e.record_label) for e in by_former] == [
        ("CREATE", "Acme Supplies GmbH")
    ]


def test_the_user_filter_ignores_case(auditor, clerk, clerk2, vendor_fields, vendor):
    vendor_create(
        user=clerk2, fields={**vendor_fields, "name": "Other", "tax_id": None}
    )
    client = logged_in(auditor)
    html = page(client, user_id="Clerk").content.decode()
    assert "<td>clerk</td>" in html and "<td>clerk2</td>" not in html
    assert [e.user_id for e in found(auditor, user_id="CLERK")] == ["clerk"]
    assert [e.user_id for e in found(auditor, user_id=" Clerk2 ")] == ["clerk2"]


def test_a_number_and_a_user_together_find_only_that_users_entries(
    auditor, clerk, approver, requester, make_po
):
    from purchasing.services import purchase_order_approve

    po = make_po()
    purchase_order_approve(po_id=po.id, user=approver)
    entries = found(auditor, entity_id=po.po_number, user_id="APPROVER")
    assert [(e.action, e.user_id) for e in entries] == [("APPROVE", "approver")]


def test_entries_written_before_lookup_keys_are_found_by_number_and_by_user(
    auditor, requester, make_po
):
    po = make_po()
    old = old_entry(
        entity_type="purchase_order",
        entity_id=po.id,
        user_id="requester",
        label=po.po_number,
    )
    assert old.id in {e.id for e in found(auditor, entity_id=po.po_number)}
    assert old.id in {e.id for e in found(auditor, user_id="Requester")}
    # Each entry once, though both its record's and its number's lists hold it.
    by_number = [e.id for e in found(auditor, entity_id=po.po_number)]
    assert len(by_number) == len(set(by_number)) == 2


def test_pages_of_a_merged_list_hold_every_entry_once_newest_first(
    auditor, requester, make_po, settings
):
    from purchasing.services import purchase_order_update

    po = make_po()
    for n in range(4):
        po = purchase_order_update(
            po_id=po.id, user=requester, version=po.version, notes=f"note {n}"
        )
    old_entry(
        entity_type="purchase_order",
        entity_id=po.id,
        user_id="requester",
        label=po.po_number,
    )
    every = found(auditor, entity_id=po.po_number)
    assert len(every) == 6
    seen, cursor = [], None
    while True:
        result = audit_entry_list(
            user=auditor, entity_id=po.po_number, cursor=cursor, limit=2
        )
        seen += result.items
        cursor = result.next_cursor
        if not cursor:
            break
    assert [e.id for e in seen] == [e.id for e in every]
    stamps = [e.timestamp for e in seen]
    assert stamps == sorted(stamps, reverse=True)


def test_the_browser_pages_a_merged_list_with_its_filters(
    auditor, requester, make_po, settings
):
    from purchasing.services import purchase_order_update

    settings.PAGE_SIZE = 1
    po = make_po()
    purchase_order_update(
        po_id=po.id, user=requester, version=po.version, notes="second"
    )
    client = logged_in(auditor)
    first = page(client, entity_id=po.po_number).content.decode()
    assert "<td>UPDATE</td>" in first and "Older entries" in first


@pytest.mark.parametrize("text", ["PO-2099-999999", "nobody-at-all"])
def test_an_unknown_number_or_user_finds_nothing_and_says_so(auditor, make_po, text):
    make_po()
    client = logged_in(auditor)
    for query in ({"entity_id": text}, {"user_id": text}):
        response = page(client, **query)
        assert response.status_code == 200
        assert "No entry matches these filters" in response.content.decode()


def test_finding_never_scans_the_audit_table(auditor, make_po, monkeypatch):
    po = make_po()
    scans = []
    real = AuditEntry.scan

    def counting_scan(*args, **kwargs):
        scans.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(AuditEntry, "scan", counting_scan)
    assert found(auditor, entity_id=po.po_number, user_id="Requester")
    assert found(auditor, user_id="REQUESTER")
    assert scans == []
