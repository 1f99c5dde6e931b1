"""
The coding of document lines (issue 16): each PO, invoice and credit-note
line names a tax code, an expense GL account and a cost centre.

A line's codes must exist; an inactive code is refused on a new document and
on a changed line, while a line kept unchanged on an edit keeps the codes it
had (a code made inactive since does not force a recode of what nobody
touched). The codes are read once per document (`CodeBook`), never once per
line. Where a line's fields come from when it names none (its PO line, the
vendor's defaults, the settings) is the documents' own business; `coded`
fills a line from its sources in order.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from accounting import selectors
from core.errors import ValidationFailed
from core.lines import CODE_FIELDS

LABELS = {
    "tax_code": "Tax code",
    "gl_account": "GL account",
    "cost_centre": "Cost centre",
}
# How a line compares with its earlier self ("kept unchanged").
_CONTENT = ("description", "quantity", "unit_price", *CODE_FIELDS)


def _value(line: Any, name: str) -> Any:
    if isinstance(line, Mapping):
        return line.get(name)
    return getattr(line, name, None)


def line_coding(line: Any) -> dict[str, str | None]:
    """A line's codes (a dict or a stored line), each None when it names none."""
    return {name: _value(line, name) or None for name in CODE_FIELDS}


def coded(line: Mapping[str, Any], *sources: Any) -> dict[str, Any]:
    """
    `line` with each code it does not name taken from the first of `sources`
    (mappings or stored lines, None skipped) that names one.
    """
    result = dict(line)
    for name in CODE_FIELDS:
        if result.get(name):
            continue
        result[name] = next(
            (
                _value(source, name)
                for source in sources
                if source is not None and _value(source, name)
            ),
            None,
        )
    return result


def vendor_defaults(vendor) -> dict[str, str | None]:
    """The codes a vendor's lines take when they name none (its default fields)."""
    return {
        name: getattr(vendor, f"default_{name}", None) or None for name in CODE_FIELDS
    }


def settings_defaults() -> dict[str, str | None]:
    """The company's fallback: `settings.DEFAULT_TAX_CODE` (empty: none)."""
    return {"tax_code": settings.DEFAULT_TAX_CODE or None}


def fallbacks(vendor) -> tuple[dict, dict]:
    """The last sources of a line's codes: its vendor's defaults, then the settings'."""
    return (vendor_defaults(vendor) if vendor else {}), settings_defaults()


@dataclass(frozen=True)
class CodeBook:
    """Every tax code, GL account and cost centre by code, read in three queries."""

    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, name: str, code: str | None):
        return self.codes.get(name, {}).get(code) if code else None

    def any(self, name: str) -> bool:
        """True if the company keeps codes of this kind (active or not)."""
        return bool(self.codes.get(name))

    def choices(self, name: str, *, keep: Sequence[str | None] = ()) -> list:
        """
        (code, label) of the active codes, in code order, with `keep` (the
        codes a document has already, active or not) so an edit shows them.
        """
        kept = {code for code in keep if code}
        return [
            (code, record.label if record.active else f"{record.label} (inactive)")
            for code, record in sorted(self.codes.get(name, {}).items())
            if record.active or code in kept
        ]


def code_book() -> CodeBook:
    """Read the company's codes once, for checking or offering a whole document."""
    return CodeBook(
        codes={
            "tax_code": {c.code: c for c in selectors.tax_code_list()},
            "gl_account": {c.code: c for c in selectors.gl_account_list()},
            "cost_centre": {c.code: c for c in selectors.cost_centre_list()},
        }
    )


def code_problem(
    book: CodeBook, name: str, code: str | None, *, kept: bool = False
) -> str | None:
    """Why `code` cannot code a line's `name` field, or None when it can."""
    if not code:
        return None
    record = book.get(name, code)
    if record is None:
        return f"{LABELS[name]} {code} does not exist."
    if not record.active and not kept:
        return (
            f"{LABELS[name]} {code} ({record.name}) is inactive: choose an active one."
        )
    return None


def _unchanged(line: Any, before: Any) -> bool:
    return before is not None and all(
        (_value(line, name) or None) == (_value(before, name) or None)
        for name in _CONTENT
    )


def check_line_codes(
    lines: Sequence[Any],
    *,
    require: bool = False,
    previous: Sequence[Any] = (),
    book: CodeBook | None = None,
) -> None:
    """
    Refuse lines naming a code that does not exist, or an inactive one on a
    line that is new or changed since `previous` (the document's lines
    before this edit, paired by line number); with `require`, a line naming
    no code of a kind the company keeps. Errors are per line and field
    (`items.N.gl_account`), as the line forms show them.
    """
    if not lines:
        return
    if book is None:
        book = code_book()
    before = {_value(line, "line_number"): line for line in previous}
    errors: dict[str, str] = {}
    for index, line in enumerate(lines):
        number = _value(line, "line_number") or index + 1
        kept = _unchanged(line, before.get(number))
        for name in CODE_FIELDS:
            code = _value(line, name)
            problem = code_problem(book, name, code, kept=kept)
            if problem is None and require and not code and book.any(name):
                problem = f"Line {number} needs a {LABELS[name].lower()}."
                if name == "gl_account":
                    problem = f"Line {number} needs a GL account."
            if problem:
                errors[f"items.{index}.{name}"] = problem
    if errors:
        messages = list(dict.fromkeys(errors.values()))
        message = messages[0]
        if len(messages) > 1:
            message += f" ({len(messages) - 1} more problem(s) with the lines' coding.)"
        raise ValidationFailed(message, errors)
