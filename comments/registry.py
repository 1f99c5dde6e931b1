"""
The kinds of record that carry a comment thread, as their own apps describe them.

Comments sit below the apps whose records they annotate, so each of those
apps registers its kind when Django starts (its `AppConfig.ready`): how a
record is read by id (to refuse a comment on none, and to name it) and how
it is named. The record's page is the one its audit kind names
(`audit.registry.RecordKind.page`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.errors import NotFound


@dataclass(frozen=True)
class CommentableKind:
    """One kind of record with a thread; `entity_type` as on the audit trail."""

    entity_type: str  # "invoice"
    label: str  # "Invoice": as a person names the kind
    read: Callable[[str], Any | None]  # the record with this id, or None
    name: Callable[[Any], str]  # how the trail and e-mails name one record


_KINDS: dict[str, CommentableKind] = {}


def register_commentable(kind: CommentableKind) -> None:
    """Add a kind of record with a thread; registering it again replaces it."""
    _KINDS[kind.entity_type] = kind


def commentable_kind(entity_type: str) -> CommentableKind:
    """The registered kind of `entity_type`; an unknown one is a 404."""
    kind = _KINDS.get(entity_type)
    if kind is None:
        raise NotFound(f"There are no comments on records of kind '{entity_type}'.")
    return kind


def commentable_record(entity_type: str, record_id: str):
    """The record a thread belongs to; a missing one is a 404."""
    kind = commentable_kind(entity_type)
    record = kind.read(record_id)
    if record is None:
        raise NotFound(f"There is no {kind.label.lower()} with id '{record_id}'.")
    return record
