"""
What the audit digest tests share: a key pair, the settings that configure
signing and a store (a folder, or an Object Lock bucket on moto), and the
two commands, `audit_digest` and `verify_audit`, as an operator runs them.
"""

import json
import uuid
from io import StringIO

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.core.cache import cache
from django.core.management import call_command
from moto import mock_aws

from audit.chain import GENESIS, entry_hash
from audit.entries import entity_key
from audit.models import AuditChainHead, AuditEntry
from vendors.services import vendor_update


def pem_pair() -> tuple[str, str]:
    """A new Ed25519 key pair: (private key PEM, public key PEM)."""
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    return private, public


def signing_configured(settings, location) -> str:
    """Sign with a new key, check with its public key, store at `location`."""
    private, public = pem_pair()
    settings.AUDIT_DIGEST_SIGNING_KEY = private
    settings.AUDIT_DIGEST_PUBLIC_KEY = public
    settings.AUDIT_DIGEST_KMS_KEY_ID = ""
    settings.AUDIT_DIGEST_SETTLE_SECONDS = 0
    settings.AUDIT_DIGEST_LOCATION = str(location)
    cache.clear()  # digests read for another store
    return private


def digests_in(kind: str, settings, tmp_path):
    """Yield `kind` with digests configured in a folder or an S3 bucket (moto)."""
    if kind == "folder":
        signing_configured(settings, tmp_path / "audit-digests")
        yield kind
        return
    settings.AWS_S3_ENDPOINT_URL = None
    settings.AWS_S3_REGION_NAME = "us-east-1"
    with mock_aws():
        bucket = f"audit-digests-{uuid.uuid4().hex[:12]}"
        signing_configured(settings, f"s3://{bucket}/p2p")
        call_command("create_bucket", "--audit-digests", stdout=StringIO())
        # moto takes every request for plain HTTP, which the bucket's
        # TLS-only policy denies.
        boto3.client("s3", region_name="us-east-1").delete_bucket_policy(Bucket=bucket)
        yield kind


def digest(*args) -> str:
    """Run `manage.py audit_digest`; return what it printed."""
    out = StringIO()
    call_command("audit_digest", *args, stdout=out)
    return out.getvalue()


def verify(*args) -> tuple[int, str]:
    """Run `manage.py verify_audit`; return its exit code and what it printed."""
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def history(vendor_id):
    """A vendor's audit entries as stored, oldest first."""
    key = entity_key("vendor", vendor_id)
    return list(AuditEntry.entity_index.query(key, scan_index_forward=True))


def rechain(vendor_id, entries):
    """Rewrite a chain as someone with write access would: consistently."""
    previous = GENESIS
    for seq, entry in enumerate(entries, start=1):
        entry.seq, entry.prev_hash = seq, previous
        entry.entry_hash = previous = entry_hash(entry, seq=seq, prev_hash=previous)
        entry.save()
    head = AuditChainHead.get(AuditChainHead.key(entity_key("vendor", vendor_id)))
    head.length, head.last_hash = len(entries), previous
    head.save()


def set_details(entry, **changes):
    details = json.loads(entry.details_json)
    details.setdefault("after", {}).update(changes)
    entry.details_json = json.dumps(details, sort_keys=True)


def update_phone(vendor, user, *phones):
    """Change the vendor's phone to each of `phones` in turn; the vendor after."""
    for phone in phones:
        vendor = vendor_update(
            vendor_id=vendor.id,
            user=user,
            changes={"phone": phone},
            version=vendor.version,
        )
    return vendor
