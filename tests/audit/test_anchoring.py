"""
The audit trail against its signed digests: `manage.py audit_digest` writes
them write-once (a folder, or an S3 bucket with Object Lock), and
`verify_audit` catches a chain rewritten after its digest even when every
hash and the head were recomputed, a forged digest and a removed one.
"""

import datetime as dt
import json
import uuid
from io import StringIO

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command
from moto import mock_aws

from audit.digest_store import DigestExists, digest_store
from audit.digests import (
    Ed25519Signer,
    Leaf,
    digest_build,
    digest_parse,
    digest_sign,
    file_sha256,
)
from audit.entries import entity_key
from audit.models import AuditChainHead, AuditEntry
from audit.services import audit_digest_write
from tests.audit.digest_helpers import (
    digest,
    history,
    pem_pair,
    rechain,
    set_details,
    verify,
)
from vendors.services import vendor_create, vendor_update


def test_a_digest_anchors_every_chain_that_moved_and_verify_audit_passes(
    digests, edited_vendor, clerk, vendor_fields
):
    vendor = edited_vendor
    other = vendor_create(user=clerk, fields={**vendor_fields, "name": "Other Co"})
    output = digest()
    assert output.startswith("Digest #1: 2 chains, entries from ")
    where = digest_store().where(1)
    assert output.rstrip().endswith(f"stored at {where}")
    first = digest_parse(digest_store().latest().body)
    assert {(leaf.entity_key, leaf.length) for leaf in first.leaves} == {
        (entity_key("vendor", vendor.id), 4),
        (entity_key("vendor", other.id), 1),
    }
    assert first.leaves[0].last_entry_hash in {
        e.entry_hash for e in history(vendor.id)
    } | {e.entry_hash for e in history(other.id)}
    code, output = verify()
    assert code == 0, output
    assert "Digests: 1 checked (#1 to #1), 2 chains anchored." in output


def test_nothing_moved_writes_no_digest(anchored):
    assert digest().strip() == "No digest written: no chain moved since the last one."
    assert digest_store().numbers() == [1]


def test_the_next_digest_holds_only_what_moved_and_names_the_previous_file(
    anchored, clerk
):
    vendor_update(
        vendor_id=anchored.id,
        user=clerk,
        changes={"phone": "+49 30 4444444"},
        version=anchored.version,
    )
    assert digest().startswith("Digest #2: 1 chain, ")
    store = digest_store()
    first, second = store.all()
    parsed = digest_parse(second.body)
    assert parsed.previous_digest_sha256 == file_sha256(first.body)
    assert [(leaf.length) for leaf in parsed.leaves] == [5]
    assert parsed.covers_from == digest_parse(first.body).covers_until


def test_entries_after_the_last_digest_are_reported_as_not_yet_anchored(
    anchored, clerk
):
    vendor_update(
        vendor_id=anchored.id,
        user=clerk,
        changes={"phone": "+49 30 4444444"},
        version=anchored.version,
    )
    code, output = verify()
    assert code == 0, output
    assert "1 chains anchored; 1 entries not yet anchored." in output


def test_an_entry_edited_and_its_chain_recomputed_is_caught_by_the_digest(anchored):
    entries = history(anchored.id)
    set_details(entries[1], phone="+49 30 9999999")
    rechain(anchored.id, entries)
    code, output = verify()
    assert code == 1
    assert (
        f"TAMPERED vendor {anchored.id}: rewritten after digest #1 "
        "(entry #4's hash differs from the digest's)"
    ) in output
    # The chain alone would pass: only the digest knows.
    assert "altered" not in output


def test_an_entry_edited_without_recomputing_is_caught(anchored):
    entries = history(anchored.id)
    set_details(entries[1], phone="+49 30 9999999")
    entries[1].save()
    code, output = verify()
    assert code == 1
    assert f"vendor {anchored.id}: entry {entries[1].id}" in output
    assert "altered (its content no longer matches its hash)" in output


def test_an_entry_deleted_and_the_chain_renumbered_is_caught(anchored):
    entries = history(anchored.id)
    entries[2].delete()
    rechain(anchored.id, entries[:2] + entries[3:])
    code, output = verify()
    assert code == 1
    assert f"TAMPERED vendor {anchored.id}: entries removed after digest #1" in output


def test_an_entry_inserted_and_the_chain_recomputed_is_caught(anchored):
    entries = history(anchored.id)
    forged = AuditEntry(
        **{
            name: getattr(entries[2], name)
            for name in AuditEntry.get_attributes()
            if name not in ("id", "seq", "prev_hash", "entry_hash")
        }
    )
    forged.id = str(uuid.uuid4())
    forged.timestamp = entries[1].timestamp + dt.timedelta(microseconds=1)
    set_details(forged, phone="+49 30 0000000")
    rechain(anchored.id, entries[:2] + [forged] + entries[2:])
    code, output = verify()
    assert code == 1
    assert (
        f"TAMPERED vendor {anchored.id}: rewritten after digest #1 "
        "(entry #4's hash differs from the digest's)"
    ) in output


def test_a_whole_chain_rewritten_consistently_is_caught(anchored):
    entries = history(anchored.id)
    for entry in entries:
        set_details(entry, phone="+49 30 5555555")
    rechain(anchored.id, entries)
    assert verify()[0] == 1
    code, output = verify("--entity-type", "vendor")
    assert code == 1
    assert f"TAMPERED vendor {anchored.id}: rewritten after digest #1" in output
    assert "Checked 1 records, 4 entries: 1 problem." in output


def test_a_chain_removed_with_its_head_is_caught(anchored):
    for entry in history(anchored.id):
        entry.delete()
    AuditChainHead(AuditChainHead.key(entity_key("vendor", anchored.id))).delete()
    code, output = verify()
    assert code == 1
    assert f"TAMPERED vendor {anchored.id}: entries removed after digest #1" in output


def three_digests(vendor, clerk):
    for phone in ("+49 30 4444444", "+49 30 5555555"):
        vendor = vendor_update(
            vendor_id=vendor.id,
            user=clerk,
            changes={"phone": phone},
            version=vendor.version,
        )
        digest()
    assert digest_store().numbers() == [1, 2, 3]


def test_a_digest_signed_by_another_key_is_caught(anchored, clerk):
    vendor_update(
        vendor_id=anchored.id,
        user=clerk,
        changes={"phone": "+49 30 4444444"},
        version=anchored.version,
    )
    store = digest_store()
    first = store.latest()
    entries = history(anchored.id)
    forged = digest_build(
        number=2,
        covers_from=digest_parse(first.body).covers_until,
        covers_until=dt.datetime.now(dt.UTC).isoformat(),
        previous_digest_sha256=file_sha256(first.body),
        leaves=[Leaf(entity_key("vendor", anchored.id), 5, entries[-1].entry_hash)],
    )
    other_key, _ = pem_pair()
    store.put(2, digest_sign(forged, Ed25519Signer(other_key)).file_bytes())
    code, output = verify()
    assert code == 1
    assert "TAMPERED digest #2: signed by another key" in output
    # Its leaf vouches for nothing: the new entry is still unanchored.
    assert "1 entries not yet anchored" in output


def test_a_digest_is_never_overwritten(anchored):
    store = digest_store()
    with pytest.raises(DigestExists):
        store.put(1, b"{}")
    assert digest_parse(store.latest().body).number == 1


def test_a_middle_digest_removed_is_caught(digests, edited_vendor, clerk, settings):
    digest()
    three_digests(edited_vendor, clerk)
    store = digest_store()
    if digests == "folder":
        (store.folder / "digests" / "000000000002.json").unlink()
        expected = "TAMPERED digest #2 missing"
    else:
        # Object Lock keeps the version: deleting the key hides it only.
        store.client.delete_object(Bucket=store.bucket, Key=store.key(2))
        expected = "TAMPERED digest #2: deleted in the bucket"
    code, output = verify()
    assert code == 1
    assert expected in output


def test_a_middle_digest_altered_is_caught(digests, edited_vendor, clerk):
    digest()
    three_digests(edited_vendor, clerk)
    store = digest_store()
    second = digest_parse(
        store.get(2).body if digests == "folder" else store.all()[1].body
    )
    changed = json.loads(second.file_bytes())
    changed["leaves"][0][1] = 1
    body = json.dumps(changed).encode()
    if digests == "folder":
        (store.folder / "digests" / "000000000002.json").write_bytes(body)
        expected = [
            "TAMPERED digest #2: altered",
            "TAMPERED digest #3: the digest chain is broken: #2 was altered or removed",
        ]
    else:
        store.client.put_object(Bucket=store.bucket, Key=store.key(2), Body=body)
        expected = ["TAMPERED digest #2: overwritten in the bucket (2 versions)"]
    code, output = verify()
    assert code == 1
    for line in expected:
        assert line in output


def test_digests_without_a_public_key_to_check_them_fail_verification(
    anchored, settings
):
    settings.AUDIT_DIGEST_PUBLIC_KEY = ""
    code, output = verify()
    assert code == 1
    assert "but no public key is configured" in output
    assert "they were not checked" in output


def test_without_digests_or_a_public_key_verification_says_so(settings, edited_vendor):
    settings.AUDIT_DIGEST_PUBLIC_KEY = ""
    settings.AUDIT_DIGEST_LOCATION = "/nonexistent/audit-digests"
    code, output = verify()
    assert code == 0
    assert "Digests: not checked (no public key is configured" in output


def test_the_public_key_may_come_from_a_file(anchored, settings, tmp_path):
    path = tmp_path / "digest-key.pem"
    path.write_text(settings.AUDIT_DIGEST_PUBLIC_KEY)
    settings.AUDIT_DIGEST_PUBLIC_KEY, settings.AUDIT_DIGEST_PUBLIC_KEY_FILE = "", path
    code, output = verify()
    assert code == 0, output
    assert "Digests: 1 checked (#1 to #1), 1 chains anchored." in output


def test_an_s3_digest_is_locked_in_compliance_mode_and_cannot_be_deleted(
    s3_digests, vendor
):
    digest()
    store = digest_store()
    head = store.client.head_object(Bucket=store.bucket, Key=store.key(1))
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > dt.datetime.now(dt.UTC) + dt.timedelta(
        days=2556
    )
    with pytest.raises(ClientError):
        store.client.delete_object(
            Bucket=store.bucket, Key=store.key(1), VersionId=head["VersionId"]
        )


def test_create_bucket_prepares_the_digest_bucket_with_object_lock_once(settings):
    settings.AWS_S3_ENDPOINT_URL = None
    settings.AWS_S3_REGION_NAME = "us-east-1"
    with mock_aws():
        settings.AUDIT_DIGEST_LOCATION = "s3://p2p-audit-digests/prod"
        out = StringIO()
        call_command("create_bucket", "--audit-digests", stdout=out)
        assert (
            "object lock: on, no default retention; new objects locked in compliance"
            in out.getvalue()
        )
        client = boto3.client("s3", region_name="us-east-1")
        lock = client.get_object_lock_configuration(Bucket="p2p-audit-digests")
        configuration = lock["ObjectLockConfiguration"]
        assert configuration["ObjectLockEnabled"] == "Enabled"
        retention = configuration["Rule"]["DefaultRetention"]
        assert (retention["Mode"], retention["Days"]) == ("COMPLIANCE", 2557)
        again = StringIO()
        call_command("create_bucket", "--audit-digests", stdout=again)
        assert "Nothing to change." in again.getvalue()
        assert (
            "object lock: compliance mode for 2557 days; unchanged" in again.getvalue()
        )


def test_two_runs_at_once_write_consecutive_digests(anchored, clerk):
    """The run whose number is taken reads the newer digest and writes the next."""
    store = digest_store()
    real_latest = store.latest
    stale = real_latest()
    vendor_update(
        vendor_id=anchored.id,
        user=clerk,
        changes={"phone": "+49 30 4444444"},
        version=anchored.version,
    )
    calls = []

    def latest():
        calls.append(1)
        if len(calls) == 1:
            # Another run writes #2 between this run's read and its write.
            audit_digest_write(store=store)
            return stale
        return real_latest()

    store.latest = latest
    # It covers up to the moment it started: #2 covers that already.
    assert audit_digest_write(store=store, now=dt.datetime.now(dt.UTC)) is None
    assert len(calls) == 3
    assert store.numbers() == [1, 2]
    assert verify()[0] == 0
