"""
Building audit entries and adding them, hash-chained, to a transaction.

Each app's `events.py` holds one keyword-only builder per event it records,
built on `audit_entry`; a service saves the entry in the same TransactWrite
as its change with `audit_entry_add` (or through `core.writes`, whose
journal this module is), which never overwrites an entry. An entry takes
its record's `label` (its number or name; None only where the service does
not hold the record), so the trail names records without reading them.
"""

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from audit.chain import GENESIS, entry_hash
from audit.models import AuditAction, AuditChainHead, AuditEntry
from audit.registry import record_kind
from core import dynamo
from core.text import compact_key


def entity_key(entity_type: str, entity_id: str) -> str:
    return f"{entity_type}#{entity_id}"


def actor_key(name: str) -> str:
    """The form in which a user's name is looked up: "Clerk " finds clerk."""
    return name.strip().casefold()


def number_key(text: str) -> str:
    """
    The form in which a record's number or name is looked up: NFKC, case
    folded, without spaces, dashes, dots and slashes ("po 2026/000004").
    """
    return compact_key(text)


def actor_id(user) -> str:
    """The name the audit trail records for a user (or a job's fixed name)."""
    if isinstance(user, str):
        return user
    return user.get_username()


def audit_entry(
    *,
    entity_type: str,
    entity_id: str,
    action: AuditAction | str,
    user,
    details: dict[str, Any],
    label: str | None = None,
    number: str | None = None,
) -> AuditEntry:
    """
    Build (not save) an audit entry of a registered kind of record; `label`
    names the record ("PO-2026-000001"), `number` is what people look it up
    by when that is not the whole label (an invoice's number, not its vendor).
    """
    kind = record_kind(entity_type)
    if kind is None:
        raise ValueError(f"{entity_type!r} is no registered audit record kind.")
    user_id = actor_id(user)
    lookup = number or label
    return AuditEntry(
        id=str(uuid.uuid4()),
        type=kind.audit_type,
        action=str(action),
        entity_type=entity_type,
        entity_id=entity_id,
        entity_key=entity_key(entity_type, entity_id),
        user_id=user_id,
        timestamp=dynamo.utcnow(),
        details_json=json.dumps(details, cls=DjangoJSONEncoder, sort_keys=True),
        label=label,
        actor_key=actor_key(user_id) or None,
        number_key=(number_key(lookup) or None) if lookup else None,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict]:
    """Return `{"before": {...}, "after": {...}}` holding only the fields that differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {
        "before": {k: before.get(k) for k in keys},
        "after": {k: after.get(k) for k in keys},
    }


def audit_entry_add(transaction, entry: AuditEntry) -> None:
    """
    Add the entry to the change's transaction, chained to its record's
    previous entry (audit.chain); an existing entry is never overwritten.
    """
    audit_entries_add(transaction, [entry])


def audit_entry_write(entry: AuditEntry) -> None:
    """
    Write, chained, an entry that changes no record in its own transaction:
    a refused attempt, a job's error or its completion.
    """
    with dynamo.write_transaction() as transaction:
        audit_entry_add(transaction, entry)


def audit_heads_read(entity_keys: list[str]) -> dict[str, AuditChainHead | None]:
    """
    Read the chain heads of many records (consistently, 100 per request):
    by entity key, None for a record with no entry yet.
    """
    keys = list(dict.fromkeys(entity_keys))
    found = (
        {
            head.id: head
            for head in AuditChainHead.batch_get(
                [AuditChainHead.key(k) for k in keys], consistent_read=True
            )
        }
        if keys
        else {}
    )
    return {key: found.get(AuditChainHead.key(key)) for key in keys}


def audit_heads_prefetch(
    transaction,
    entity_keys: list[str],
    *,
    known: dict[str, AuditChainHead | None] | None = None,
) -> None:
    """
    Give a batch write the chain heads of many records: those in `known` (read
    beforehand with `audit_heads_read`; a head moved since then fails its
    condition, so nothing is written on a stale link), the rest read in one go.
    """
    heads = _heads(transaction)
    known = known or {}
    wanted = [k for k in dict.fromkeys(entity_keys) if k not in heads]
    heads.update({k: known[k] for k in wanted if k in known})
    heads.update(audit_heads_read([k for k in wanted if k not in known]))


def audit_entries_add(transaction, entries: list[AuditEntry]) -> None:
    """Add entries (of one or more records) to the transaction, each chained."""
    heads = _heads(transaction)
    missing = [e.entity_key for e in entries if e.entity_key not in heads]
    if len(missing) == 1:
        try:
            heads[missing[0]] = AuditChainHead.get(
                AuditChainHead.key(missing[0]), consistent_read=True
            )
        except AuditChainHead.DoesNotExist:
            heads[missing[0]] = None
    elif missing:
        audit_heads_prefetch(transaction, missing)
    moved = getattr(transaction, "_audit_heads_moved", set())
    transaction._audit_heads_moved = moved
    by_record: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_record.setdefault(entry.entity_key, []).append(entry)
    for key, record_entries in by_record.items():
        if key in moved:
            raise ValueError(f"{key}'s chain already moves in this transaction.")
        moved.add(key)
        head = heads[key]
        previous, length = (head.last_hash, head.length) if head else (GENESIS, 0)
        for entry in record_entries:
            length += 1
            entry.seq, entry.prev_hash = length, previous
            entry.entry_hash = previous = entry_hash(
                entry, seq=length, prev_hash=entry.prev_hash
            )
            transaction.save(entry, condition=AuditEntry.id.does_not_exist())
        if head is None:
            transaction.save(
                AuditChainHead(
                    AuditChainHead.key(key), last_hash=previous, length=length
                ),
                condition=AuditChainHead.id.does_not_exist(),
            )
        else:
            transaction.update(
                AuditChainHead(head.id),
                actions=[
                    AuditChainHead.last_hash.set(previous),
                    AuditChainHead.length.set(length),
                ],
                condition=AuditChainHead.length == head.length,
            )


def _heads(transaction) -> dict:
    """Chain heads read for this transaction, by entity key (None: no chain yet)."""
    if not hasattr(transaction, "_audit_heads"):
        transaction._audit_heads = {}
    return transaction._audit_heads
