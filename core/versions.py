"""
Optimistic locking: every edit says which version of the record it was made on.

Services call `check_version` after finding the record (so an unknown id is a
404 first); the API turns a request's `version` or If-Match header into the
value they check with `version_from_request`.
"""

from typing import Final

from core.errors import StaleRecord, ValidationFailed


class _VersionMissing:
    """A write that should have said its version and did not."""

    def __repr__(self) -> str:
        return "VERSION_MISSING"


VERSION_MISSING: Final = _VersionMissing()


def version_from_request(request, version: int | None) -> int | _VersionMissing:
    """The body's `version`, else the If-Match header, else VERSION_MISSING."""
    if version is None:
        header = request.headers.get("If-Match", "").strip().strip('"')
        version = int(header) if header.isdigit() else None
    return VERSION_MISSING if version is None else version


def check_version(record, version: int | None | _VersionMissing) -> None:
    """
    Refuse a write based on another version of `record`.

    None means the caller checks nothing more than the version it just read
    (internal callers); VERSION_MISSING is refused, since such a write could
    overwrite a change its client never saw.
    """
    if version is VERSION_MISSING:
        raise ValidationFailed(
            "Send the `version` you read (or an If-Match header), so a change made "
            "by someone else since is not overwritten.",
            {"version": "Required."},
        )
    if version is not None and version != record.version:
        raise StaleRecord()
