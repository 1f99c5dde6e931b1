"""
Tamper evidence: the audit entries of one record form a hash chain.

Each entry stores its position (`seq`), the previous entry's hash and the
SHA-256 of its own canonical content, which includes that previous hash.
Editing an entry breaks its hash; removing or inserting one breaks the links
or the positions; removing the newest ones leaves the chain shorter than its
head (`AuditChainHead`) says. `verify_audit` recomputes all of it.

SHA-256 proves an entry unchanged since written, not who wrote it: someone
able to rewrite the table *and* recompute every later hash of a chain could
forge one, which is why the head is moved only inside the change's own
transaction and the audit table is append-only for the application role.
"""

import hashlib
import json

GENESIS = "0" * 64


def canonical_content(entry, *, seq: int, prev_hash: str) -> bytes:
    """
    The bytes an entry's hash covers: every field a reader relies on. The
    record's label and the lookup keys count once an entry has them, so
    entries written before those existed keep the hash they were written with.
    """
    content = {
        "id": entry.id,
        "type": entry.type,
        "action": entry.action,
        "entity_type": entry.entity_type,
        "entity_id": entry.entity_id,
        "user_id": entry.user_id,
        "timestamp": entry.timestamp.isoformat(),
        "details": entry.details_json,
        "seq": seq,
        "prev_hash": prev_hash,
    }
    # Likewise the lookup keys: who hides an entry from a search by editing
    # its key breaks its hash.
    for name in ("label", "actor_key", "number_key"):
        if getattr(entry, name, None) is not None:
            content[name] = getattr(entry, name)
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def entry_hash(entry, *, seq: int, prev_hash: str) -> str:
    return hashlib.sha256(
        canonical_content(entry, seq=seq, prev_hash=prev_hash)
    ).hexdigest()


def chain_problems(
    entries: list, *, head_length: int | None, head_hash: str | None
) -> list[str]:
    """
    Return what is wrong with one record's chain (empty when intact).

    `entries` are the record's chained entries in any order; the head is the
    record's `AuditChainHead` (None when missing).
    """
    problems = []
    ordered = sorted(entries, key=lambda e: (e.seq, e.timestamp))
    previous_hash, expected_seq = GENESIS, 1
    for entry in ordered:
        where = f"entry {entry.id} (#{entry.seq}, {entry.action} at {entry.timestamp:%Y-%m-%d %H:%M:%S})"
        if entry.seq < expected_seq:
            problems.append(f"{where}: inserted (position {entry.seq} is taken)")
            continue
        if entry.seq > expected_seq:
            missing = ", ".join(f"#{n}" for n in range(expected_seq, entry.seq))
            problems.append(f"entries {missing} before {where}: removed")
        if entry.prev_hash != previous_hash and entry.seq == expected_seq:
            problems.append(
                f"{where}: its link to the previous entry is broken (inserted or reordered)"
            )
        if entry.entry_hash != entry_hash(
            entry, seq=entry.seq, prev_hash=entry.prev_hash
        ):
            problems.append(
                f"{where}: altered (its content no longer matches its hash)"
            )
        previous_hash, expected_seq = entry.entry_hash, entry.seq + 1
    if head_length is None:
        if ordered:
            problems.append("the chain's head is missing")
    else:
        if head_length > expected_seq - 1:
            missing = ", ".join(f"#{n}" for n in range(expected_seq, head_length + 1))
            problems.append(f"entries {missing} at the end: removed")
        elif head_hash != previous_hash and not problems:
            problems.append("the chain's head does not point at its last entry")
    return problems
