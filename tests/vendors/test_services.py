import pytest

from audit.models import AuditEntry
from audit.selectors import audit_history
from core import dynamo
from core.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from vendors.models import Vendor
from vendors.selectors import vendor_get, vendor_list
from vendors.services import (
    vendor_bank_details_confirm,
    vendor_create,
    vendor_delete,
    vendor_update,
)


def history(vendor_id):
    return audit_history(entity_type="vendor", entity_id=vendor_id).items


def all_audit_entries():
    return list(
        AuditEntry.scan(AuditEntry.entity_key.exists())
    )  # test inspection only; the app never scans


def test_create_stores_the_vendor_and_one_audit_entry_by_the_real_user(
    clerk, vendor_fields
):
    vendor = vendor_create(user=clerk, fields=vendor_fields)

    stored = vendor_get(vendor_id=vendor.id)
    assert stored.name == "Acme Supplies GmbH"
    assert stored.status == "pending"
    assert stored.version == 1
    (entry,) = history(vendor.id)
    assert (entry.type, entry.action, entry.user_id) == (
        "VENDOR_ACTION",
        "CREATE",
        "clerk",
    )
    assert entry.details["after"]["email"] == "billing@acme.example"


def test_invalid_fields_are_all_reported_and_nothing_is_written(clerk):
    with pytest.raises(ValidationFailed) as caught:
        vendor_create(
            user=clerk,
            fields={
                "name": "x" * 201,
                "email": "not-an-email",
                "address": "a" * 1001,
                "payment_terms": "whenever",
                "status": "bogus",
                "iban": "DE89370400440532013001",
            },
        )
    errors = caught.value.field_errors
    assert set(errors) >= {
        "name",
        "email",
        "address",
        "payment_terms",
        "status",
        "iban",
    }
    assert "200" in errors["name"] and "1000" in errors["address"]
    assert vendor_list().items == []
    assert all_audit_entries() == []


def test_a_role_without_vendor_rights_is_refused_by_the_service(
    requester, vendor_fields
):
    with pytest.raises(PermissionDenied, match="AP Clerk"):
        vendor_create(user=requester, fields=vendor_fields)
    assert vendor_list().items == []


def test_update_records_before_and_after_of_changed_fields_only(clerk, vendor):
    updated = vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"phone": "+49 30 7654321", "status": "active"},
        version=1,
    )
    assert updated.version == 2
    stored = vendor_get(vendor_id=vendor.id)
    assert (stored.phone, stored.status, stored.version) == (
        "+49 30 7654321",
        "active",
        2,
    )
    latest = history(vendor.id)[0]
    assert latest.action == "UPDATE"
    assert latest.details["before"] == {"phone": "+49 30 1234567", "status": "pending"}
    assert latest.details["after"] == {"phone": "+49 30 7654321", "status": "active"}


def test_update_without_changes_writes_nothing(clerk, vendor):
    vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"name": "Acme Supplies GmbH"}
    )
    assert vendor_get(vendor_id=vendor.id).version == 1
    assert len(history(vendor.id)) == 1


def test_update_from_a_stale_form_is_refused_and_changes_nothing(clerk, clerk2, vendor):
    vendor_update(
        vendor_id=vendor.id, user=clerk2, changes={"phone": "+1 555"}, version=1
    )
    with pytest.raises(StaleRecord, match="changed by someone else"):
        vendor_update(
            vendor_id=vendor.id, user=clerk, changes={"name": "Other"}, version=1
        )
    stored = vendor_get(vendor_id=vendor.id)
    assert (stored.name, stored.phone) == ("Acme Supplies GmbH", "+1 555")
    assert [e.action for e in history(vendor.id)] == ["UPDATE", "CREATE"]


def test_write_based_on_an_outdated_read_is_refused_by_the_condition(clerk, vendor):
    """The version condition holds even when the service's own check passed."""
    stale_copy = vendor_get(vendor_id=vendor.id)
    vendor_update(vendor_id=vendor.id, user=clerk, changes={"phone": "+1 555"})
    with pytest.raises(StaleRecord):
        with dynamo.write_transaction() as transaction:
            transaction.update(stale_copy, actions=[Vendor.name.set("Overwritten")])
    assert vendor_get(vendor_id=vendor.id).name == "Acme Supplies GmbH"


@pytest.mark.parametrize(
    ("start", "target", "refusal"),
    [
        ("pending", "inactive", "only active or suspended vendors can be set inactive"),
        ("active", "pending", "no vendors can be set pending"),
        ("suspended", "pending", "no vendors can be set pending"),
    ],
)
def test_status_changes_outside_the_life_cycle_are_refused(
    clerk, vendor, start, target, refusal
):
    path = {"pending": [], "active": ["active"], "suspended": ["suspended"]}[start]
    for status in path:
        vendor_update(vendor_id=vendor.id, user=clerk, changes={"status": status})
    with pytest.raises(InvalidTransition) as refused:
        vendor_update(vendor_id=vendor.id, user=clerk, changes={"status": target})
    assert refused.value.message == f"{vendor.name} is {start}; {refusal}."
    assert vendor_get(vendor_id=vendor.id).status == start


def test_any_status_can_become_suspended_and_active_inactive_toggle(clerk, vendor):
    for status in ["active", "inactive", "active", "suspended", "active"]:
        vendor_update(vendor_id=vendor.id, user=clerk, changes={"status": status})
    assert vendor_get(vendor_id=vendor.id).status == "active"


def test_unknown_vendor_is_not_found(clerk):
    with pytest.raises(NotFound):
        vendor_update(vendor_id="no-such-id", user=clerk, changes={"phone": "1"})
    with pytest.raises(NotFound):
        vendor_delete(vendor_id="no-such-id", user=clerk)


def test_delete_removes_the_vendor_and_keeps_its_history(clerk, vendor):
    vendor_delete(vendor_id=vendor.id, user=clerk, version=1)
    assert vendor_get(vendor_id=vendor.id) is None
    entries = history(vendor.id)
    assert [e.action for e in entries] == ["DELETE", "CREATE"]
    assert entries[0].details["before"]["name"] == "Acme Supplies GmbH"


def test_delete_is_refused_while_the_vendor_has_purchase_orders(clerk, vendor):
    Vendor(vendor.id).update(
        actions=[Vendor.po_count.set(2)], add_version_condition=False
    )
    with pytest.raises(InvalidTransition, match="2 purchase order"):
        vendor_delete(vendor_id=vendor.id, user=clerk)
    assert vendor_get(vendor_id=vendor.id) is not None
    assert len(history(vendor.id)) == 1


def test_delete_condition_refuses_a_vendor_that_gained_a_po_after_it_was_read(
    clerk, vendor, monkeypatch
):
    """A PO created between the read and the delete still blocks the delete."""
    from vendors import services

    read = services.vendor_get_or_404

    def read_then_po_arrives(*, vendor_id):
        current = read(vendor_id=vendor_id)
        Vendor(vendor_id).update(
            actions=[Vendor.po_count.add(1)], add_version_condition=False
        )
        return current

    monkeypatch.setattr(services, "vendor_get_or_404", read_then_po_arrives)
    with pytest.raises(InvalidTransition, match="purchase order"):
        vendor_delete(vendor_id=vendor.id, user=clerk)
    assert vendor_get(vendor_id=vendor.id) is not None


def test_change_and_audit_entry_are_all_or_nothing(clerk, vendor, monkeypatch):
    """If the audit entry cannot be written, the vendor change is not written either."""
    existing_entry_id = history(vendor.id)[0].id
    from vendors import events

    real_builder = events.audit_entry

    def colliding_entry(**kwargs):
        entry = real_builder(**kwargs)
        entry.id = existing_entry_id  # an id already taken: the put's condition fails
        return entry

    monkeypatch.setattr(events, "audit_entry", colliding_entry)
    with pytest.raises(StaleRecord):
        vendor_update(vendor_id=vendor.id, user=clerk, changes={"name": "Renamed Ltd"})
    stored = vendor_get(vendor_id=vendor.id)
    assert (stored.name, stored.version) == ("Acme Supplies GmbH", 1)
    assert len(all_audit_entries()) == 1


def test_new_bank_details_hold_payments_until_another_clerk_confirms(
    clerk, clerk2, vendor
):
    vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"iban": "DE89 3704 0044 0532 0130 00", "bic": "COBADEFFXXX"},
    )
    stored = vendor_get(vendor_id=vendor.id)
    assert stored.iban == "DE89370400440532013000"
    assert stored.bank_details_changed_by == "clerk"
    assert stored.on_payment_hold()

    with pytest.raises(PermissionDenied, match="another user must confirm"):
        vendor_bank_details_confirm(vendor_id=vendor.id, user=clerk, version=2)
    assert vendor_get(vendor_id=vendor.id).on_payment_hold()

    vendor_bank_details_confirm(vendor_id=vendor.id, user=clerk2, version=2)
    stored = vendor_get(vendor_id=vendor.id)
    assert not stored.on_payment_hold()
    latest = history(vendor.id)[0]
    assert (latest.action, latest.user_id) == ("CONFIRM_BANK_DETAILS", "clerk2")
    assert latest.details["confirmed"]["iban"].endswith("3000")
    assert "0532" not in latest.details["confirmed"]["iban"]  # masked in the trail


def test_changing_confirmed_bank_details_holds_payments_again(clerk, clerk2, vendor):
    vendor_update(
        vendor_id=vendor.id, user=clerk, changes={"iban": "DE89370400440532013000"}
    )
    vendor_bank_details_confirm(vendor_id=vendor.id, user=clerk2, version=2)
    vendor_update(
        vendor_id=vendor.id, user=clerk2, changes={"iban": "GB82WEST12345698765432"}
    )
    stored = vendor_get(vendor_id=vendor.id)
    assert stored.bank_details_changed_by == "clerk2" and stored.on_payment_hold()


def test_us_bank_details_need_account_and_valid_routing_number(clerk, vendor):
    with pytest.raises(ValidationFailed) as caught:
        vendor_update(
            vendor_id=vendor.id,
            user=clerk,
            changes={"account_number": "000123456789", "routing_number": "123000847"},
        )
    assert "checksum" in caught.value.field_errors["routing_number"]
    vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={"account_number": "000123456789", "routing_number": "123000848"},
    )
    assert vendor_get(vendor_id=vendor.id).routing_number == "123000848"


def test_manual_payment_hold_needs_a_reason_and_ends_after_its_date(clerk, vendor):
    import datetime as dt

    with pytest.raises(ValidationFailed) as caught:
        vendor_update(vendor_id=vendor.id, user=clerk, changes={"payment_hold": True})
    assert "payment_hold_reason" in caught.value.field_errors
    vendor_update(
        vendor_id=vendor.id,
        user=clerk,
        changes={
            "payment_hold": True,
            "payment_hold_reason": "Disputed delivery",
            "payment_hold_until": "2026-12-31",
        },
    )
    stored = vendor_get(vendor_id=vendor.id)
    assert stored.on_payment_hold(dt.date(2026, 12, 31))
    assert not stored.on_payment_hold(dt.date(2027, 1, 1))


def test_name_search_is_a_case_insensitive_prefix_match(clerk, vendor_fields):
    for name in ["Acme Supplies", "ACME Tools", "Beta Corp"]:
        vendor_create(user=clerk, fields={**vendor_fields, "name": name})
    assert [v.name for v in vendor_list(name_prefix="acme").items] == [
        "Acme Supplies",
        "ACME Tools",
    ]


def test_list_pages_newest_first_and_each_vendor_appears_once(clerk, vendor_fields):
    for number in range(7):
        vendor_create(user=clerk, fields={**vendor_fields, "name": f"Vendor {number}"})
    seen, cursor, pages = [], None, 0
    while True:
        page = vendor_list(cursor=cursor, limit=3)
        seen += [v.name for v in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"Vendor {n}" for n in reversed(range(7))]


def test_status_filter_lists_only_that_status(clerk, vendor_fields):
    active = vendor_create(user=clerk, fields={**vendor_fields, "status": "active"})
    vendor_create(user=clerk, fields=vendor_fields)
    assert [v.id for v in vendor_list(status="active").items] == [active.id]
