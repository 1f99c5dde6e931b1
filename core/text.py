"""Checks every piece of free text from users passes before it is stored."""

import re
import unicodedata
from typing import Any

from core.errors import ValidationFailed

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TextError(ValueError):
    """Text that cannot be stored; the message says why."""


def clean_text(value: Any, *, max_length: int | None = None) -> str | None:
    """Return the stripped text (None when empty), or raise TextError."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TextError("Must be text.")
    value = value.strip()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # e.g. a lone surrogate sent as "\ud800" in JSON
        raise TextError("Contains characters that are not valid text.") from None
    if _CONTROL_CHARS.search(value):
        raise TextError("Contains control characters.")
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
