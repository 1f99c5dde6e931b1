"""
Tamper evidence: every record's audit entries form a hash chain, and
`manage.py verify_audit` catches an entry edited, removed or inserted
directly in DynamoDB.
"""

import datetime as dt
import json

from audit.chain import GENESIS, canonical_content, entry_hash
from audit.entries import entity_key
from audit.models import AuditChainHead, AuditEntry
from tests.audit.digest_helpers import history, verify
from vendors.services import vendor_create


def test_each_entry_links_to_the_previous_one(edited_vendor):
    entries = history(edited_vendor.id)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == GENESIS
    for previous, entry in zip(entries, entries[1:], strict=False):
        assert entry.prev_hash == previous.entry_hash
    head = AuditChainHead.get(
        AuditChainHead.key(entity_key("vendor", edited_vendor.id))
    )
    assert (head.length, head.last_hash) == (4, entries[-1].entry_hash)
    code, output = verify()
    assert code == 0
    assert "Checked 1 records, 4 entries: 0 problems." in output


def test_an_entry_edited_in_dynamodb_is_caught(edited_vendor):
    entry = history(edited_vendor.id)[2]
    details = json.loads(entry.details_json)
    details["after"]["phone"] = "+1 555 0000"  # what a fraudster would hide
    entry.update(actions=[AuditEntry.details_json.set(json.dumps(details))])
    code, output = verify()
    assert code == 1
    assert f"TAMPERED vendor {edited_vendor.id}: entry {entry.id} (#3" in output
    assert "altered" in output


def test_a_label_edited_or_removed_in_dynamodb_is_caught(edited_vendor):
    renamed, unnamed = history(edited_vendor.id)[1:3]
    assert renamed.label == unnamed.label == "Acme Supplies GmbH"
    renamed.update(actions=[AuditEntry.label.set("Other Supplier Ltd")])
    unnamed.update(actions=[AuditEntry.label.remove()])
    code, output = verify()
    assert code == 1
    assert f"entry {renamed.id} (#2" in output and f"entry {unnamed.id} (#3" in output


def test_a_lookup_key_edited_to_hide_an_entry_from_a_search_is_caught(edited_vendor):
    by_actor, by_number = history(edited_vendor.id)[1:3]
    by_actor.update(actions=[AuditEntry.actor_key.set("someone-else")])
    by_number.update(actions=[AuditEntry.number_key.remove()])
    code, output = verify()
    assert code == 1
    assert (
        f"entry {by_actor.id} (#2" in output and f"entry {by_number.id} (#3" in output
    )


def test_entries_written_before_labels_keep_their_hash(clerk, vendor_fields):
    """An entry without a label hashes as it did before labels existed."""
    vendor = vendor_create(user=clerk, fields=vendor_fields)
    (entry,) = history(vendor.id)
    labelled_hash = entry_hash(entry, seq=1, prev_hash=GENESIS)
    assert entry.entry_hash == labelled_hash
    entry.label = entry.actor_key = entry.number_key = None
    legacy = json.loads(canonical_content(entry, seq=1, prev_hash=GENESIS))
    assert sorted(legacy) == [
        "action", "details", "entity_id", "entity_type", "id", "prev_hash", "seq",
        "timestamp", "type", "user_id",
    ]  # fmt: skip
    legacy_hash = entry_hash(entry, seq=1, prev_hash=GENESIS)
    assert legacy_hash != labelled_hash  # a label, once there, is covered
    # Store the entry as one written before labels: no label, its old hash.
    entry.update(
        actions=[
            AuditEntry.label.remove(),
            AuditEntry.actor_key.remove(),
            AuditEntry.number_key.remove(),
            AuditEntry.entry_hash.set(legacy_hash),
        ]
    )
    head = AuditChainHead.get(AuditChainHead.key(entity_key("vendor", vendor.id)))
    head.update(actions=[AuditChainHead.last_hash.set(legacy_hash)])
    code, output = verify()
    assert code == 0
    assert "Checked 1 records, 1 entries: 0 problems." in output


def test_a_removed_entry_is_caught_in_the_middle_and_at_the_end(edited_vendor):
    entries = history(edited_vendor.id)
    entries[1].delete()
    code, output = verify()
    assert code == 1 and "entries #2 before entry" in output and "removed" in output
    entries[3].delete()
    code, output = verify()
    assert code == 1 and "entries #4 at the end: removed" in output


def test_an_inserted_entry_is_caught(edited_vendor):
    original = history(edited_vendor.id)[1]
    forged = AuditEntry.from_raw_data(original.serialize())
    forged.id = "forged-entry"
    forged.user_id = "someone-else"
    forged.save()
    code, output = verify()
    assert code == 1
    assert "entry forged-entry" in output and "inserted" in output


def test_filters_limit_what_is_checked(edited_vendor, make_po):
    make_po()
    history(edited_vendor.id)[0].update(actions=[AuditEntry.user_id.set("ghost")])
    assert verify("--entity-type", "purchase_order")[0] == 0
    assert verify("--entity-type", "vendor")[0] == 1
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    code, output = verify("--since", tomorrow)
    assert code == 0 and "Checked 0 records" in output


def test_a_record_whose_every_entry_was_removed_is_caught(edited_vendor):
    for entry in history(edited_vendor.id):
        entry.delete()
    code, output = verify()
    assert code == 1
    assert (
        f"vendor {edited_vendor.id}: entries #1, #2, #3, #4 at the end: removed"
        in output
    )


def test_an_entry_slipped_in_without_chain_fields_is_caught(edited_vendor):
    forged = AuditEntry.from_raw_data(history(edited_vendor.id)[-1].serialize())
    forged.id, forged.seq, forged.prev_hash, forged.entry_hash = (
        "slipped",
        None,
        None,
        None,
    )
    forged.save()
    code, output = verify()
    assert code == 1 and "entry slipped" in output and "without a chain link" in output


def test_an_entry_appended_beyond_the_head_is_caught(edited_vendor):
    key = entity_key("vendor", edited_vendor.id)
    head = AuditChainHead.get(AuditChainHead.key(key))
    appended = AuditEntry.from_raw_data(history(edited_vendor.id)[-1].serialize())
    appended.id, appended.seq = "appended", head.length + 1
    appended.save()
    code, output = verify()
    assert (
        code == 1 and "entry appended (#5): inserted beyond the chain's head" in output
    )
