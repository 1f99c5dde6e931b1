"""The precondition every API write carries: the version it was based on."""

from p2p_site.errors import ValidationFailed


def required_version(request, version: int | None) -> int:
    """
    Return the version a write was based on: the body's `version` or If-Match.

    A write without one could overwrite a change its client never saw, so it
    is refused rather than applied to whatever is current.
    """
    if version is None:
        header = request.headers.get("If-Match", "").strip().strip('"')
        version = int(header) if header.isdigit() else None
    if version is None:
        raise ValidationFailed(
            "Send the `version` you read (or an If-Match header), so a change made "
            "by someone else since is not overwritten.",
            {"version": "Required."},
        )
    return version
