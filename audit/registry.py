"""
The kinds of record that keep an audit trail, as their own apps describe them.

Audit knows no domain: each app registers its kinds when Django starts (its
`AppConfig.ready`), saying how the trail names them, which type their
entries carry and where a record's page is. The trail, its browser and
`verify_audit` read this registry; nothing here names an app.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field


def _always(entity_id: str) -> bool:
    return True


# How a value of an entry's details reads (audit.changes formats each).
TEXT = "text"
MONEY = "money"  # an amount, in the currency its `currency` field names
AMOUNTS = "amounts"  # {currency: amount}
QUANTITY = "quantity"
DATE = "date"  # an ISO date
DATETIME = "datetime"  # an ISO date and time, shown in the current time zone
ACCOUNT = "account"  # an IBAN or account number, in groups of four
YES_NO = "yes_no"
STATUS = "status"
LIST = "list"
REFERENCE = "reference"  # another record's id, shown as that record's name
LINES = "lines"  # a list of lines, each a dict with a `line_number`
PER_LINE = "per_line"  # {line number: value or dict}
BY_USER = "by_user"  # a step only, "1 of 2", said with who took it
HIDDEN = "hidden"  # kept in the entry, not worth a reader's eye


@dataclass(frozen=True)
class Shape:
    """How one field of a kind's audit details reads."""

    label: str  # as the app's forms label it ("Expected delivery")
    format: str = TEXT
    refers_to: str | None = None  # REFERENCE: the entity type of the id
    currency: str = "currency"  # MONEY: the details field naming the currency
    # LINES, PER_LINE and nested values: how their parts read.
    parts: Mapping[str, "Shape"] | None = None


@dataclass(frozen=True)
class RecordFacts:
    """What the trail shows of a record another entry refers to."""

    name: str
    currency: str | None = None


@dataclass(frozen=True)
class RecordKind:
    """One kind of record on the audit trail."""

    entity_type: str  # "purchase_order": the entries' entity_type
    audit_type: str  # "PO_ACTION": the entries' type (domain.md)
    label: str  # "Purchase order": as a person names the kind
    # The URL name of a record's page, taking its id; None: no page (a job).
    page: str | None = None
    # The field of an entry's details naming the record, for entries written
    # before entries carried their label ("po_number").
    name_field: str | None = None
    # Whether the entry's record has a page at all (a refused build has none).
    has_page: Callable[[str], bool] = _always
    # The ids of the live records a person's text names (a number, a name),
    # read through the app's own index: the trail's lookup by number, which
    # also finds entries written before entries carried a `number_key`.
    find: Callable[[str], Iterable[str]] | None = None
    # How the fields of its entries' details read, in the order shown.
    fields: Mapping[str, Shape] = field(default_factory=dict, compare=False)
    # The name and currency of its records by id, read in one batch, for
    # the entries that refer to them (a PO's vendor) and amounts whose
    # entry names no currency (a PO's changed lines).
    facts: Callable[[set[str]], Mapping[str, RecordFacts]] | None = None


_KINDS: dict[str, RecordKind] = {}


def register_kind(kind: RecordKind) -> None:
    """Add a kind of record to the trail; registering the same one again is a no-op."""
    known = _KINDS.get(kind.entity_type)
    if known is not None and known != kind:
        raise ValueError(f"Audit record kind {kind.entity_type!r} is registered twice.")
    _KINDS[kind.entity_type] = kind


def record_kind(entity_type: str) -> RecordKind | None:
    """The registered kind of `entity_type`, None for one nobody registered."""
    return _KINDS.get(entity_type)


def record_kinds() -> dict[str, str]:
    """Every registered kind's entity type and label, in registration order."""
    return {kind.entity_type: kind.label for kind in _KINDS.values()}
