"""
Checking the audit trail against its signed digests (`verify_audit`).

First the digests themselves: each one's signature (with the public key
from settings, never from the database), its Merkle root, its link to the
previous digest's file and the numbering. Then every chain against the
latest intact digest holding its leaf: the entry at the leaf's position
must still carry the leaf's hash. A chain rewritten consistently after its
digest (every hash and its head recomputed) fails there; entries newer than
the digest are counted as not yet anchored.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.cache import cache

from audit.digest_store import digest_store
from audit.digests import (
    FIRST_PREVIOUS,
    Digest,
    Leaf,
    digest_parse,
    file_sha256,
    merkle_root_matches,
    public_key_id,
    public_key_load,
    signature_valid,
)
from audit.entries import entity_key
from audit.registry import record_kinds
from audit.selectors import (
    ChainReport,
    audit_chain,
    audit_chain_newest,
    audit_chains_verify,
)
from core.errors import ApplicationError

logger = logging.getLogger(__name__)


def digest_public_key():
    """The verification key from settings (PEM, or a file); None when unset."""
    pem = settings.AUDIT_DIGEST_PUBLIC_KEY
    if not pem and settings.AUDIT_DIGEST_PUBLIC_KEY_FILE:
        try:
            pem = Path(settings.AUDIT_DIGEST_PUBLIC_KEY_FILE).read_text()
        except OSError as exc:
            raise ApplicationError(
                f"AUDIT_DIGEST_PUBLIC_KEY_FILE cannot be read: {exc}"
            ) from None
    if not pem:
        return None
    try:
        return public_key_load(pem)
    except ValueError as exc:
        raise ApplicationError(f"The audit digest public key: {exc}.") from None


@dataclass
class DigestReport:
    location: str = ""
    checked: bool = False
    digests: list[int] = field(default_factory=list)
    anchored_chains: int = 0
    unanchored_entries: int = 0
    problems: list[str] = field(default_factory=list)


class DigestCheck:
    """The digests, checked once; then the chains, one at a time, against them."""

    def __init__(self, stored: list, public_key):
        self.problems: list[str] = []
        self.anchors: dict[str, tuple[int, Leaf]] = {}
        self.unanchored = 0
        self.visited: set[str] = set()
        self._check_digests(stored, public_key)

    def _check_digests(self, stored: list, public_key) -> None:
        bodies = {s.number: s.body for s in stored}
        intact: dict[int, Digest] = {}
        for item in stored:
            where = f"digest #{item.number}"
            if item.tampering:
                self.problems.append(f"{where}: {item.tampering}")
            try:
                digest = digest_parse(item.body)
            except ValueError as exc:
                self.problems.append(f"{where}: altered ({exc})")
                continue
            if fault := digest_fault(item.number, digest, public_key):
                self.problems.append(fault)
            else:
                intact[item.number] = digest
        for number in sorted(set(range(1, max(bodies, default=0) + 1)) - set(bodies)):
            self.problems.append(f"digest #{number} missing")
        for number, digest in sorted(intact.items()):
            if number == 1:
                linked = digest.previous_digest_sha256 == FIRST_PREVIOUS
            elif number - 1 in bodies:
                linked = digest.previous_digest_sha256 == file_sha256(
                    bodies[number - 1]
                )
            else:
                continue  # reported as missing
            if not linked:
                self.problems.append(
                    f"digest #{number}: the digest chain is broken: "
                    f"#{number - 1} was altered or removed"
                )
        # The latest intact digest holding a record's leaf vouches for it.
        for number, digest in sorted(intact.items()):
            for leaf in digest.leaves:
                self.anchors[leaf.entity_key] = (number, leaf)

    def chain(self, entity_type: str, entity_id: str, entries: list) -> list[str]:
        """What is wrong with one chain's entries against its digest."""
        key = entity_key(entity_type, entity_id)
        self.visited.add(key)
        chained = [e for e in entries if e.seq is not None]
        anchor = self.anchors.get(key)
        if anchor is None:
            self.unanchored += len(chained)
            return []
        number, leaf = anchor
        self.unanchored += sum(1 for e in chained if e.seq > leaf.length)
        fault = leaf_fault(number, leaf, chained)
        return [fault] if fault else []


def digest_fault(number: int, digest: Digest, public_key) -> str | None:
    """What is wrong with stored digest #`number` by itself, or None when intact."""
    where = f"digest #{number}"
    if digest.number != number or not merkle_root_matches(digest):
        return f"{where}: altered"
    if not signature_valid(digest, public_key):
        if digest.key_id != public_key_id(public_key):
            return f"{where}: signed by another key"
        return f"{where}: altered (its signature does not match)"
    return None


def leaf_fault(number: int, leaf: Leaf, chained: list) -> str | None:
    """
    What is wrong with a chain's entries against its leaf in digest
    #`number`, or None: the entry at the leaf's length must carry its hash.
    `chained` holds the chain's entries (at least any at that length).
    """
    at = [e for e in chained if e.seq == leaf.length]
    if not at:
        return f"entries removed after digest #{number}"
    if any(e.entry_hash != leaf.last_entry_hash for e in at):
        return (
            f"rewritten after digest #{number} "
            f"(entry #{leaf.length}'s hash differs from the digest's)"
        )
    return None


def audit_trail_verify(
    *,
    entity_types: tuple[str, ...] | None = None,
    since: dt.datetime | None = None,
    store=None,
) -> tuple[ChainReport, DigestReport]:
    """
    Check every chain (audit_chains_verify) and, when a public key is
    configured, the digests and each chain against them. Digests stored but
    no key to check them with is a problem: a check that could not run must
    not read as one that passed.
    """
    store = store or digest_store()
    digests = DigestReport(location=store.location)
    public_key = digest_public_key()
    if public_key is None:
        stored_numbers = store.numbers()
        if stored_numbers:
            digests.digests = stored_numbers
            digests.problems.append(
                f"{len(stored_numbers)} digest(s) are stored at {store.location} "
                "but no public key is configured (AUDIT_DIGEST_PUBLIC_KEY or "
                "AUDIT_DIGEST_PUBLIC_KEY_FILE): they were not checked"
            )
        return audit_chains_verify(entity_types=entity_types, since=since), digests
    stored = store.all()
    check = DigestCheck(stored, public_key)
    digests.checked, digests.digests = True, [s.number for s in stored]
    chains = audit_chains_verify(
        entity_types=entity_types, since=since, visit=check.chain
    )
    kinds = set(entity_types or record_kinds())
    if since is None:
        # Chains a digest holds that no entry or head shows any more.
        for key in sorted(set(check.anchors) - check.visited):
            entity_type, _, entity_id = key.partition("#")
            if entity_type not in kinds:
                continue
            entries, _head = audit_chain(entity_type=entity_type, entity_id=entity_id)
            for problem in check.chain(entity_type, entity_id, entries):
                chains.problems.append(f"{entity_type} {entity_id}: {problem}")
    digests.problems = check.problems
    digests.anchored_chains = len(check.anchors)
    digests.unanchored_entries = check.unanchored
    return chains, digests


# --- One record's anchor, for the pages that show its history ---------------


class AnchorState:
    NOT_CONFIGURED = "not_configured"  # no digest store, or nothing to check with
    UNCHECKED = "unchecked"  # digests stored, no public key
    UNAVAILABLE = "unavailable"  # the store could not be read
    NOT_ANCHORED = "not_anchored"
    ANCHORED = "anchored"
    TAMPERED = "tampered"  # the digest or the chain fails the check


@dataclass(frozen=True)
class RecordAnchor:
    state: str
    digest_number: int | None = None
    anchored_length: int = 0  # entries 1..anchored_length are in the digest
    covers_until: dt.datetime | None = None
    newer: int = 0  # chained entries beyond the digest's leaf
    problem: str = ""  # what failed, in verify_audit's words
    digest_fails: bool = False  # the digest itself (not the chain) fails its check


# Parsed digests by store and number: written once, so kept until the cache
# (bounded) drops them; the latest number as a hint to probe up from.
CACHE_PREFIX = "audit-digest"


def _cache_key(store, what) -> str:
    where = hashlib.sha256(store.location.encode()).hexdigest()[:16]
    return f"{CACHE_PREFIX}:{where}:{what}"


def _stored_digest(store, number: int) -> Digest:
    """Digest #number, parsed (cached); DigestUnreadable when it is no digest."""
    key = _cache_key(store, number)
    digest = cache.get(key)
    if digest is None:
        try:
            digest = digest_parse(store.get(number).body)
        except ValueError as exc:
            raise DigestUnreadable(number, f"altered ({exc})") from None
        cache.set(key, digest, None)
    return digest


class DigestUnreadable(Exception):
    """A stored digest that is no digest any more."""

    def __init__(self, number: int, problem: str):
        super().__init__(f"digest #{number}: {problem}")
        self.number, self.problem = number, problem


def _covering(store, latest: int, moment: dt.datetime) -> int | None:
    """
    The number of the digest whose period (covers_from, covers_until]
    holds `moment`: a binary search over the numbers, the periods being
    consecutive (None when no digest's does).
    """
    low, high = 1, latest
    while low <= high:
        middle = (low + high) // 2
        digest = _stored_digest(store, middle)
        if moment <= dt.datetime.fromisoformat(digest.covers_from):
            high = middle - 1
        elif moment > dt.datetime.fromisoformat(digest.covers_until):
            low = middle + 1
        else:
            return middle
    return None


def record_anchor(*, entity_type: str, entity_id: str, store=None) -> RecordAnchor:
    """
    Whether one record's history is anchored, and by which digest: the
    newest digest holding its leaf is the one whose period holds the newest
    of its entries that the latest digest's period reaches. A page view
    reads a few digests (a binary search over their numbers, each cached),
    never all; `verify_audit` checks every chain against every digest.
    """
    if not settings.AUDIT_DIGEST_LOCATION:
        return RecordAnchor(AnchorState.NOT_CONFIGURED)
    try:
        return _record_anchor(entity_type, entity_id, store or digest_store())
    except DigestUnreadable as exc:
        return RecordAnchor(
            AnchorState.TAMPERED,
            digest_number=exc.number,
            problem=exc.problem,
            digest_fails=True,
        )
    except (ApplicationError, OSError, ValueError, BotoCoreError, ClientError) as exc:
        logger.warning(
            "audit digests unreadable for %s %s: %s", entity_type, entity_id, exc
        )
        return RecordAnchor(AnchorState.UNAVAILABLE, problem=str(exc))


def _record_anchor(entity_type: str, entity_id: str, store) -> RecordAnchor:
    hint_key = _cache_key(store, "latest")
    latest = store.latest_number(hint=cache.get(hint_key) or 0)
    cache.set(hint_key, latest, None)
    public_key = digest_public_key()
    if public_key is None:
        state = AnchorState.UNCHECKED if latest else AnchorState.NOT_CONFIGURED
        return RecordAnchor(state)
    if not latest:
        return RecordAnchor(AnchorState.NOT_ANCHORED)
    newest = audit_chain_newest(entity_type=entity_type, entity_id=entity_id)
    if newest is None:
        return RecordAnchor(AnchorState.NOT_ANCHORED)
    reach = dt.datetime.fromisoformat(_stored_digest(store, latest).covers_until)
    last_in = audit_chain_newest(
        entity_type=entity_type, entity_id=entity_id, until=reach
    )
    if last_in is None:
        return RecordAnchor(AnchorState.NOT_ANCHORED, newer=newest.seq)
    number = _covering(store, latest, last_in.timestamp)
    if number is None:
        return RecordAnchor(AnchorState.NOT_ANCHORED, newer=newest.seq)
    digest = _stored_digest(store, number)
    if fault := digest_fault(number, digest, public_key):
        return RecordAnchor(
            AnchorState.TAMPERED,
            digest_number=number,
            problem=fault.removeprefix(f"digest #{number}: "),
            digest_fails=True,
        )
    key = entity_key(entity_type, entity_id)
    leaf = next((leaf for leaf in digest.leaves if leaf.entity_key == key), None)
    if leaf is None:
        return RecordAnchor(
            AnchorState.TAMPERED,
            digest_number=number,
            problem=(
                f"entry #{last_in.seq} is dated within digest #{number}'s period, "
                "but that digest does not hold this record"
            ),
        )
    at = [last_in]
    if last_in.seq != leaf.length:
        at_length = audit_chain_newest(
            entity_type=entity_type,
            entity_id=entity_id,
            after=dt.datetime.fromisoformat(digest.covers_from),
            until=dt.datetime.fromisoformat(digest.covers_until),
            seq=leaf.length,
        )
        at = [at_length] if at_length else []
    fault = leaf_fault(number, leaf, at)
    return RecordAnchor(
        AnchorState.TAMPERED if fault else AnchorState.ANCHORED,
        digest_number=number,
        anchored_length=leaf.length,
        covers_until=dt.datetime.fromisoformat(digest.covers_until),
        newer=max(newest.seq - leaf.length, 0),
        problem=fault or "",
    )
