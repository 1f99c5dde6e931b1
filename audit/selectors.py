"""Reads of the audit trail, always through an index."""

import datetime as dt
import itertools
import json
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, require_role
from audit.chain import chain_problems
from audit.changes import entries_changes
from audit.entries import actor_key, entity_key, number_key, record_head_read
from audit.models import LISTING, AuditAction, AuditChainHead, AuditEntry
from audit.registry import record_kind, record_kinds
from core import dynamo
from core.errors import NotFound
from core.exports import Export, every_item


def audit_history(
    *, entity_type: str, entity_id: str, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return one record's audit entries, newest first."""
    return dynamo.query_page(
        AuditEntry.entity_index,
        entity_key(entity_type, entity_id),
        cursor=cursor,
        limit=limit,
    )


def record_not_found(*, entity_type: str, entity_id: str) -> NotFound:
    """
    The refusal for a record id that reads nothing. When the record was
    deleted, it says when and by whom and links to its kept history (one
    query, on this path only).
    """
    kind = record_kinds()[entity_type]
    for entry in audit_history(
        entity_type=entity_type, entity_id=entity_id, limit=1
    ).items:
        if entry.action == AuditAction.DELETE:
            return NotFound(
                f"{kind} {entry.record_label} was deleted on "
                f"{timezone.localtime(entry.timestamp):%Y-%m-%d %H:%M} by "
                f"{entry.user_id}. Its history is kept in the audit trail.",
                {"history_url": reverse(
                    "audit:entity-history", args=[entity_type, entity_id]
                )},
            )  # fmt: skip
    return NotFound(f"There is no {kind.lower()} with id '{entity_id}'.")


EXPORT_HEADER = [
    "When", "Who", "Action", "Type", "Record type", "Record", "Record id",
    "What changed", "Details (JSON)", "Entry id",
]  # fmt: skip


def audit_history_export(*, entity_type: str, entity_id: str) -> Export:
    """Return one record's every audit entry, newest first, for download."""
    entries = every_item(audit_history, entity_type=entity_type, entity_id=entity_id)
    return Export(
        name=f"history-{entity_type}-{entity_id}",
        header=EXPORT_HEADER,
        rows=_export_rows(entries),
    )


def _export_rows(entries: Iterable[AuditEntry]) -> Iterator[list]:
    entries = iter(entries)
    while chunk := list(itertools.islice(entries, EXPORT_CHUNK)):
        for e, changes in entries_changes(chunk):
            yield [
                e.timestamp, e.user_id, e.action, e.type, e.entity_type, e.record_label,
                e.entity_id, "; ".join(c.text for c in changes), e.details_json, e.id,
            ]  # fmt: skip


# Entries whose references (a PO's vendor...) are read together for a download.
EXPORT_CHUNK = 100


def audit_entry_get(*, user, entry_id: str) -> AuditEntry | None:
    """Return one audit entry (Auditor); the chain heads kept in its table are none."""
    require_role(user, Role.AUDITOR, action="browse the audit trail")
    if not entry_id or len(entry_id) > 100:
        return None
    try:
        entry = AuditEntry.get(entry_id)
    except AuditEntry.DoesNotExist:
        return None
    return entry if entry.entity_key is not None else None


def audit_entry_list(
    *,
    user,
    entity_type: str | None = None,
    entity_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dynamo.Page:
    """
    Return audit entries matching the filters, newest first (Auditor).

    `entity_id` is what a person knows a record by: a PO, invoice or payment
    run number, a vendor's name, or an internal id (no record type needed;
    `entity_type` narrows it); `user_id` a user's name in any case. Those
    filters read the few index partitions that can hold a match (the
    record's history, its number's, the user's) and merge them by time;
    without them, one kind of record's index or every entry's answers. The
    date range is the key condition, the other filters filter within it.
    """
    require_role(user, Role.AUDITOR, action="browse the audit trail")
    dates = dynamo.days_between(
        AuditEntry.timestamp, date_from, date_to, to_field="date_to"
    )
    scope = "|".join(
        str(v or "")
        for v in (entity_type, entity_id, user_id, action, date_from, date_to)
    )
    actions = [AuditEntry.action == action] if action else []
    if entity_id or user_id:
        if entity_id:
            who = [_actor_condition(user_id)] if user_id else []
            sources = _record_sources(
                entity_id.strip(), entity_type, filters=who + actions
            )
        else:
            of_type = [AuditEntry.entity_type == entity_type] if entity_type else []
            sources = _actor_sources(user_id, filters=of_type + actions)
        return _merged_page(
            sources,
            range_key_condition=dates,
            cursor=cursor,
            limit=limit,
            scope=scope,
        )
    if entity_type:
        index, key = AuditEntry.type_index, entity_type
    else:
        index, key = AuditEntry.listing_index, LISTING
    return dynamo.query_page(
        index,
        key,
        range_key_condition=dates,
        filter_condition=dynamo.all_of(*actions),
        cursor=cursor,
        limit=limit,
        scope=scope,
    )


# --- Finding entries by number and by name ----------------------------------


@dataclass(frozen=True)
class _Source:
    """One index partition a filtered list reads, with its own filter."""

    index: object
    hash_key: str
    filter_condition: object = None

    @property
    def name(self) -> str:
        return f"{self.index.Meta.index_name}:{self.hash_key}"


def _record_sources(text: str, entity_type: str | None, *, filters) -> list[_Source]:
    """
    The partitions holding the entries of the records `text` names: the
    number index (entries since it exists, a deleted record's and a
    vendor's under a former name included) and the history of each live
    record the apps find by that number or name (older entries too). When no
    app knows the text, it may be a record's internal id.
    """
    kinds = [entity_type] if entity_type else list(record_kinds())
    sources = []
    key = number_key(text)
    if key and len(key.encode()) <= HASH_KEY_MAX_BYTES:
        of_type = [AuditEntry.entity_type == entity_type] if entity_type else []
        sources.append(
            _Source(AuditEntry.number_index, key, dynamo.all_of(*of_type, *filters))
        )
    found = []
    for kind in kinds:
        finder = record_kind(kind).find
        found += [(kind, record_id) for record_id in (finder(text) if finder else ())]
    if not found and len(entity_key(kinds[0], text).encode()) <= HASH_KEY_MAX_BYTES:
        found = [(kind, text) for kind in kinds]
    return sources + [
        _Source(AuditEntry.entity_index, key, dynamo.all_of(*filters))
        for key in dict.fromkeys(entity_key(kind, rid) for kind, rid in found)
    ]


def _user_names(text: str) -> list[str]:
    """
    The names the trail may record `text`'s user under: as typed and every
    account's name equal to it in any case (entries written before
    `actor_key` carry only the exact name).
    """
    name = text.strip()
    model = get_user_model()
    field = model.USERNAME_FIELD
    accounts = model.objects.filter(**{f"{field}__iexact": name})
    return list(dict.fromkeys([name, *accounts.values_list(field, flat=True)[:20]]))


def _actor_condition(text: str):
    """An entry's user is `text`'s, in any case."""
    return (AuditEntry.actor_key == actor_key(text)) | AuditEntry.user_id.is_in(
        *_user_names(text)
    )


def _actor_sources(text: str, *, filters) -> list[_Source]:
    """The partitions of what `text`'s user did: by case-folded name, by exact names."""
    condition = dynamo.all_of(*filters)
    sources = [_Source(AuditEntry.actor_index, actor_key(text), condition)]
    return sources + [
        _Source(AuditEntry.user_index, name, condition) for name in _user_names(text)
    ]


# DynamoDB refuses a partition key over 2,048 bytes.
HASH_KEY_MAX_BYTES = 2048


class _Reader:
    """Reads one source newest first, a page at a time, remembering where it is."""

    def __init__(self, source: _Source, start, *, range_key_condition, page_size):
        self.source, self.position = source, start
        self.range_key_condition, self.page_size = range_key_condition, page_size
        self.buffer: deque = deque()
        self.exhausted = False

    def read(self) -> int:
        """Read the next page into the buffer; return how many items DynamoDB read."""
        results = self.source.index.query(
            self.source.hash_key,
            range_key_condition=self.range_key_condition,
            filter_condition=self.source.filter_condition,
            scan_index_forward=False,
            last_evaluated_key=self.position,
            page_size=self.page_size,
        )
        pages = results.page_iter
        page = next(pages)
        names = list(pages.key_names)
        for raw in page.get("Items", []):
            entry = self.source.index._model.from_raw_data(raw)
            self.buffer.append((entry, {name: raw[name] for name in names}))
        if pages.last_evaluated_key is None:
            self.exhausted = True
        elif not self.buffer:
            self.position = pages.last_evaluated_key  # nothing matched: skip it
        return page.get("ScannedCount", 0)

    def head(self) -> AuditEntry:
        return self.buffer[0][0]

    def pop(self) -> AuditEntry:
        entry, self.position = self.buffer.popleft()
        return entry

    @property
    def finished(self) -> bool:
        return self.exhausted and not self.buffer


def _merged_page(
    sources: list[_Source], *, range_key_condition, cursor, limit: int, scope: str
) -> dynamo.Page:
    """
    One page of the entries of several partitions, newest first, each entry
    once (a new entry is in its record's partition and its number's).

    An entry is taken only while every partition not yet read to its end has
    one waiting, so the order is exact; the cursor holds each partition's
    place. Reading stops after `dynamo.FILTERED_READ_LIMIT` items, as a
    filtered list does, returning what it has and a cursor to read on.
    """
    scope = "merged:" + ",".join(s.name for s in sources) + ":" + scope
    places = dynamo.decode_cursor(cursor, scope=scope)
    filtered = any(s.filter_condition is not None for s in sources)
    page_size = dynamo.FILTERED_PAGE_SIZE if filtered else limit + 1
    readers = [
        _Reader(
            source,
            places.get(source.name) if places else None,
            range_key_condition=range_key_condition,
            page_size=page_size,
        )
        for source in sources
        if places is None or source.name in places
    ]
    budget, items, shown = dynamo.FILTERED_READ_LIMIT, [], set()
    while len(items) < limit:
        waiting = [r for r in readers if not r.buffer and not r.exhausted]
        if any(budget <= 0 for _ in waiting):
            break
        for reader in waiting:
            budget -= reader.read()
        if any(not r.buffer and not r.exhausted for r in readers):
            continue  # a page with no match: read on (or stop, out of budget)
        ready = [r for r in readers if r.buffer]
        if not ready:
            break
        newest = max(ready, key=lambda r: (r.head().timestamp, r.head().id))
        entry = newest.pop()
        if entry.id not in shown:
            shown.add(entry.id)
            items.append(entry)
    for reader in readers:  # the other copy of an entry shown here
        while reader.buffer and reader.head().id in shown:
            reader.pop()
    left = {r.source.name: r.position for r in readers if not r.finished}
    return dynamo.Page(items, dynamo.encode_cursor(left, scope=scope) if left else None)


def audit_entry_export(
    *,
    user,
    entity_type: str | None = None,
    entity_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Export:
    """Return every entry the audit browser shows with these filters (Auditor)."""
    require_role(user, Role.AUDITOR, action="export the audit trail")
    entries = every_item(
        audit_entry_list,
        user=user,
        entity_type=entity_type,
        entity_id=entity_id,
        user_id=user_id,
        action=action,
        date_from=date_from,
        date_to=date_to,
    )
    return Export(name="audit-trail", header=EXPORT_HEADER, rows=_export_rows(entries))


def audit_records_touched(
    *, entity_type: str, since: dt.datetime | None = None
) -> Iterator[str]:
    """Ids of the records of one kind with entries since `since`, each once."""
    condition = AuditEntry.timestamp >= since if since else None
    seen = set()
    for entry in AuditEntry.type_index.query(
        entity_type, range_key_condition=condition
    ):
        if entry.entity_id not in seen:
            seen.add(entry.entity_id)
            yield entry.entity_id


def audit_records_with_chains(*, entity_type: str) -> Iterator[str]:
    """
    Ids of the records of one kind that have a chain head, even if every
    entry of theirs is gone (for `verify_audit`, an operations command: it
    reads the heads with a filtered scan, which no request ever does).
    """
    prefix = AuditChainHead.key(entity_key(entity_type, ""))
    for head in AuditChainHead.scan(AuditChainHead.id.startswith(prefix)):
        yield head.id[len(prefix) :]
    # Records that carry their own head (dynamo.chain_head_on_record).
    model_cls = dynamo.head_on_record_model(entity_type)
    if model_cls is not None:
        key_name = model_cls._hash_keyname
        for record in model_cls.scan(
            model_cls.audit_length.exists(), attributes_to_get=[key_name]
        ):
            yield getattr(record, key_name)


def audit_chain(
    *, entity_type: str, entity_id: str
) -> tuple[list, AuditChainHead | None]:
    """
    One record's chain head, then its entries (oldest first).

    The head is read first, so an entry the application writes meanwhile
    shows as one beyond the head's length; `audit_chains_verify` reads
    again before calling that an insertion.
    """
    key = entity_key(entity_type, entity_id)
    head = _record_head(entity_type, entity_id)
    if head is None:
        try:
            head = AuditChainHead.get(AuditChainHead.key(key), consistent_read=True)
        except AuditChainHead.DoesNotExist:
            head = None
        if head is not None and head.moved:
            # The record took its head over and no longer carries it (a
            # deleted record's head is written back here, `moved` removed).
            head = None
    entries = list(AuditEntry.entity_index.query(key, scan_index_forward=True))
    return entries, head


def audit_chain_newest(
    *,
    entity_type: str,
    entity_id: str,
    after: dt.datetime | None = None,
    until: dt.datetime | None = None,
    seq: int | None = None,
) -> AuditEntry | None:
    """
    One record's newest chained entry timestamped in (after, until], or the
    newest at chain position `seq` there: one query of its history's index.
    """
    if after is not None and until is not None:
        times = AuditEntry.timestamp.between(
            after + dt.timedelta(microseconds=1), until
        )
    elif until is not None:
        times = AuditEntry.timestamp <= until
    else:
        times = None
    position = AuditEntry.seq == seq if seq is not None else AuditEntry.seq.exists()
    for entry in AuditEntry.entity_index.query(
        entity_key(entity_type, entity_id),
        range_key_condition=times,
        filter_condition=position,
        scan_index_forward=False,
        limit=1,
    ):
        return entry
    return None


def _record_head(entity_type: str, entity_id: str) -> AuditChainHead | None:
    """The head a record carries on itself (as an unsaved AuditChainHead), or None."""
    model_cls = dynamo.head_on_record_model(entity_type)
    if model_cls is None:
        return None
    length, last_hash = record_head_read(model_cls, entity_id) or (None, None)
    if length is None:
        return None
    return AuditChainHead(
        AuditChainHead.key(entity_key(entity_type, entity_id)),
        last_hash=last_hash,
        length=length,
    )


@dataclass
class ChainReport:
    records: int = 0
    entries: int = 0
    unchained: int = 0  # written before chaining existed
    problems: list[str] = field(default_factory=list)


def audit_chains_verify(
    *,
    entity_types: tuple[str, ...] | None = None,
    since: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
    visit: Callable[[str, str, list], list[str]] | None = None,
) -> ChainReport:
    """
    Recompute the hash chain of every record with entries since `since` (all
    records when None) and report each entry altered, removed or inserted.
    `entity_types` None checks every registered kind of record. `visit`
    (entity type, id, entries) returns more problems of a chain read here
    (its digests', audit.anchoring), so no chain is read twice.
    """
    report = ChainReport()
    for entity_type in entity_types or tuple(record_kinds()):
        records = dict.fromkeys(
            audit_records_touched(entity_type=entity_type, since=since)
        )
        if since is None:  # also the records whose every entry was removed
            records.update(
                dict.fromkeys(audit_records_with_chains(entity_type=entity_type))
            )
        for entity_id in records:
            entries, head = audit_chain(entity_type=entity_type, entity_id=entity_id)
            if head is not None and any((e.seq or 0) > head.length for e in entries):
                # Written while we read? Read again: the head moves with it.
                entries, head = audit_chain(
                    entity_type=entity_type, entity_id=entity_id
                )
            beyond = [
                e for e in entries if head is not None and (e.seq or 0) > head.length
            ]
            entries = [e for e in entries if e not in beyond]
            chained = [e for e in entries if e.seq is not None]
            unchained = [e for e in entries if e.seq is None]
            report.records += 1
            report.entries += len(entries)
            problems = chain_problems(
                chained,
                head_length=head.length if head else None,
                head_hash=head.last_hash if head else None,
            )
            # Entries before the chain began are legacy; one dated after it
            # began was slipped in without a link.
            started = min((e.timestamp for e in chained), default=None)
            for entry in unchained:
                if started is not None and entry.timestamp >= started:
                    problems.append(
                        f"entry {entry.id} ({entry.action} at "
                        f"{entry.timestamp:%Y-%m-%d %H:%M:%S}): inserted without "
                        "a chain link"
                    )
                else:
                    report.unchained += 1
            problems += [
                f"entry {e.id} (#{e.seq}): inserted beyond the chain's head"
                for e in beyond
            ]
            if visit:
                problems += visit(entity_type, entity_id, entries)
            for problem in problems:
                report.problems.append(f"{entity_type} {entity_id}: {problem}")
            if progress:
                progress(f"{entity_type} {entity_id}")
    return report


def audit_details_since(
    *, entity_type: str, actions: tuple[str, ...], since: dt.datetime
) -> Iterator[tuple[dt.datetime, dict]]:
    """
    The time and details of every entry of `actions` about records of
    `entity_type` since `since`, from the type index (only those attributes
    are read).
    """
    for entry in AuditEntry.type_index.query(
        entity_type,
        range_key_condition=AuditEntry.timestamp >= since,
        filter_condition=AuditEntry.action.is_in(*actions),
        attributes_to_get=["timestamp", "details", "entity_key", "id"],
    ):
        yield entry.timestamp, json.loads(entry.details_json)
