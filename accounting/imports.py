"""
GL accounts or cost centres read from a CSV file (columns code, name and
optionally active): no I/O here.

`read_code_csv` reads the file (core.csv_import); `plan_code_rows` checks
every row against the rules and against the codes already stored (passed
in), and says what each row does: add a code, update its name or active
flag, or nothing. `accounting.services.accounting_codes_import` writes the
plan, and only when no row has an error.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from accounting import rules
from core.csv_import import ROW, CsvRow, read_csv_rows
from core.errors import ValidationFailed

COLUMN_LABELS = {"code": "Code", "name": "Name", "active": "Active"}
REQUIRED_COLUMNS = ("code", "name")
MAX_ROWS = 2000  # accounting.selectors.MAX_CODES: a list page shows them all

ADD, UPDATE, UNCHANGED = "add", "update", "unchanged"
ACTION_LABELS = {ADD: "New", UPDATE: "Changed", UNCHANGED: "Unchanged"}

_TRUE = {"true", "yes", "y", "1", "active"}
_FALSE = {"false", "no", "n", "0", "inactive"}

NOUNS = {
    "gl_account": ("GL account", "GL accounts"),
    "cost_centre": ("cost centre", "cost centres"),
}


@dataclass
class CodeRow(CsvRow):
    """One row of the file and, once planned, what it does to the stored codes."""

    action: str | None = None
    code: str | None = None
    changes: dict | None = (
        None  # the fields written: all for ADD, the changed for UPDATE
    )

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, "")

    @property
    def error_list(self) -> list[tuple[str, str]]:
        return self.errors_by_column(COLUMN_LABELS)


@dataclass
class CodeImportPlan:
    """Every row of an import file and what it does; written only when all are valid."""

    kind: str
    rows: list[CodeRow]

    def count(self, action: str) -> int:
        return sum(row.action == action for row in self.rows if row.valid)

    @property
    def error_rows(self) -> list[CodeRow]:
        return [row for row in self.rows if not row.valid]

    @property
    def valid(self) -> bool:
        return not self.error_rows

    @property
    def summary(self) -> str:
        """ "12 added, 3 updated, 40 unchanged" """
        return (
            f"{self.count(ADD)} added, {self.count(UPDATE)} updated, "
            f"{self.count(UNCHANGED)} unchanged"
        )


def read_code_csv(content: bytes, *, kind: str, max_bytes: int) -> list[CodeRow]:
    """Return the data rows of a GL account or cost centre file, or raise ValidationFailed."""
    return read_csv_rows(
        content,
        max_bytes=max_bytes,
        max_rows=MAX_ROWS,
        columns=COLUMN_LABELS,
        required=REQUIRED_COLUMNS,
        noun=NOUNS[kind],
        row_class=CodeRow,
    )


def parse_active(text: str) -> bool | None:
    """An "active" cell: yes/no, true/false, 1/0, active/inactive; None when empty."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def plan_code_rows(
    rows: Iterable[CodeRow], *, kind: str, stored: Mapping[str, Mapping]
) -> CodeImportPlan:
    """
    Check each row and record what it does; `stored` maps each stored code to
    its snapshot (name, active). An empty active cell keeps a stored code's
    flag and makes a new code active.
    """
    rows = list(rows)
    by_code: dict[str, list[CodeRow]] = {}
    for row in rows:
        values = {"code": row.values.get("code"), "name": row.values.get("name")}
        try:
            active = parse_active(row.values.get("active", ""))
        except ValueError as exc:
            row.errors["active"] = (
                f"“{exc}” is not yes or no: write yes, no, true, false, 1 or 0."
            )
            active = None
        try:
            cleaned = rules.clean_code_fields(kind, values)
        except ValidationFailed as exc:
            row.errors.update(exc.field_errors or {ROW: exc.message})
            continue
        row.code = cleaned["code"]
        by_code.setdefault(row.code, []).append(row)
        if row.errors:
            continue
        existing = stored.get(row.code)
        if existing is None:
            row.action = ADD
            row.changes = {
                "name": cleaned["name"],
                "active": True if active is None else active,
            }
            continue
        wanted = {"name": cleaned["name"]}
        if active is not None:
            wanted["active"] = active
        row.changes = {k: v for k, v in wanted.items() if existing.get(k) != v}
        row.action = UPDATE if row.changes else UNCHANGED
    for code, same in by_code.items():
        if len(same) > 1:
            numbers = ", ".join(str(row.number) for row in same)
            for row in same:
                row.errors["code"] = (
                    f"Rows {numbers} of this file have the code {code}."
                )
    return CodeImportPlan(kind=kind, rows=rows)
