"""
What a bank's answer says, as plain data (issue 17), pure.

One parser module per ISO 20022 message reads a file into a `BankMessage`:
`payments/pain002.py` (payment status report), `payments/camt054.py` (debit
notification), `payments/camt053.py` (statement). `read_bank_message` tells
the message from its namespace, checks it against its official XSD
(shipped in `payments/schemas/`) and hands it to its parser. The import
service (`payments/bank_answers.py`) matches the entries to payments and
writes; nothing here reads or writes records.
"""

import datetime as dt
import functools
import importlib.resources
import itertools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from core.errors import ValidationFailed


class MessageType(StrEnum):
    PAIN002 = "pain.002"
    CAMT054 = "camt.054"
    CAMT053 = "camt.053"


class Outcome(StrEnum):
    """What an entry says of the transfer it names."""

    ACCEPTED = "accepted"  # pain.002 ACCP, ACSP, ACWC...: accepted, not booked
    BOOKED = "booked"  # a booked debit (camt Sts BOOK, CdtDbtInd DBIT)
    REJECTED = "rejected"  # pain.002 RJCT, or a return credited back (camt)


@dataclass(frozen=True)
class BankEntry:
    """
    One transfer's answer. `end_to_end_id` names the payment (the run's
    `VendorPayment.id`); an entry without one whose `original_message_id` is
    set speaks for every transfer of that pain.001 (a pain.002 rejecting a
    whole file or payment information block). Amount, currency, creditor
    IBAN and booking date are the fallback match when the EndToEndId is
    missing (some banks drop it in camt).
    """

    outcome: Outcome
    end_to_end_id: str | None = None
    original_message_id: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    creditor_iban: str | None = None
    booking_date: dt.date | None = None
    reason_code: str | None = None  # ISO 20022 external reason code: AC04, MS03
    reason_text: str | None = None  # the bank's words (AddtlInf), or the code's
    reference: str | None = None  # the bank's own reference (AcctSvcrRef, NtryRef)


@dataclass(frozen=True)
class BankMessage:
    message_type: MessageType
    message_id: str  # GrpHdr/MsgId
    created_at: dt.datetime | None
    entries: tuple[BankEntry, ...]


# --- Reading a file -------------------------------------------------------

NAMESPACE_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
# The versions read, each with its official XSD in payments/schemas/: the
# ones banks send a pain.001.001.09 customer in 2026 (SEPA, DK, CBPR+), and
# the older ones many still send.
SCHEMAS = {
    "pain.002.001.10": MessageType.PAIN002,
    "pain.002.001.03": MessageType.PAIN002,
    "camt.054.001.08": MessageType.CAMT054,
    "camt.054.001.02": MessageType.CAMT054,
    "camt.053.001.08": MessageType.CAMT053,
    "camt.053.001.02": MessageType.CAMT053,
}
SCHEMA_ERRORS_SHOWN = 3
SCHEMA_ERRORS_COUNTED = 100
# ISO 20022 messages nest about 15 deep; the XSD check recurses per level.
MAX_DEPTH = 50
WHAT_IS_READ = "a pain.002, camt.054 or camt.053 file"


def _refuse(message: str):
    raise ValidationFailed(message)


def _declares_dtd(content: bytes) -> bool:
    """
    Whether the file declares a DOCTYPE or an entity, in whichever of the
    encodings an XML parser would read it.
    """
    texts = [content.decode("latin-1")]
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:4]:
        for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            try:
                texts.append(content.decode(encoding))
            except UnicodeDecodeError:
                continue
    return any(
        marker in text.upper() for text in texts for marker in ("<!DOCTYPE", "<!ENTITY")
    )


def _parse(content: bytes):
    """
    Parse `content` so that no entity is ever expanded and nothing fetched:
    defusedxml refuses any DTD, entity declaration or external reference.
    """
    try:
        return fromstring(content, forbid_dtd=True)
    except DefusedXmlException:
        _refuse(_DTD_REFUSAL)
    except ParseError as error:
        line, column = error.position
        _refuse(f"The file is not XML (line {line}, column {column}: {error.msg}).")


_DTD_REFUSAL = (
    "The file declares a DOCTYPE or an entity. Bank files never do; it is "
    "refused so that nothing in it is expanded or fetched."
)


def _version(root) -> str:
    namespace, _, local = root.tag.rpartition("}")
    namespace = namespace.lstrip("{")
    version = namespace.removeprefix(NAMESPACE_PREFIX)
    if local == "Document" and version in SCHEMAS:
        return version
    family = version[:8]
    iso = local == "Document" and namespace.startswith(NAMESPACE_PREFIX)
    if iso and family in set(MessageType):
        known = " or ".join(v for v in SCHEMAS if v.startswith(family))
        _refuse(
            f"This {family} file is version {version}, which is not read here; "
            f"ask the bank for {known}."
        )
    if iso and family == "pain.001":
        _refuse(
            f"This is a payment file ({version}): what is sent to the bank, not "
            f"its answer. Upload {WHAT_IS_READ} the bank sent back."
        )
    if local != "Document":
        named = f"its root element is <{local}>, not an ISO 20022 <Document>"
    elif namespace:
        named = f"its namespace is '{namespace}'"
    else:
        named = "it has no namespace"
    _refuse(f"This is not {WHAT_IS_READ}: {named}.")


@functools.cache
def _schema(version: str):
    import xmlschema  # heavy; loaded once per version, on the first import

    path = importlib.resources.files("payments") / "schemas" / f"{version}.xsd"
    # The XSDs import nothing; no fetch from the network all the same.
    return xmlschema.XMLSchema(str(path), allow="local")


def schema_errors(root, version: str, *, limit: int | None = None) -> list[str]:
    """
    Return why the official XSD of `version` refuses `root` (empty: valid),
    each as "path: reason" with the message's namespace left out; the first
    `limit` only, when given (a broken file can have millions).
    """
    namespace = "{" + NAMESPACE_PREFIX + version + "}"
    errors = itertools.islice(_schema(version).iter_errors(root), limit)
    return [_schema_error(error).replace(namespace, "") for error in errors]


def _schema_error(error) -> str:
    described = f"{error.path}: {error.reason}"
    if isinstance(error.obj, str):  # a refused value: name it
        value = error.obj if len(error.obj) <= 40 else error.obj[:37] + "..."
        described += f" (found '{value}')"
    return described


def _depth(root) -> int:
    """How deep the elements of `root` nest (without recursion: it may be deep)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            stack.extend((child, depth + 1) for child in element)
    return deepest


def _parser(message_type: MessageType):
    # The parsers import this module's dataclasses: imported here, not above.
    from payments import camt053, camt054, pain002

    return {
        MessageType.PAIN002: pain002,
        MessageType.CAMT054: camt054,
        MessageType.CAMT053: camt053,
    }[message_type]


def read_bank_message(content: bytes, *, max_bytes: int | None = None) -> BankMessage:
    """
    Read a bank's answer: a pain.002, camt.054 or camt.053 file.

    Refused with `ValidationFailed` naming the reason: bigger than
    `max_bytes` (default: the BANK_STATEMENT_MAX_BYTES setting), not XML, a
    DOCTYPE or entity declaration (XXE, billion laughs: checked before
    parsing, and the parser expands nothing), a message or version not read
    here, or invalid against the message's official XSD.
    """
    if max_bytes is None:
        from django.conf import settings

        max_bytes = settings.BANK_STATEMENT_MAX_BYTES
    if len(content) > max_bytes:
        _refuse(
            f"The file is {len(content):,} bytes; a bank file may be at most "
            f"{max_bytes:,} bytes."
        )
    if not content.strip():
        _refuse(f"The file is empty; expected {WHAT_IS_READ}.")
    if _declares_dtd(content):
        _refuse(_DTD_REFUSAL)
    root = _parse(content)
    version = _version(root)
    if _depth(root) > MAX_DEPTH:
        _refuse(
            f"The file nests elements more than {MAX_DEPTH} deep; no "
            f"{SCHEMAS[version]} message does."
        )
    errors = schema_errors(root, version, limit=SCHEMA_ERRORS_COUNTED + 1)
    if errors:
        shown = "; ".join(errors[:SCHEMA_ERRORS_SHOWN])
        more = len(errors) - SCHEMA_ERRORS_SHOWN
        if len(errors) > SCHEMA_ERRORS_COUNTED:
            shown += (
                f" (and more than {SCHEMA_ERRORS_COUNTED - SCHEMA_ERRORS_SHOWN} more)"
            )
        elif more > 0:
            shown += f" (and {more} more)"
        _refuse(f"The file is not a valid {version} message: {shown}")
    return _parser(SCHEMAS[version]).parse(root)


# --- What the parsers share -------------------------------------------------


def _path(path: str) -> str:
    """'A/B' as a namespace-blind ElementTree path: '{*}A/{*}B'."""
    return "/".join(f"{{*}}{step}" for step in path.split("/"))


def find(element, path: str):
    """The first element at `path` below `element` (any namespace), or None."""
    return None if element is None else element.find(_path(path))


def find_all(element, path: str) -> list:
    return [] if element is None else element.findall(_path(path))


def text(element, path: str) -> str | None:
    """The stripped text at `path`, or None when absent or blank."""
    found = find(element, path)
    value = (found.text or "").strip() if found is not None else ""
    return value or None


def amount(element, path: str) -> tuple[Decimal | None, str | None]:
    """An amount element's value and its `Ccy`: (Decimal, "EUR")."""
    found = find(element, path)
    if found is None or not (found.text or "").strip():
        return None, None
    return Decimal(found.text.strip()), found.get("Ccy")


def end_to_end_id(value: str | None) -> str | None:
    """A transfer's EndToEndId; "NOTPROVIDED" (SEPA's placeholder) is none."""
    return None if value is None or value.upper() == "NOTPROVIDED" else value


def iso_datetime(value: str | None) -> dt.datetime | None:
    """An xs:dateTime; fractions beyond microseconds (some banks send nanoseconds) cut."""
    if value is None:
        return None
    head, dot, tail = value.partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[:digits][:6] + tail[digits:]
        value = f"{head}.{tail}"
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def iso_date(element, path: str) -> dt.date | None:
    """A DateAndDateTime choice at `path` (its Dt, or its DtTm's date)."""
    found = find(element, path)
    day = text(found, "Dt")
    if day:
        return dt.date.fromisoformat(day[:10])
    moment = iso_datetime(text(found, "DtTm"))
    return moment.date() if moment else None
