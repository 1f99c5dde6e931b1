"""Writes of the audit app beyond the entries themselves: the signed digests."""

import datetime as dt
import logging
from dataclasses import dataclass

import boto3
from django.conf import settings

from audit.digest_store import DigestExists, digest_store
from audit.digests import (
    FIRST_PREVIOUS,
    Digest,
    Ed25519Signer,
    KmsSigner,
    Leaf,
    digest_build,
    digest_parse,
    digest_sign,
    file_sha256,
)
from audit.models import LISTING, AuditEntry
from core import dynamo
from core.errors import ApplicationError

logger = logging.getLogger("audit.digests")

# The first digest covers every entry since this instant.
BEGINNING = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DigestWritten:
    digest: Digest
    location: str
    entries: int  # entries read in its time range
    first_entry_at: dt.datetime
    last_entry_at: dt.datetime


def digest_signing_configured() -> bool:
    return bool(settings.AUDIT_DIGEST_KMS_KEY_ID or settings.AUDIT_DIGEST_SIGNING_KEY)


def digest_signer():
    """The configured signer: the KMS key when set, else the environment's key."""
    if settings.AUDIT_DIGEST_KMS_KEY_ID:
        client = boto3.client(
            "kms",
            region_name=settings.AWS_REGION,
            aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
            aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        )
        return KmsSigner(client, settings.AUDIT_DIGEST_KMS_KEY_ID)
    if settings.AUDIT_DIGEST_SIGNING_KEY:
        try:
            return Ed25519Signer(settings.AUDIT_DIGEST_SIGNING_KEY)
        except ValueError as exc:
            raise ApplicationError(f"AUDIT_DIGEST_SIGNING_KEY: {exc}.") from None
    raise ApplicationError(
        "No signing key: set AUDIT_DIGEST_SIGNING_KEY (Ed25519, PEM) or "
        "AUDIT_DIGEST_KMS_KEY_ID."
    )


def audit_digest_write(
    *, now: dt.datetime | None = None, store=None, signer=None
) -> DigestWritten | None:
    """
    Write the next digest: a leaf for every chain that moved since the
    previous digest, up to AUDIT_DIGEST_SETTLE_SECONDS ago. Return None
    when nothing moved (no digest is written). Two runs at once: the one
    whose number is taken reads the newer digest and tries again.
    """
    store = store or digest_store()
    signer = signer or digest_signer()
    until = (now or dynamo.utcnow()) - dt.timedelta(
        seconds=settings.AUDIT_DIGEST_SETTLE_SECONDS
    )
    for _attempt in range(3):
        stored = store.latest()
        previous = digest_parse(stored.body) if stored else None
        since = (
            dt.datetime.fromisoformat(previous.covers_until) if previous else BEGINNING
        )
        if until <= since:
            return None
        leaves, entries, first, last = _moved_chains(since=since, until=until)
        if not leaves:
            return None
        digest = digest_sign(
            digest_build(
                number=previous.number + 1 if previous else 1,
                covers_from=since.isoformat(),
                covers_until=until.isoformat(),
                previous_digest_sha256=(
                    file_sha256(stored.body) if stored else FIRST_PREVIOUS
                ),
                leaves=leaves,
            ),
            signer,
        )
        try:
            location = store.put(digest.number, digest.file_bytes())
        except DigestExists:
            logger.info("digest #%s was written meanwhile; reading it", digest.number)
            continue
        logger.info("wrote digest #%s at %s", digest.number, location)
        return DigestWritten(digest, location, entries, first, last)
    raise ApplicationError("Other runs kept writing digests; try again.")


def _moved_chains(*, since: dt.datetime, until: dt.datetime):
    """
    The chains with entries timestamped in (since, until], each at its
    highest position there, from the every-entry index (a time range key
    condition: never a scan). Entries written before chaining are skipped.
    """
    newest: dict[str, tuple[int, str]] = {}
    entries, first, last = 0, None, None
    for entry in AuditEntry.listing_index.query(
        LISTING,
        range_key_condition=AuditEntry.timestamp.between(
            since + dt.timedelta(microseconds=1), until
        ),
        attributes_to_get=["id", "entity_key", "seq", "entry_hash", "timestamp"],
    ):
        if entry.seq is None or entry.entry_hash is None:
            continue
        entries += 1
        first = entry.timestamp if first is None else min(first, entry.timestamp)
        last = entry.timestamp if last is None else max(last, entry.timestamp)
        known = newest.get(entry.entity_key)
        if known is None or entry.seq > known[0]:
            newest[entry.entity_key] = (entry.seq, entry.entry_hash)
    leaves = [Leaf(key, seq, last_hash) for key, (seq, last_hash) in newest.items()]
    return leaves, entries, first, last


def audit_digest_after_job() -> DigestWritten | None:
    """
    Write a digest after a job that wrote entries, when a signing key is
    configured (else log that none was written). A failure is logged: the
    hourly `audit_digest` catches up, and the job's work stands.
    """
    if not digest_signing_configured():
        logger.info("no audit digest written: no signing key is configured")
        return None
    try:
        return audit_digest_write()
    except Exception as exc:  # noqa: BLE001 - the job's outcome must not change
        logger.warning("the audit digest could not be written: %s", exc)
        return None
