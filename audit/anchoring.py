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
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

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
from audit.selectors import ChainReport, audit_chain, audit_chains_verify
from core.errors import ApplicationError


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
        own_key = public_key_id(public_key)
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
            if digest.number != item.number or not merkle_root_matches(digest):
                self.problems.append(f"{where}: altered")
            elif not signature_valid(digest, public_key):
                self.problems.append(
                    f"{where}: signed by another key"
                    if digest.key_id != own_key
                    else f"{where}: altered (its signature does not match)"
                )
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
        at = [e for e in chained if e.seq == leaf.length]
        if not at:
            return [f"entries removed after digest #{number}"]
        if any(e.entry_hash != leaf.last_entry_hash for e in at):
            return [
                f"rewritten after digest #{number} "
                f"(entry #{leaf.length}'s hash differs from the digest's)"
            ]
        return []


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
