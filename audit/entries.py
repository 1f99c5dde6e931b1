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
from dataclasses import dataclass
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


def head_item_keys(records) -> list[str]:
    """
    Of (entity type, record) pairs, the entity keys whose chain head may be
    an AuditChainHead item: records that do not carry their head yet (a
    record carrying it, `audit_length`, needs no read of an item).
    """
    return [
        entity_key(entity_type, record.id)
        for entity_type, record in records
        if record is not None and getattr(record, "audit_length", None) is None
    ]


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
    """
    Add entries (of one or more records) to the transaction, each chained.

    A record whose model keeps its chain head on itself (Invoice,
    PurchaseOrder: `dynamo.chain_head_on_record`) has the head moved inside
    its own write in this transaction, or, when the transaction does not
    write it (a refused attempt, a job's error), by an update of only its
    head; either conditioned on the head as read, so the chain never forks.
    Other records keep their head in an `AuditChainHead` item.
    """
    moved = getattr(transaction, "_audit_heads_moved", set())
    transaction._audit_heads_moved = moved
    by_record: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_record.setdefault(entry.entity_key, []).append(entry)
    for key in by_record:
        if key in moved:
            raise ValueError(f"{key}'s chain already moves in this transaction.")
    # Where each record's head is: on the record (its length as read, or None
    # for a record that has not taken its head over yet), or in an item.
    on_record = {}
    for key, record_entries in by_record.items():
        first = record_entries[0]
        model_cls = dynamo.head_on_record_model(first.entity_type)
        if model_cls is None or not isinstance(transaction, dynamo.RecordTransactWrite):
            continue
        head = _record_head(transaction, model_cls, first.entity_id)
        if head is not None:
            on_record[key] = (model_cls, first.entity_id, *head)
    heads = _heads(transaction)
    missing = [
        k
        for k in by_record
        if k not in heads and (k not in on_record or on_record[k][2] is None)
    ]
    if len(missing) == 1:
        try:
            heads[missing[0]] = AuditChainHead.get(
                AuditChainHead.key(missing[0]), consistent_read=True
            )
        except AuditChainHead.DoesNotExist:
            heads[missing[0]] = None
    elif missing:
        audit_heads_prefetch(transaction, missing)
    for key, record_entries in by_record.items():
        moved.add(key)
        item = None
        if key in on_record and on_record[key][2] is not None:
            _, _, length, previous = on_record[key]
        else:
            item = heads[key]
            if item is not None and item.moved and key in on_record:
                raise ValueError(
                    f"{key}'s chain head was moved onto the record, which no "
                    "longer carries it: refusing to fork its chain."
                )
            previous, length = (item.last_hash, item.length) if item else (GENESIS, 0)
        old_length = length
        for entry in record_entries:
            length += 1
            entry.seq, entry.prev_hash = length, previous
            entry.entry_hash = previous = entry_hash(
                entry, seq=length, prev_hash=entry.prev_hash
            )
            transaction.save(entry, condition=AuditEntry.id.does_not_exist())
        if key in on_record:
            model_cls, entity_id, read_length, _ = on_record[key]
            _pending(transaction)[key] = _HeadMove(
                model_cls, entity_id, read_length, length, previous, item
            )
            continue
        if item is None:
            transaction.save(
                AuditChainHead(
                    AuditChainHead.key(key), last_hash=previous, length=length
                ),
                condition=AuditChainHead.id.does_not_exist(),
            )
        else:
            transaction.update(
                AuditChainHead(item.id),
                actions=[
                    AuditChainHead.last_hash.set(previous),
                    AuditChainHead.length.set(length),
                ],
                condition=AuditChainHead.length == old_length,
            )


@dataclass
class _HeadMove:
    """A head kept on its record, to move when the transaction is sent."""

    model_cls: type
    entity_id: str
    read_length: int | None  # None: the record did not carry its head yet
    length: int
    last_hash: str
    item: AuditChainHead | None  # its AuditChainHead (legacy), to retire


def _pending(transaction) -> dict[str, _HeadMove]:
    if not hasattr(transaction, "_audit_head_moves"):
        transaction._audit_head_moves = {}
    return transaction._audit_head_moves


def _record_head(transaction, model_cls, entity_id: str) -> tuple | None:
    """
    The chain head a record carries, as (length, last hash), (None, None)
    when it carries none yet, or None when the record does not exist (a
    deleted record's head is its tombstone, an AuditChainHead item). The
    record as the transaction writes it counts; one not written, or written
    from its key alone, is read (its head only, consistently).
    """
    held = transaction.held_write(model_cls, entity_id)
    if held is not None:
        kind, record, _ = held
        if kind == "save" or (kind != "check" and record.version is not None):
            return record.audit_length, record.audit_hash
    return record_head_read(model_cls, entity_id)


def record_head_read(model_cls, entity_id: str) -> tuple | None:
    """
    The chain head a stored record carries, as (length, last hash) ((None,
    None): none yet), read consistently and alone; None for no such record.
    """
    try:
        record = model_cls.get(
            entity_id,
            consistent_read=True,
            attributes_to_get=[model_cls._hash_keyname, "audit_length", "audit_hash"],
        )
    except model_cls.DoesNotExist:
        return None
    return record.audit_length, record.audit_hash


def _head_condition(model_cls, read_length: int | None):
    if read_length is None:
        return model_cls.audit_length.does_not_exist()
    return model_cls.audit_length == read_length


def _and(condition, more):
    return more if condition is None else condition & more


def _tombstone_add(transaction, key: str, length: int, last_hash: str, item) -> None:
    """A deleted record's final head, as an AuditChainHead item."""
    condition = (
        (AuditChainHead.length == item.length)
        if item is not None
        else AuditChainHead.id.does_not_exist() | AuditChainHead.moved.exists()
    )
    transaction.save(
        AuditChainHead(AuditChainHead.key(key), last_hash=last_hash, length=length),
        condition=condition,
    )


def _heads_fold(transaction) -> None:
    """
    Before the transaction is sent: fold each head kept on a record into
    that record's write (an update of only the head when there is none),
    retire a legacy head item, and leave a deleted record's final head
    behind as a tombstone.
    """
    pending = getattr(transaction, "_audit_head_moves", {})
    for key, move in pending.items():
        model_cls = move.model_cls
        actions = [
            model_cls.audit_length.set(move.length),
            model_cls.audit_hash.set(move.last_hash),
        ]
        condition = _head_condition(model_cls, move.read_length)
        held = transaction.held_write(model_cls, move.entity_id)
        checked = None
        if held is not None and held[0] == "check":
            # A check of the record (it exists): its condition joins the head's move.
            checked = transaction.held_release(model_cls, move.entity_id)[2][
                "condition"
            ]
            held = None
        if held is None:
            # Only the head moves: the record's version stays as it is.
            transaction.update_fields(
                model_cls(move.entity_id),
                {"audit_length": move.length, "audit_hash": move.last_hash},
                condition=_and(
                    checked,
                    getattr(model_cls, model_cls._hash_keyname).exists() & condition,
                ),
                move_version=False,
            )
            kind, record, kwargs = transaction.held_write(model_cls, move.entity_id)
            kind = "head only"
        else:
            kind, record, kwargs = held
        if kind == "delete":
            kwargs["condition"] = _and(kwargs.get("condition"), condition)
            _tombstone_add(transaction, key, move.length, move.last_hash, move.item)
            continue
        if kind == "head only":
            pass
        elif kind == "update":
            kwargs["actions"] = kwargs["actions"] + actions
            kwargs["condition"] = _and(kwargs.get("condition"), condition)
        elif kind == "fields":
            kwargs["fields"] |= {
                "audit_length": move.length,
                "audit_hash": move.last_hash,
            }
            kwargs["condition"] = _and(kwargs.get("condition"), condition)
        else:  # a new record: saved with its head
            record.audit_length, record.audit_hash = move.length, move.last_hash
            kwargs["condition"] = _and(kwargs.get("condition"), condition)
        if move.item is not None:
            transaction.update(
                AuditChainHead(move.item.id),
                actions=[AuditChainHead.moved.set(1)],
                condition=(AuditChainHead.length == move.item.length)
                & AuditChainHead.moved.does_not_exist(),
            )

        def learn(record=record, move=move) -> None:
            record.audit_length, record.audit_hash = move.length, move.last_hash

        transaction.after_commit.append(learn)
    # A record carrying its head deleted without an entry: its head stays.
    for kind, record, kwargs in list(transaction.held.values()):
        if kind != "delete" or getattr(record, "audit_length", None) is None:
            continue
        key = entity_key(dynamo.head_on_record_kind(type(record)), record.id)
        if key in pending:
            continue
        kwargs["condition"] = _and(
            kwargs.get("condition"), type(record).audit_length == record.audit_length
        )
        _tombstone_add(transaction, key, record.audit_length, record.audit_hash, None)


dynamo.RecordTransactWrite.finalizers.append(_heads_fold)


def _heads(transaction) -> dict:
    """Chain heads read for this transaction, by entity key (None: no chain yet)."""
    if not hasattr(transaction, "_audit_heads"):
        transaction._audit_heads = {}
    return transaction._audit_heads
