"""
Typed values out of an e-invoice's elements, shared by the UBL and CII readers.

A value the document prints wrong (an amount that is no number, a date that is
no date) or a required term it leaves out is refused with a message a clerk
can act on, naming the business term.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from core.errors import ValidationFailed


class Finder:
    """
    Find elements by prefixed paths (`ram:A/ram:B`) in one syntax's namespaces.

    Each path is turned into Clark notation (`{urn...}A/{urn...}B`) once and
    kept, so lxml does not map the prefixes again on every lookup.
    """

    def __init__(self, namespaces: dict[str, str]):
        self.namespaces = namespaces
        self._paths: dict[str, str] = {}

    def clark(self, path: str) -> str:
        found = self._paths.get(path)
        if found is None:
            steps = []
            for step in path.split("/"):
                prefix, _, name = step.rpartition(":")
                steps.append(f"{{{self.namespaces[prefix]}}}{name}" if prefix else step)
            found = self._paths[path] = "/".join(steps)
        return found

    def text(self, element, path: str) -> str | None:
        """The stripped text at `path` under `element`; None when absent or empty."""
        if element is None:
            return None
        return clean(element.findtext(self.clark(path)))

    def all(self, element, path: str) -> list:
        return [] if element is None else element.findall(self.clark(path))

    def one(self, element, path: str):
        return None if element is None else element.find(self.clark(path))


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"file": message})


def clean(text: str | None) -> str | None:
    """The text with surrounding whitespace removed; None when empty."""
    if text is None:
        return None
    text = text.strip()
    return text or None


def amount(text: str | None, term: str) -> Decimal | None:
    """A decimal exactly as printed (trailing zeros kept), or None when absent."""
    text = clean(text)
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise refuse(f"The e-invoice's {term} is '{text[:40]}', which is not a number.")
    return value


def required(value, term: str):
    if value is None:
        raise refuse(f"The e-invoice has no {term}.")
    return value


def iso_date(text: str | None, term: str) -> dt.date | None:
    """A UBL date (YYYY-MM-DD)."""
    text = clean(text)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise refuse(
            f"The e-invoice's {term} is '{text[:40]}', which is not a date."
        ) from None


def cii_date(
    text: str | None, term: str, date_format: str | None = "102"
) -> dt.date | None:
    """A CII date string: format 102 is YYYYMMDD (the only one EN 16931 allows)."""
    text = clean(text)
    if text is None:
        return None
    try:
        if date_format in (None, "102") and len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise refuse(
            f"The e-invoice's {term} is '{text[:40]}', which is not a date."
        ) from None


# UNTDID 1001 codes EN 16931 allows whose meaning is a credit (the rest bill).
CREDIT_TYPE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)
