"""
What an audit entry changed, as a person reads it.

An entry's details are stored as written (field names, ids, exact amounts);
here they become rows with the app's labels, the names of the records they
refer to, amounts in their currency, dates, grouped account numbers, Yes/No,
a list of lines line by line (or, when edited, the lines that changed), and
only what changed: a field whose value stays the same is left out, so a
first of two approvals reads "Approval: 1 of 2 by approver" rather than
"status: pending → pending". Each app registers how its fields read
(`audit.registry.Shape`); a field nobody registered still reads sensibly.

The records referred to are read once per page of entries, a batch per
kind of record, through the hooks the apps register.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import formats, timezone

from audit import registry
from audit.registry import TEXT, Shape, record_kind
from core.templatetags.money import amount, money, quantity

# As every page prints them (the date pickers state the one format).
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"


@dataclass
class Change:
    """
    One row of an entry's changes: `before` and `after` as text (None when
    absent), or its `parts` (a list of lines: each line, or those changed).
    """

    label: str
    before: str | None = None
    after: str | None = None
    parts: list["Change"] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The change on one line, for downloads."""
        if self.parts:
            return f"{self.label}: " + "; ".join(part.text for part in self.parts)
        if self.before is not None and self.after is not None:
            return f"{self.label}: {self.before} → {self.after}"
        return f"{self.label}: {self.after if self.after is not None else self.before}"


def entries_changes(entries: Iterable) -> list[tuple[Any, list[Change]]]:
    """Return each entry with its changes, reading what they refer to in one go."""
    entries = list(entries)
    facts = _facts_read(entries)
    return [(entry, entry_changes(entry, facts=facts)) for entry in entries]


def entry_changes(entry, *, facts: Mapping | None = None) -> list[Change]:
    """Return the entry's changes; `facts` are the records it refers to by kind."""
    kind = record_kind(entry.entity_type)
    shapes = kind.fields if kind else {}
    details = entry.details if isinstance(entry.details, dict) else {}
    reading = _Reading(entry, details, facts or {})
    before = details.get("before") if isinstance(details.get("before"), dict) else {}
    after = details.get("after") if isinstance(details.get("after"), dict) else {}
    changes = []
    for name in _ordered(list(after) or list(before), shapes):
        shape = shapes.get(name) or _unregistered(name)
        change = reading.change(shape, before.get(name), after.get(name))
        if change is not None:
            changes.append(change)
    others = [k for k in details if k not in ("before", "after")]
    for name in _ordered(others, shapes):
        shape = shapes.get(name) or _unregistered(name)
        text = reading.value(shape, details[name])
        if text is not None:
            changes.append(Change(label=shape.label, after=text))
    return changes


def _ordered(names: list[str], shapes: Mapping[str, Shape]) -> list[str]:
    """The registered fields in their registered order, then any others."""
    known = [n for n in shapes if n in names]
    return known + [n for n in names if n not in shapes]


def _unregistered(name: str) -> Shape:
    return Shape(label=str(name).replace("_", " ").capitalize())


def _facts_read(entries: list) -> dict[str, Mapping]:
    """The records the entries refer to (and whose currency they need), by kind."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        kind = record_kind(entry.entity_type)
        if kind is None:
            continue
        details = entry.details if isinstance(entry.details, dict) else {}
        needs_currency = False
        for values in _value_sets(details):
            for name, value in values.items():
                shape = kind.fields.get(name)
                if shape is None or value in (None, ""):
                    continue
                for inner, inner_value in _with_parts(shape, value):
                    if inner.format == registry.REFERENCE and inner.refers_to:
                        if isinstance(inner_value, str):
                            wanted.setdefault(inner.refers_to, set()).add(inner_value)
                    if inner.format == registry.MONEY:
                        needs_currency = True
        if needs_currency and _currency_in(details, "currency") is None:
            wanted.setdefault(entry.entity_type, set()).add(entry.entity_id)
    facts = {}
    for entity_type, ids in wanted.items():
        kind = record_kind(entity_type)
        if kind is not None and kind.facts is not None and ids:
            facts[entity_type] = kind.facts(ids)
    return facts


def _value_sets(details: dict) -> list[dict]:
    sets = [details]
    for side in ("before", "after"):
        if isinstance(details.get(side), dict):
            sets.append(details[side])
    return sets


def _with_parts(shape: Shape, value) -> Iterable[tuple[Shape, Any]]:
    """The shape with its value, then its parts' with theirs (a line's vendor...)."""
    yield shape, value
    if not shape.parts:
        return
    items = value if isinstance(value, list) else [value]
    if isinstance(value, dict) and shape.format == registry.PER_LINE:
        items = list(value.values())
    for item in items:
        if isinstance(item, dict):
            for name, inner in item.items():
                if name in shape.parts:
                    yield shape.parts[name], inner


def _currency_in(details: dict, name: str) -> str | None:
    for values in (details.get("after"), details.get("before"), details):
        if isinstance(values, dict) and isinstance(values.get(name), str):
            return values[name]
    return None


class _Reading:
    """Formats one entry's values, knowing its currency, user and the facts read."""

    def __init__(self, entry, details: dict, facts: Mapping):
        self.entry, self.details, self.facts = entry, details, facts

    def currency(self, shape: Shape) -> str | None:
        found = _currency_in(self.details, shape.currency)
        if found is None and shape.currency == "currency":
            own = self.facts.get(self.entry.entity_type, {}).get(self.entry.entity_id)
            found = own.currency if own else None
        return found

    def change(self, shape: Shape, before, after) -> Change | None:
        """One field's row: None when it is hidden, absent or unchanged."""
        if shape.format == registry.HIDDEN:
            return None
        if shape.format == registry.LINES:
            return self.lines(shape, before, after)
        if shape.format == registry.PER_LINE and (
            isinstance(before, dict) or isinstance(after, dict)
        ):
            return self.per_line(shape, before or {}, after or {})
        old, new = self.value(shape, before), self.value(shape, after)
        if old == new:  # absent, or the same before and after
            return None
        return Change(shape.label, old, new)

    def value(self, shape: Shape, value) -> str | None:
        """A value as text; None for nothing to show."""
        if value is None or shape.format == registry.HIDDEN:
            return None
        fmt = shape.format
        if isinstance(value, bool) or fmt == registry.YES_NO:
            return "Yes" if value else "No"
        if fmt == registry.LINES:
            change = self.lines(shape, None, value)
            return change.text.split(": ", 1)[-1] if change else None
        if isinstance(value, dict):
            return self.mapping(shape, value)
        if isinstance(value, list):
            inner = Shape(shape.label, shape.format if fmt != registry.LIST else TEXT)
            if shape.parts:
                inner = Shape(shape.label, registry.TEXT, parts=shape.parts)
            texts = [t for t in (self.value(inner, item) for item in value) if t]
            return ", ".join(texts) if texts else "none"
        if value == "":
            return None
        return self.scalar(shape, value)

    def scalar(self, shape: Shape, value) -> str:
        fmt = shape.format
        try:
            if fmt == registry.MONEY:
                currency = self.currency(shape)
                return money(value, currency) if currency else amount(value)
            if fmt == registry.QUANTITY:
                return quantity(value)
            if fmt == registry.DATE:
                day = dt.date.fromisoformat(str(value)[:10])
                return formats.date_format(day, DATE_FORMAT)
            if fmt == registry.DATETIME:
                moment = dt.datetime.fromisoformat(str(value))
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return formats.date_format(moment, DATETIME_FORMAT)
        except (ValueError, ArithmeticError, TypeError):
            return str(value)  # written before the field had this format
        if fmt == registry.ACCOUNT:
            compact = str(value).replace(" ", "")
            return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
        if fmt == registry.STATUS:
            return str(value).replace("_", " ")
        if fmt == registry.REFERENCE:
            known = self.facts.get(shape.refers_to, {}).get(value)
            return known.name if known else str(value)
        if fmt == registry.BY_USER:
            return f"{value} by {self.entry.user_id}"
        return str(value)

    def mapping(self, shape: Shape, value: dict) -> str | None:
        """A nested value (confirmed bank details, a file, totals by currency)."""
        if shape.format == registry.AMOUNTS:
            return ", ".join(money(v, c) for c, v in sorted(value.items())) or None
        if shape.format == registry.PER_LINE:
            change = self.per_line(shape, {}, value)
            return change.text.split(": ", 1)[-1] if change else None
        parts = shape.parts or {}
        texts = []
        for name in _ordered(list(value), parts):
            inner = parts.get(name) or _unregistered(name)
            text = self.value(inner, value[name])
            if text is not None:
                texts.append(
                    f"{inner.label}: {text}" if parts or len(value) > 1 else text
                )
        return ", ".join(texts) or None

    def lines(self, shape: Shape, before, after) -> Change | None:
        """A list of lines: each line when created or removed, else those changed."""
        parts = shape.parts or {}
        old = _by_line(before) if isinstance(before, list) else None
        new = _by_line(after) if isinstance(after, list) else None
        if old is None or new is None:
            lines = new if new is not None else old
            if not lines:
                return None
            # Created or removed: each line in full.
            side = "after" if new is not None else "before"
            return Change(
                shape.label,
                parts=[
                    Change(f"Line {number}", **{side: self.line_text(parts, line)})
                    for number, line in lines.items()
                ],
            )
        changed = []
        for number in dict.fromkeys([*old, *new]):
            was, now = old.get(number), new.get(number)
            label = f"Line {number}"
            if was is None or now is None:
                line = now if was is None else was
                text = self.line_text(parts, line)
                changed.append(
                    Change(f"{label} added", after=text)
                    if was is None
                    else Change(f"{label} removed", before=text)
                )
                continue
            fields = [
                c
                for n in _ordered(list(now) or list(was), parts)
                if (
                    c := self.change(
                        parts.get(n) or _unregistered(n), was.get(n), now.get(n)
                    )
                )
                and n != "line_number"
            ]
            if fields:
                changed.append(Change(label, parts=fields))
        return Change(shape.label, parts=changed) if changed else None

    def line_text(self, parts: Mapping[str, Shape], line: dict) -> str:
        texts = []
        for name in _ordered(list(line), parts):
            if name == "line_number":
                continue
            inner = parts.get(name) or _unregistered(name)
            text = self.value(inner, line.get(name))
            if text is not None:
                texts.append(f"{inner.label.lower()} {text}")
        return ", ".join(texts)

    def per_line(self, shape: Shape, before: dict, after: dict) -> Change | None:
        """{line number: value}: the lines whose value changed (or all, when new)."""
        parts = shape.parts or {}
        changed = []
        for number in dict.fromkeys([*map(str, before), *map(str, after)]):
            was = _line_value(before, number)
            now = _line_value(after, number)
            label = f"Line {number}"
            if isinstance(now, dict) or isinstance(was, dict):
                text = self.line_text(parts, now or was or {})
                if was != now:
                    changed.append(Change(label, after=text))
                continue
            # A line's single value reads as the part registered as "value".
            value = parts.get("value") or Shape(label)
            inner = Shape(label, value.format, currency=value.currency)
            change = self.change(inner, was, now)
            if change is not None:
                changed.append(change)
        return Change(shape.label, parts=changed) if changed else None


def _by_line(lines: list) -> dict:
    """Lines by their number (by position for one without)."""
    keyed = {}
    for position, line in enumerate(lines, start=1):
        if isinstance(line, dict):
            keyed[str(line.get("line_number") or position)] = line
    return keyed


def _line_value(values: dict, number: str):
    if number in values:
        return values[number]
    for key, value in values.items():
        if str(key) == number:
            return value
    return None
