"""
A vendor master read from a CSV file (the "Import vendors" page): no I/O here.

`read_vendor_csv` turns the file's bytes into rows, or refuses the whole file
(size, encoding, header) with one message. `check_vendor_rows` applies the
vendor rules to every row and flags tax ids that repeat in the file or that a
stored vendor already has; the caller supplies that look-up, so this module
stays testable without DynamoDB. `vendors.services.vendors_import` puts the
two together and creates the valid rows.
"""

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat

from core.errors import ValidationFailed
from vendors.models import tax_id_key
from vendors.validation import (
    MAX_LENGTHS,
    NEW_STATUS_REFUSED,
    NEW_VENDOR_STATUSES,
    clean_vendor_fields,
    new_vendor_values,
)

# The header names a file may use, in the order the preview shows them.
COLUMN_LABELS = {
    "name": "Name",
    "email": "E-mail",
    "phone": "Phone",
    "address": "Address",
    "tax_id": "Tax id",
    "payment_terms": "Payment terms",
    "currency": "Currency",
    "status": "Status",
    "iban": "IBAN",
    "bic": "BIC",
    "account_number": "US account number",
    "routing_number": "ABA routing number",
}
REQUIRED_COLUMNS = ("name", "email")
# A row's problem that is not about one cell.
ROW = ""

NOT_UTF8 = (
    "The file is not UTF-8 text. In Excel choose “Save As” > “CSV UTF-8 "
    "(Comma delimited)”, then upload it again."
)


@dataclass
class ImportRow:
    """One data row of the file; `number` is its spreadsheet row (the header is 1)."""

    number: int
    values: dict[str, str]  # the cells as written, by column
    errors: dict[str, str] = field(default_factory=dict)  # column (or ROW) -> message

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def fields(self) -> dict[str, str]:
        """The cells vendor_create gets: an empty cell takes the vendor default."""
        fields = {
            column: value.strip()
            for column, value in self.values.items()
            if value.strip()
        }
        if "status" in fields:
            fields["status"] = fields["status"].lower()
        return fields

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(label, message) for each problem, in column order, the row's own first."""
        order = [ROW, *COLUMN_LABELS]
        columns = [c for c in order if c in self.errors]
        columns += [c for c in self.errors if c not in order]
        return [(COLUMN_LABELS.get(c, c), self.errors[c]) for c in columns]


def read_vendor_csv(
    content: bytes, *, max_bytes: int, max_rows: int
) -> list[ImportRow]:
    """
    Return the data rows of a vendor CSV file, or raise ValidationFailed.

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
        header = _header(next(reader))
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == max_rows:
                raise ValidationFailed(
                    f"The file has more than {max_rows:,} vendors: split it into "
                    "smaller files and import them one after the other."
                )
            rows.append(_row(number, header, cells))
    except csv.Error as exc:
        raise ValidationFailed(
            f"Row {reader.line_num} could not be read as CSV ({exc}). "
            "Check its quotes, or save the file from the spreadsheet again."
        ) from None
    if not rows:
        raise ValidationFailed("The file has a header row but no vendors.")
    return rows


def _header(cells: list[str]) -> list[str]:
    header = [cell.strip().lower().replace(" ", "_") for cell in cells]
    unknown = [
        name or f"(column {position} has no name)"
        for position, name in enumerate(header, start=1)
        if name not in COLUMN_LABELS
    ]
    if unknown:
        raise ValidationFailed(
            f"Unknown column{'s' if len(unknown) > 1 else ''} in the header row: "
            f"{', '.join(unknown)}. A vendor file may have these columns: "
            f"{', '.join(COLUMN_LABELS)}."
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise ValidationFailed(
            f"These columns appear more than once: {', '.join(repeated)}."
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValidationFailed(
            f"The header row needs the column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(missing)}."
        )
    return header


def _row(number: int, header: list[str], cells: list[str]) -> ImportRow:
    row = ImportRow(number=number, values=dict(zip(header, cells, strict=False)))
    for column in header[len(cells) :]:
        row.values[column] = ""  # a short row: the missing cells are empty
    if len(cells) > len(header):
        row.errors[ROW] = (
            f"This row has {len(cells)} cells but the header names "
            f"{len(header)} columns: check for a stray delimiter."
        )
    return row


def check_vendor_rows(
    rows: Iterable[ImportRow],
    *,
    existing_tax_ids: Callable[[set[str]], Mapping[str, str]],
) -> list[ImportRow]:
    """
    Record on each row what keeps it from becoming a vendor; return the rows.

    `existing_tax_ids` gets the normalised tax ids of the file and returns
    those a stored vendor has, mapped to that vendor's name.
    """
    rows = list(rows)
    by_tax_id: dict[str, list[ImportRow]] = {}
    for row in rows:
        fields = row.fields
        try:
            cleaned = clean_vendor_fields(new_vendor_values(fields))
        except ValidationFailed as exc:
            row.errors.update(exc.field_errors or {ROW: exc.message})
        else:
            if cleaned["status"] not in NEW_VENDOR_STATUSES:
                row.errors["status"] = NEW_STATUS_REFUSED
        key = tax_id_key(fields.get("tax_id"))
        if key and len(fields["tax_id"]) <= MAX_LENGTHS["tax_id"]:
            by_tax_id.setdefault(key, []).append(row)

    taken = existing_tax_ids(set(by_tax_id)) if by_tax_id else {}
    for key, same in by_tax_id.items():
        problems = []
        if key in taken:
            problems.append(f"Vendor “{taken[key]}” already has this tax id.")
        if len(same) > 1:
            numbers = ", ".join(str(row.number) for row in same)
            problems.append(f"Rows {numbers} of this file have the same tax id.")
        for row in same if problems else ():
            row.errors["tax_id"] = " ".join(problems)
    return rows
