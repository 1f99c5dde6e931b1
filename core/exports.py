"""
CSV and XLSX downloads of a list, as filtered on its page.

An app's selector describes the download as an `Export`: a name, a header and
rows read page by page through the list's own index (`every_item` follows the
cursors, so an export never scans a table). `export_response` writes it: CSV
streamed row by row, XLSX through openpyxl's write-only workbook.

Spreadsheets run text that looks like a formula. Any text cell starting with
= + - @, a tab or a carriage return is written with a leading apostrophe, so
`=HYPERLINK(...)` in a vendor's name stays text (OWASP "CSV injection").
Amounts are `Decimal` and never text: numbers in XLSX, plain decimal strings
in CSV, so a negative amount keeps its minus sign. Dates and times are date
cells in XLSX (a spreadsheet sorts and filters them as dates), times in the
reader's time zone, which the column's header names; ISO text in CSV. A
selector hands over dates kept as ISO text through `iso_date`.

An export stops after `settings.EXPORT_MAX_ROWS` rows (100,000 by default) and
then ends with a row saying so; narrower filters export the rest.
"""

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from core.days import site_today
from core.dynamo import Page
from core.errors import ValidationFailed

FORMATS = ("csv", "xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A file or sheet name keeps these; an id from a URL could hold anything.
_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")
# Excel shows at most this many characters in a cell.
XLSX_MAX_CELL_CHARS = 32767


@dataclass
class Export:
    """What to download: `name` names the file and the sheet, e.g. "vendors"."""

    name: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]


def every_item(list_page: Callable[..., Page], **filters: Any) -> Iterator[Any]:
    """
    Yield every item of a list, a page at a time.

    `list_page` is the list's selector, called with `filters`, `cursor` and `limit`.
    """
    cursor = None
    while True:
        page = list_page(**filters, cursor=cursor, limit=settings.EXPORT_PAGE_SIZE)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def export_links(url_name: str, query: QueryDict, **kwargs: str) -> dict[str, str]:
    """Return the list's download URL per format, carrying its filters, not its page."""
    query = query.copy()
    query.pop("cursor", None)
    suffix = f"?{query.urlencode()}" if query else ""
    return {
        fmt: reverse(url_name, kwargs={**kwargs, "fmt": fmt}) + suffix
        for fmt in FORMATS
    }


def check_filters(form: forms.Form) -> None:
    """
    Refuse filters the list page would refuse (a reversed date range, ...).

    Exporting under other filters than those asked (none, say) would hand
    over a file that looks right and is not.
    """
    if form.is_bound and not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label}: {' '.join(errors)}"
            if name in form.fields
            else " ".join(errors)
            for name, errors in form.errors.items()
        )
        raise ValidationFailed(
            f"These filters are not valid ({problems}). "
            "Correct them on the list page, then export again."
        )


def neutralise(text: str) -> str:
    """Return text a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def export_response(export: Export, *, fmt: str) -> HttpResponseBase:
    """Return the export as a CSV (streamed) or XLSX download."""
    if fmt not in FORMATS:
        raise Http404(f"Exports are CSV or XLSX, not '{fmt}'.")
    rows = iter(_capped(export.rows, settings.EXPORT_MAX_ROWS))
    # Read the first page now: an error (the database unreachable) then shows
    # as an error page instead of a download cut short.
    first = list(islice(rows, 1))
    rows = chain(first, rows)
    name = _UNSAFE_NAME_CHARS.sub("_", export.name)
    filename = f"{name}-{site_today().isoformat()}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(export.header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        _xlsx_file(name, _zoned_header(export.header, first), rows),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )


def iso_date(value: str | None) -> dt.date | str | None:
    """Return an ISO date kept as text ("2026-11-28") as a date, anything else as is."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _zoned_header(header: Sequence[str], first: list) -> list[str]:
    """Name the time zone in the header of each column of times (as the first row has)."""
    zone = timezone.get_current_timezone_name()
    row = first[0] if first else []
    return [
        f"{title} ({zone})"
        if index < len(row) and isinstance(row[index], dt.datetime)
        else title
        for index, title in enumerate(header)
    ]


def _capped(rows: Iterable[Sequence[Any]], cap: int) -> Iterator[Sequence[Any]]:
    rows = iter(rows)
    yield from islice(rows, cap)
    if next(rows, None) is not None:
        yield [
            f"The export stops at {cap:,} rows: narrow the filters to export the rest."
        ]


def _text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# --- CSV ------------------------------------------------------------------


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, line: str) -> str:
        return line


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return neutralise(_text(value))


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    # A byte order mark: Excel then reads the file as UTF-8, not the locale's code page.
    yield "\ufeff" + writer.writerow([neutralise(h) for h in header])
    for row in rows:
        yield writer.writerow([_csv_cell(value) for value in row])


# --- XLSX -----------------------------------------------------------------


XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _xlsx_cell(sheet, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the reader's local time, named in the header.
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        cell = WriteOnlyCell(sheet, value=value.replace(microsecond=0))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        # openpyxl writes a Decimal as a number; the format keeps its places.
        cell = WriteOnlyCell(sheet, value=value)
        places = max(-value.as_tuple().exponent, 0)
        cell.number_format = "#,##0" + ("." + "0" * places if places else "")
        return cell
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(_text(value)))
    return text[:XLSX_MAX_CELL_CHARS]


def _xlsx_file(name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=name[:31])  # Excel's limit
    sheet.freeze_panes = "A2"  # the header stays in view while scrolling
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=neutralise(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    # On disk, not in memory: a large export is written and sent in chunks.
    file = tempfile.TemporaryFile()
    workbook.save(file)
    file.seek(0)
    return file
