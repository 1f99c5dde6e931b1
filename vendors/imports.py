"""
A vendor master read from a CSV file (the "Import vendors" page): no I/O here.

`read_vendor_csv` turns the file's bytes into rows, or refuses the whole file
(size, encoding, header) with one message. `check_vendor_rows` applies the
vendor rules to every row and flags tax ids that repeat in the file or that a
stored vendor already has (VAT ids likewise); the caller supplies that look-up, so this module
stays testable without DynamoDB. `vendors.services.vendors_import` puts the
two together and creates the valid rows.
"""

from collections.abc import Callable, Iterable, Mapping

from core.addresses import ADDRESS_LABELS
from core.csv_import import ROW, CsvRow, read_csv_rows
from core.errors import ValidationFailed
from vendors.models import tax_id_key
from vendors.tax_identity import MAX_VAT_ID_LENGTH
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
    **ADDRESS_LABELS,
    "tax_id": "Tax id",
    "vat_id": "VAT id",
    "payment_terms": "Payment terms",
    "currency": "Currency",
    "status": "Status",
    "iban": "IBAN",
    "bic": "BIC",
    "account_number": "US account number",
    "routing_number": "ABA routing number",
}
REQUIRED_COLUMNS = ("name", "email")
_IDENTIFIER_MAX_LENGTHS = {"tax_id": MAX_LENGTHS["tax_id"], "vat_id": MAX_VAT_ID_LENGTH}


class ImportRow(CsvRow):
    """One data row of a vendor file."""

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
        return self.errors_by_column(COLUMN_LABELS)


def read_vendor_csv(
    content: bytes, *, max_bytes: int, max_rows: int
) -> list[ImportRow]:
    """Return the data rows of a vendor CSV file, or raise ValidationFailed."""
    return read_csv_rows(
        content,
        max_bytes=max_bytes,
        max_rows=max_rows,
        columns=COLUMN_LABELS,
        required=REQUIRED_COLUMNS,
        noun=("vendor", "vendors"),
        row_class=ImportRow,
    )


def check_vendor_rows(
    rows: Iterable[ImportRow],
    *,
    existing_tax_ids: Callable[[set[str]], Mapping[str, str]],
    existing_vat_ids: Callable[[set[str]], Mapping[str, str]] | None = None,
) -> list[ImportRow]:
    """
    Record on each row what keeps it from becoming a vendor; return the rows.

    `existing_tax_ids` gets the normalised tax ids of the file and returns
    those a stored vendor has, mapped to that vendor's name;
    `existing_vat_ids` the same for VAT ids.
    """
    rows = list(rows)
    by_identifier: dict[str, dict[str, list[ImportRow]]] = {
        "tax_id": {},
        "vat_id": {},
    }
    for row in rows:
        fields = row.fields
        try:
            cleaned = clean_vendor_fields(new_vendor_values(fields))
        except ValidationFailed as exc:
            row.errors.update(exc.field_errors or {ROW: exc.message})
        else:
            if cleaned["status"] not in NEW_VENDOR_STATUSES:
                row.errors["status"] = NEW_STATUS_REFUSED
        for field, same_key in by_identifier.items():
            key = tax_id_key(fields.get(field))
            if key and len(fields[field]) <= _IDENTIFIER_MAX_LENGTHS[field]:
                same_key.setdefault(key, []).append(row)

    lookups = {"tax_id": existing_tax_ids, "vat_id": existing_vat_ids}
    for field, same_key in by_identifier.items():
        lookup = lookups[field]
        taken = lookup(set(same_key)) if same_key and lookup else {}
        noun = COLUMN_LABELS[field].replace("Tax", "tax")
        for key, same in same_key.items():
            problems = []
            if key in taken:
                problems.append(f"Vendor “{taken[key]}” already has this {noun}.")
            if len(same) > 1:
                numbers = ", ".join(str(row.number) for row in same)
                problems.append(f"Rows {numbers} of this file have the same {noun}.")
            for row in same if problems else ():
                row.errors[field] = " ".join(problems)
    return rows
