"""
The journal as files (pure, no I/O): a generic CSV, one row per journal line,
and DATEV's booking batch ("Buchungsstapel", DATEV-Format EXTF), which German
accountants import into DATEV Rechnungswesen / Unternehmen online.

Generic CSV: UTF-8 with a byte-order mark (a spreadsheet then reads accents),
comma separated, amounts as plain decimal text with a point, ISO dates. Text
a spreadsheet would run as a formula is neutralised (core.exports).

DATEV booking batch, as DATEV imports it (Windows-1252, semicolons, CRLF):
- Line 1, the header record (31 fields): "EXTF"; 700 (header version); 21
  (format category: booking batch); "Buchungsstapel"; 13 (format version);
  created (YYYYMMDDHHMMSSFFF); imported (empty); origin "RE"; exported by;
  imported by; consultant number (Beraternummer, 1001-9999999); client number
  (Mandantennummer, 1-99999); fiscal year start (YYYYMMDD); account length
  (Sachkontenlänge, 4-8); period from; period to (YYYYMMDD, within one
  calendar year and the fiscal year); label (at most 30 characters);
  initials; booking type 1 (financial accounting); accounting purpose 0;
  locked 0/1 (Festschreibung); currency "EUR"; reserved; derivative flag;
  reserved; reserved; chart ("03" SKR03); industry solution id; reserved;
  reserved; application information.
- Line 2, the 125 column headings of format version 13.
- One row per booking: Umsatz (positive, decimal comma, no thousands
  separator); Soll/Haben-Kennzeichen "S" / "H" (the side of Konto); WKZ
  Umsatz; Konto; Gegenkonto; BU-Schlüssel; Belegdatum (DDMM, the year comes
  from the header); Belegfeld 1 (at most 36 of A-Z a-z 0-9 $ & % * + - /);
  Buchungstext (at most 60); KOST1 (cost centre). Text fields are quoted.

Each journal line other than AP control becomes one booking against AP
control (the Gegenkonto): the entry balances, so the AP side is the sum of
the others. A line whose tax code has a DATEV tax key (BU-Schlüssel) is
written at its gross (net + its share of the code's tax) with the key, and
the code's tax lines are not written: DATEV books the tax itself from the
key (input VAT on a charged code; both input and output VAT on a reverse-
charge code). Codes without a key are written net, with their tax lines as
bookings of their own, and so is a document entered before tax codes. The
tax DATEV computes from a gross can differ by a cent from what the vendor
printed; a company that must keep the printed tax drops the keys
(settings.DATEV_TAX_KEYS = {}) and gets separate tax bookings instead.

Sources: DATEV's format description "DATEV-Format Buchungsstapel" on
developer.datev.de (header and column layout, via the open-source
validator seamless-engineering/datev-extf, src/columns.ts and src/extf.ts,
whose rules cite DATEV's Formatbeschreibung and Prüfprogramm); the BU keys
9 = input VAT 19%, 8 = input VAT 7%, 19 = intra-community acquisition 19%
(input and output VAT), 94 = reverse charge §13b UStG 19% (input and output
VAT) from BuchhaltungsButler's table of DATEV tax keys
(wissen.buchhaltungsbutler.de, "Logik der Steuerschlüssel"); a separate
tax booking when no key applies as syska ProFI's DATEV export describes it.
Key 46 (services of an EU business, §13b (1)) was not checked against a
DATEV source here: set it per code through settings.DATEV_TAX_KEYS.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from accounting.journal import JournalEntry, JournalLine
from core.exports import neutralise

ZERO = Decimal("0")

# The tax key of each default tax code (accounting.defaults, DE), see above.
DATEV_TAX_KEYS = {"V19": "9", "V7": "8", "IG19": "19", "RC19": "94"}

JOURNAL_CSV_HEADER = [
    "Entry",
    "Date",
    "Document",
    "Vendor",
    "Account",
    "Debit",
    "Credit",
    "Cost centre",
    "Tax code",
    "Currency",
    "Text",
    "Late posting",
]


def journal_csv(entries: Iterable[JournalEntry]) -> bytes:
    """Return the generic CSV of `entries`: one row per journal line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(JOURNAL_CSV_HEADER)
    for entry in entries:
        for line in entry.lines:
            writer.writerow(
                [
                    entry.id,
                    entry.date,
                    neutralise(line.document),
                    neutralise(line.vendor),
                    line.account,
                    str(line.debit),
                    str(line.credit),
                    line.cost_centre or "",
                    line.tax_code or "",
                    entry.currency,
                    neutralise(line.text or entry.text),
                    neutralise(entry.late or ""),
                ]
            )
    return out.getvalue().encode("utf-8-sig")


# --- DATEV ------------------------------------------------------------------

BUCHUNGSSTAPEL_COLUMNS = [
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
    "Postensperre",
    "Diverse Adressnummer",
    "Geschäftspartnerbank",
    "Sachverhalt",
    "Zinssperre",
    "Beleglink",
    *[f"Beleginfo - {part} {n}" for n in range(1, 9) for part in ("Art", "Inhalt")],
    "KOST1 - Kostenstelle",
    "KOST2 - Kostenstelle",
    "Kost-Menge",
    "EU-Land u. UStID (Bestimmung)",
    "EU-Steuersatz (Bestimmung)",
    "Abw. Versteuerungsart",
    "Sachverhalt L+L",
    "Funktionsergänzung L+L",
    "BU 49 Hauptfunktionstyp",
    "BU 49 Hauptfunktionsnummer",
    "BU 49 Funktionsergänzung",
    *[
        name
        for n in range(1, 21)
        for name in (f"Zusatzinformation - Art {n}", f"Zusatzinformation- Inhalt {n}")
    ],
    "Stück",
    "Gewicht",
    "Zahlweise",
    "Forderungsart",
    "Veranlagungsjahr",
    "Zugeordnete Fälligkeit",
    "Skontotyp",
    "Auftragsnummer",
    "Buchungstyp",
    "USt-Schlüssel (Anzahlungen)",
    "EU-Land (Anzahlungen)",
    "Sachverhalt L+L (Anzahlungen)",
    "EU-Steuersatz (Anzahlungen)",
    "Erlöskonto (Anzahlungen)",
    "Herkunft-Kz",
    "Buchungs GUID",
    "KOST-Datum",
    "SEPA-Mandatsreferenz",
    "Skontosperre",
    "Gesellschaftername",
    "Beteiligtennummer",
    "Identifikationsnummer",
    "Zeichnernummer",
    "Postensperre bis",
    "Bezeichnung SoBil-Sachverhalt",
    "Kennzeichen SoBil-Buchung",
    "Festschreibung",
    "Leistungsdatum",
    "Datum Zuord. Steuerperiode",
    "Fälligkeit",
    "Generalumkehr (GU)",
    "Steuersatz",
    "Land",
    "Abrechnungsreferenz",
    "BVV-Position",
    "EU-Land u. UStID (Ursprung)",
    "EU-Steuersatz (Ursprung)",
    "Abw. Skontokonto",
]
assert len(BUCHUNGSSTAPEL_COLUMNS) == 125
COLUMN = {name: index for index, name in enumerate(BUCHUNGSSTAPEL_COLUMNS)}

_BELEG_CHARS = re.compile(r"[^A-Za-z0-9$&%*+\-/]")
_KOST_CHARS = re.compile(r"[^\w ]")


@dataclass(frozen=True)
class DatevHeader:
    """What line 1 of a booking batch says (from settings and the period)."""

    consultant: int  # Beraternummer
    client: int  # Mandantennummer
    fiscal_year_start: dt.date
    account_length: int
    start: dt.date
    end: dt.date
    created: dt.datetime
    label: str = "AP journal"
    chart: str = "03"  # Sachkontenrahmen: SKR03
    currency: str = "EUR"
    locked: bool = False
    exported_by: str = ""


@dataclass(frozen=True)
class DatevBooking:
    amount: Decimal  # positive
    side: str  # "S" | "H", of `account`
    currency: str
    account: str
    contra: str
    tax_key: str
    date: str  # ISO
    document: str
    text: str
    cost_centre: str
    late: str = ""  # why the booking falls in an already exported period


def datev_period_problem(header: DatevHeader) -> str | None:
    """Why DATEV would refuse the header's period, or None."""
    if header.start > header.end:
        return "The period ends before it starts."
    if header.start.year != header.end.year:
        return (
            "A DATEV booking batch covers one calendar year: export "
            f"{header.start.year} and {header.end.year} separately."
        )
    if header.start < header.fiscal_year_start:
        return f"The period starts before the fiscal year ({header.fiscal_year_start})."
    return None


def _signed(line: JournalLine) -> Decimal:
    return line.debit - line.credit


def _allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` in proportion, the last taking the remainder."""
    whole = sum(weights, ZERO)
    if whole == ZERO:
        return [ZERO] * len(weights)
    exponent = total.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else -2)
    shares = [(total * w / whole).quantize(quantum) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]


def datev_bookings(
    entries: Iterable[JournalEntry],
    *,
    ap_control: str,
    tax_keys: Mapping[str, str],
) -> list[DatevBooking]:
    """Turn balanced entries into DATEV bookings against AP control."""
    bookings = []
    for entry in entries:
        lines = [line for line in entry.lines if line.account != ap_control]
        self_assessed = {ln.tax_code for ln in lines if ln.role == "self_assessed"}
        expense_by_code: dict[str, list[int]] = {}
        for index, line in enumerate(lines):
            if line.role in ("expense", "suspense") and line.tax_code in tax_keys:
                expense_by_code.setdefault(line.tax_code, []).append(index)
        folded: dict[int, Decimal] = {}
        skipped: set[int] = set()
        for index, line in enumerate(lines):
            code = line.tax_code
            if code not in expense_by_code:
                continue
            if line.role in ("self_assessed", "output_tax"):
                skipped.add(index)  # DATEV books both sides from the key
            elif line.role == "tax" and code not in self_assessed:
                targets = expense_by_code[code]
                weights = [_signed(lines[i]) for i in targets]
                if sum(weights, ZERO) == ZERO:
                    continue  # nothing to carry it: written as a booking
                skipped.add(index)
                for target, share in zip(
                    targets, _allocate(_signed(line), weights), strict=True
                ):
                    folded[target] = folded.get(target, ZERO) + share
        for index, line in enumerate(lines):
            if index in skipped:
                continue
            amount = _signed(line) + folded.get(index, ZERO)
            if amount == ZERO:
                continue
            keyed = index in expense_by_code.get(line.tax_code, ())
            bookings.append(
                DatevBooking(
                    amount=abs(amount),
                    side="S" if amount > 0 else "H",
                    currency=entry.currency,
                    account=line.account,
                    contra=ap_control,
                    tax_key=tax_keys[line.tax_code] if keyed else "",
                    date=entry.date,
                    document=line.document,
                    text=(f"{line.vendor} {line.text or entry.text}").strip(),
                    cost_centre=line.cost_centre or "",
                    late=entry.late or "",
                )
            )
    return bookings


def _quote(text: str) -> str:
    text = re.sub(r"[\r\n\t]+", " ", text)
    return '"' + text.replace('"', '""') + '"'


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def datev_header_fields(header: DatevHeader) -> list[str]:
    created = header.created.strftime("%Y%m%d%H%M%S") + (
        f"{header.created.microsecond // 1000:03d}"
    )
    fiscal_start = header.fiscal_year_start
    return [
        _quote("EXTF"),
        "700",
        "21",
        _quote("Buchungsstapel"),
        "13",
        created,
        "",
        _quote("RE"),
        _quote(header.exported_by[:25]),
        _quote(""),
        str(header.consultant),
        str(header.client),
        _ymd(fiscal_start),
        str(header.account_length),
        _ymd(header.start),
        _ymd(header.end),
        _quote(header.label[:30]),
        _quote(""),
        "1",
        "0",
        "1" if header.locked else "0",
        _quote(header.currency),
        "",
        _quote(""),
        "",
        "",
        _quote(header.chart),
        "",
        "",
        _quote(""),
        _quote(""),
    ]


def datev_csv(bookings: Iterable[DatevBooking], header: DatevHeader) -> bytes:
    """Return the booking batch file: Windows-1252, semicolons, CRLF."""
    lines = [
        ";".join(datev_header_fields(header)),
        ";".join(BUCHUNGSSTAPEL_COLUMNS),
    ]
    for booking in bookings:
        fields = [""] * len(BUCHUNGSSTAPEL_COLUMNS)
        day = dt.date.fromisoformat(booking.date)
        values = {
            "Umsatz (ohne Soll/Haben-Kz)": _amount(booking.amount),
            "Soll/Haben-Kennzeichen": _quote(booking.side),
            "WKZ Umsatz": _quote(booking.currency),
            "Konto": booking.account,
            "Gegenkonto (ohne BU-Schlüssel)": booking.contra,
            "BU-Schlüssel": _quote(booking.tax_key),
            "Belegdatum": day.strftime("%d%m"),
            "Belegfeld 1": _quote(_BELEG_CHARS.sub("", booking.document)[-36:]),
            "Buchungstext": _quote(booking.text.strip()[:60]),
            "KOST1 - Kostenstelle": _quote(
                _KOST_CHARS.sub("", booking.cost_centre)[:36]
            ),
        }
        if booking.late:
            values["Beleginfo - Art 1"] = _quote("Late posting")
            values["Beleginfo - Inhalt 1"] = _quote(booking.late[:210])
        for name, value in values.items():
            fields[COLUMN[name]] = value
        lines.append(";".join(fields))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")


def datev_file_name(header: DatevHeader) -> str:
    """DATEV's importer expects EXTF_ at the start of the name."""
    return f"EXTF_Buchungsstapel_{_ymd(header.start)}_{_ymd(header.end)}.csv"
