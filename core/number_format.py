"""
Numbers as people type and read them: `1,234.56` or `1.234,56`.

Each user picks a number format on their profile (default:
`settings.NUMBER_FORMAT_DEFAULT`); a middleware activates it for the request,
as `django.utils.translation.activate` does for a language, and the page's
number fields (`core.forms.number_field`) and amount filters
(`core.templatetags.money`) read the active one. Services and the JSON API
only ever see the plain `1234.56`: a form turns typed text into it first
(`to_plain`).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from core.money import MAX_NUMBER_TEXT, MoneyError

# A no-break space and a narrow no-break space group digits the way a
# keyboard's space does, and keep a number on one line when shown.
_SPACES = " \u00a0\u202f"


@dataclass(frozen=True)
class NumberFormat:
    """How a number is written: its decimal mark and the mark grouping thousands."""

    key: str
    decimal: str
    group: str
    label: str

    @property
    def example(self) -> str:
        return self.key

    def group_marks(self) -> str:
        """Every character accepted as this format's thousands mark."""
        return _SPACES if self.group in _SPACES else self.group

    def format(self, value: Decimal, *, places: int | None = None, grouped=True) -> str:
        """
        Return the Decimal written in this format: `places` decimals (rounded
        half even as Python's format does), or as many as it has.
        """
        spec = f",.{places}f" if places is not None else ",f"
        if not grouped:
            spec = spec.lstrip(",")
        text = format(value, spec)
        # ',' and '.' swap places through a character neither is.
        return (
            text.replace(",", "\0").replace(".", self.decimal).replace("\0", self.group)
        )


FORMATS: dict[str, NumberFormat] = {
    fmt.key: fmt
    for fmt in (
        NumberFormat("1,234.56", ".", ",", "1,234.56 (decimal point)"),
        NumberFormat("1.234,56", ",", ".", "1.234,56 (decimal comma)"),
        NumberFormat(
            "1 234,56",
            ",",
            "\u202f",
            "1 234,56 (decimal comma, space between thousands)",
        ),
    )
}
NUMBER_FORMAT_CHOICES = [(fmt.key, fmt.label) for fmt in FORMATS.values()]

_active: ContextVar[NumberFormat | None] = ContextVar("p2p_number_format", default=None)


def default_format() -> NumberFormat:
    return FORMATS.get(settings.NUMBER_FORMAT_DEFAULT, FORMATS["1,234.56"])


def get_format(key: str | None) -> NumberFormat:
    """Return the format named `key`, or the default one for an unknown or empty key."""
    return FORMATS.get(key or "") or default_format()


def active() -> NumberFormat:
    """Return the number format of the current request, else the default."""
    return _active.get() or default_format()


def activate(key: str | None):
    """Make `key` the active format (until `deactivate(token)`); return the token."""
    return _active.set(get_format(key))


def deactivate(token) -> None:
    _active.reset(token)


@contextmanager
def override(key: str | None) -> Iterator[NumberFormat]:
    """Use the format named `key` inside the block."""
    token = activate(key)
    try:
        yield active()
    finally:
        deactivate(token)


# The plain form every service and the API read: digits, an optional point,
# an optional exponent (core.money.parse_decimal has the last word).
_PLAIN = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_ASCII_SPACE = " \t\r\n"


def _grouped(fmt: NumberFormat) -> re.Pattern:
    """A number in `fmt`: digits grouped in threes (or not at all), then decimals."""
    group = f"[{re.escape(fmt.group_marks())}]"
    decimal = re.escape(fmt.decimal)
    return re.compile(
        rf"(?P<sign>[-+]?)(?P<int>[1-9][0-9]{{0,2}}(?:{group}[0-9]{{3}})+|[0-9]+)"
        rf"(?:{decimal}(?P<frac>[0-9]+))?"
    )


def _single_mark(text: str) -> re.Match | None:
    """Digits with one ',' or '.' between them: "189,00", "-0.5"."""
    return re.fullmatch(r"(?P<sign>[-+]?)(?P<int>[0-9]+)[.,](?P<frac>[0-9]+)", text)


def to_plain(text: str, *, fmt: NumberFormat | None = None) -> str:
    """
    Return typed text as the plain `1234.56` a service reads, or raise
    MoneyError saying which format is expected.

    Read, in this order: a number in the user's format (`1.234,56`, and
    `1.234` = 1234 for `1.234,56`); one mark of the other kind where it
    cannot be a thousands mark (`189,00` for `1,234.56`, `189.00` for
    `1.234,56`; with three digits after it and at most three before, as in
    `1.234` for `1 234,56`, it could be either and is refused); the plain
    form (`1e3`). Anything else (`1.234,56` for a `1,234.56` user) is refused.
    """
    fmt = fmt or active()
    stripped = text.strip(_ASCII_SPACE)
    if not stripped:
        return stripped
    if len(stripped) > MAX_NUMBER_TEXT:
        return stripped  # parse_decimal refuses it, saying how long it is
    if match := _grouped(fmt).fullmatch(stripped):
        digits = re.sub(r"[^0-9]", "", match["int"])
        frac = f".{match['frac']}" if match["frac"] is not None else ""
        return f"{match['sign']}{digits}{frac}"
    if single := _single_mark(stripped):
        could_group = len(single["int"]) <= 3 and not single["int"].startswith("0")
        if len(single["frac"]) == 3 and could_group:
            reading = f"{single['int']}{single['frac']}"
            raise MoneyError(
                f"“{stripped}” could mean {reading} or "
                f"{single['int']}.{single['frac']}: use {fmt.example} — your "
                "number format (set on your profile)."
            )
        return f"{single['sign']}{single['int']}.{single['frac']}"
    if _PLAIN.fullmatch(stripped):
        return stripped
    if stripped.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
        return stripped  # parse_decimal says it must be finite
    raise MoneyError(f"Use {fmt.example} — your number format (set on your profile).")


def to_text(value: Decimal | int, *, fmt: NumberFormat | None = None) -> str:
    """Return a number for an input field: the active format, no thousands marks."""
    return (fmt or active()).format(Decimal(value), grouped=False)
