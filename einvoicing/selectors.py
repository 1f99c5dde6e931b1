"""Reads of the e-invoice intake: through its indexes, never a scan."""

from core import dynamo
from core.errors import NotFound
from einvoicing.models import LISTING, WAITING, EInvoiceIntake, SourceFingerprint


def intake_get(*, intake_id: str) -> EInvoiceIntake | None:
    try:
        return EInvoiceIntake.get(intake_id, consistent_read=True)
    except EInvoiceIntake.DoesNotExist:
        return None


def intake_get_or_404(*, intake_id: str) -> EInvoiceIntake:
    item = intake_get(intake_id=intake_id)
    if item is None:
        raise NotFound(f"There is no e-invoice in the inbox with id '{intake_id}'.")
    return item


def intake_list(
    *, waiting_only: bool = True, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """The inbox (waiting items, newest first), or every item taken in."""
    if waiting_only:
        return dynamo.query_page(
            EInvoiceIntake.inbox_index, WAITING, cursor=cursor, limit=limit,
            scope="inbox",
        )  # fmt: skip
    return dynamo.query_page(
        EInvoiceIntake.listing_index, LISTING, cursor=cursor, limit=limit,
        scope="intake",
    )  # fmt: skip


def source_fingerprint_get(*, sha256: str) -> SourceFingerprint | None:
    """What a file with this SHA-256 became, if it was taken in before."""
    try:
        return SourceFingerprint.get(
            SourceFingerprint.key(sha256), consistent_read=True
        )
    except SourceFingerprint.DoesNotExist:
        return None
