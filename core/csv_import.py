"""
A CSV file uploaded for import, read into rows: no I/O, no domain.

`read_csv_rows` turns the file's bytes into rows, or refuses the whole file
(size, encoding, header) with one message; each app's import module applies
its own rules to the rows (`vendors.imports`, `accounting.imports`).
"""

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat

from core.errors import ValidationFailed

# A row's problem that is not about one cell.
ROW = ""

NOT_UTF8 = (
    "The file is not UTF-8 text. In Excel choose “Save As” > “CSV UTF-8 "
    "(Comma delimited)”, then upload it again."
)


@dataclass
class CsvRow:
    """One data row of the file; `number` is its spreadsheet row (the header is 1)."""

    number: int
    values: dict[str, str]  # the cells as written, by column
    errors: dict[str, str] = field(default_factory=dict)  # column (or ROW) -> message

    @property
    def valid(self) -> bool:
        return not self.errors

    def errors_by_column(self, labels: Mapping[str, str]) -> list[tuple[str, str]]:
        """(label, message) for each problem, in column order, the row's own first."""
        order = [ROW, *labels]
        columns = [c for c in order if c in self.errors]
        columns += [c for c in self.errors if c not in order]
        return [(labels.get(c, c), self.errors[c]) for c in columns]


def read_csv_rows(
    content: bytes,
    *,
    max_bytes: int,
    max_rows: int,
    columns: Mapping[str, str],
    required: tuple[str, ...],
    noun: tuple[str, str],
    row_class: type[CsvRow] = CsvRow,
) -> list:
    """
    Return the data rows of a CSV file whose header names some of `columns`
    (all of `required`), or raise ValidationFailed; `noun` names what a row
    is, singular and plural: ("vendor", "vendors").

    UTF-8 with or without a byte order mark; the delimiter (comma or
    semicolon, as Excel writes in many European locales) is read from the
    header line. Blank rows are skipped.
    """
    if len(content) > max_bytes:
        raise ValidationFailed(
            f"The file is larger than {filesizeformat(max_bytes)}: "
            "split it into smaller files and import them one after the other."
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(NOT_UTF8) from None
    if not text.strip():
        raise ValidationFailed("The file is empty.")
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = _header(next(reader), columns, required, noun)
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == max_rows:
                raise ValidationFailed(
                    f"The file has more than {max_rows:,} {noun[1]}: split it into "
                    "smaller files and import them one after the other."
                )
            rows.append(_row(row_class, number, header, cells))
    except csv.Error as exc:
        raise ValidationFailed(
            f"Row {reader.line_num} could not be read as CSV ({exc}). "
            "Check its quotes, or save the file from the spreadsheet again."
        ) from None
    if not rows:
        raise ValidationFailed(f"The file has a header row but no {noun[1]}.")
    return rows


def _header(cells: list[str], columns, required, noun: tuple[str, str]) -> list[str]:
    header = [cell.strip().lower().replace(" ", "_") for cell in cells]
    unknown = [
        name or f"(column {position} has no name)"
        for position, name in enumerate(header, start=1)
        if name not in columns
    ]
    if unknown:
        raise ValidationFailed(
            f"Unknown column{'s' if len(unknown) > 1 else ''} in the header row: "
            f"{', '.join(unknown)}. A {noun[0]} file may have these columns: "
            f"{', '.join(columns)}."
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationFailed(
            f"These columns appear more than once: {', '.join(repeated)}."
        )
    missing = [name for name in required if name not in header]
    if missing:
        raise ValidationFailed(
            f"The header row needs the column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(missing)}."
        )
    return header


def _row(row_class, number: int, header: list[str], cells: list[str]):
    row = row_class(number=number, values=dict(zip(header, cells, strict=False)))
    for column in header[len(cells) :]:
        row.values[column] = ""  # a short row: the missing cells are empty
    if len(cells) > len(header):
        row.errors[ROW] = (
            f"This row has {len(cells)} cells but the header names "
            f"{len(header)} columns: check for a stray delimiter."
        )
    return row


def preview_keep(session, key: str, *, content: bytes, filename: str, **extra) -> str:
    """
    Keep the file previewed in the session for the confirm step, so it need
    not be uploaded again; return its SHA-256, which the confirm form carries.
    Sessions are stored server-side, and the import checks every row again.
    """
    digest = hashlib.sha256(content).hexdigest()
    session[key] = {
        "filename": filename,
        "content": content.decode("utf-8-sig"),
        "digest": digest,
        **extra,
    }
    return digest


def preview_take(session, key: str, *, digest: str | None, **extra) -> dict | None:
    """
    Return the file kept under `key` when it is the one with `digest` (and
    `extra` matches), forgetting it at once: a second click on the confirm
    button then finds it gone instead of importing it twice. None otherwise.
    """
    kept = session.get(key)
    if not kept or not digest or kept["digest"] != digest:
        return None
    if any(kept.get(name) != value for name, value in extra.items()):
        return None
    del session[key]
    session.save()
    return kept
