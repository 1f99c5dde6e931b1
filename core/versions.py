"""
Optimistic locking: every edit says which version of the record it was made on.

Services call `check_version` after finding the record (so an unknown id is a
404 first); the API turns a request's `version` or If-Match header into the
value they check with `version_from_request`.
"""

import re
from typing import Final

from core.errors import StaleRecord, ValidationFailed

# Far more edits than a record will ever see; a longer number is not a version
# (and one of 4,300 digits or more would meet Python's int digit limit).
MAX_VERSION = 10**15
_VERSION_TEXT = re.compile(r"[0-9]{1,15}")


class _VersionMissing:
    """A write that should have said its version and did not."""

    def __repr__(self) -> str:
        return "VERSION_MISSING"


VERSION_MISSING: Final = _VersionMissing()


def version_from_request(
    request, version: int | None, *, required: bool = True
) -> int | None | _VersionMissing:
    """
    Return the body's `version`, else the If-Match header's.

    Without either: VERSION_MISSING when the endpoint requires a version,
    else None, which makes the write conditional on the version the service
    reads in the same request (the original API's clients send none;
    domain.md, "The original API"). `If-Match: *` names no version.
    """
    if version is None:
        header = request.headers.get("If-Match", "").strip()
        if header and header != "*":
            digits = header.removeprefix("W/").strip('"')
            if not _VERSION_TEXT.fullmatch(digits):
                raise ValidationFailed(
                    "If-Match must be the record's version as you read it, "
                    'a whole number such as "3".',
                    {"If-Match": "Not a version."},
                )
            version = int(digits)
    if version is None:
        return VERSION_MISSING if required else None
    return version


def check_version(record, version: int | None | _VersionMissing) -> None:
    """
    Refuse a write based on another version of `record`.

    None means the caller checks nothing more than the version it just read
    (internal callers, and the original API's clients that send none);
    VERSION_MISSING is refused, since such a write could overwrite a change
    its client never saw.
    """
    if version is VERSION_MISSING:
        raise ValidationFailed(
            "Send the `version` you read (or an If-Match header), so a change made "
            "by someone else since is not overwritten.",
            {"version": "Required."},
        )
    if version is not None and version != record.version:
        raise StaleRecord()
