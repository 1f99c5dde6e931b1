"""Checks every piece of free text from users passes before it is stored."""

import re
import unicodedata
from typing import Any

from core.errors import ValidationFailed

# Text must survive every place it goes, an XML bank file included: XML 1.0
# allows tab, newline and carriage return of the C0 controls, and no lone
# surrogate, U+FFFE or U+FFFF. DEL is refused as the C0 controls are.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Unicode's 66 non-characters (U+FDD0..U+FDEF and the last two code points
# of every plane) are for a program's internal use, never for interchange.
_NONCHARACTERS = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
        for plane in range(17)
    )
    + "]"
)


class TextError(ValueError):
    """Text that cannot be stored; the message says why."""


def text_problem(value: str) -> str | None:
    """
    Return why `value` cannot be accepted as text, or None when it can.

    The one rule for every text a user sends (forms, API bodies and queries,
    CSV imports), so what is stored can later be written anywhere.
    """
    if _SURROGATES.search(value):
        # e.g. a lone surrogate sent as "\ud800" in JSON
        return "Contains characters that are not valid text."
    if match := _CONTROL_CHARS.search(value):
        return f"Contains a control character (U+{ord(match[0]):04X})."
    if match := _NONCHARACTERS.search(value):
        return f"Contains a character that is not text (U+{ord(match[0]):04X})."
    return None


def check_text(value: str) -> str:
    """Return `value` unchanged, or raise TextError saying what is wrong with it."""
    if problem := text_problem(value):
        raise TextError(problem)
    return value


def clean_text(value: Any, *, max_length: int | None = None) -> str | None:
    """Return the stripped text (None when empty), or raise TextError."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TextError("Must be text.")
    value = check_text(value.strip())
    if max_length and len(value) > max_length:
        raise TextError(f"At most {max_length} characters (this has {len(value)}).")
    return value or None


_SEPARATORS = {" ", ".", "/", "\\", "_"}


def compact_key(text: str) -> str:
    """
    Return the form in which two identifiers (invoice numbers, tax ids) compare.

    Unicode NFKC, case-folded, with spaces, dashes, dots, slashes, underscores
    and invisible characters removed: `DE 123.456-789` = `de123456789`.
    """
    kept = []
    for char in unicodedata.normalize("NFKC", text).casefold():
        category = unicodedata.category(char)
        if char in _SEPARATORS or category in ("Pd", "Zs", "Cf", "Cc"):
            continue  # Pd: dashes of every kind; Zs: spaces; Cf/Cc: invisible
        kept.append(char)
    return "".join(kept)


# The longest reason a user may give (a rejection, a void, a cancellation).
MAX_REASON = 1000


def clean_reason(reason: Any, *, missing: str | None = None) -> str | None:
    """
    Return a decision's reason as stored (None when empty), refusing text
    that cannot be stored, one over MAX_REASON characters, and, when a
    reason is required, an empty one with the `missing` message.

    Every refusal is a ValidationFailed on the field `reason`.
    """
    try:
        cleaned = clean_text(reason, max_length=MAX_REASON)
    except TextError as exc:
        raise ValidationFailed(f"The reason: {exc}", {"reason": str(exc)}) from None
    if cleaned is None and missing:
        raise ValidationFailed(missing, {"reason": missing})
    return cleaned
