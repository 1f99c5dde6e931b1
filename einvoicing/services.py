"""
Every write of the e-invoice intake: a document taken in (as an invoice or
credit note, or into the inbox) and an inbox item resolved or discarded.

INTERFACE ONLY (groundwork of issue 18): the bodies are written on the
import branch; nothing here is called by main yet.
"""

from dataclasses import dataclass

from einvoicing.document import EInvoice, RuleResult


@dataclass(frozen=True)
class ImportOutcome:
    """What taking in one e-invoice did: an invoice (201) or an inbox item (202)."""

    einvoice: EInvoice
    warnings: tuple[RuleResult, ...]
    invoice: object | None = None  # invoicing.models.Invoice
    intake: object | None = None  # einvoicing.models.EInvoiceIntake


def einvoice_import(*, user, filename: str, content: bytes) -> ImportOutcome:
    """
    Take in one file (UBL or CII XML, or a Factur-X PDF) as an AP Clerk.

    Raises TooLarge (413), ValidationFailed (422: not XML, not an e-invoice,
    a DOCTYPE), EInvoiceInvalid (422: fatal EN 16931 rules), Duplicate (409:
    the vendor's number is entered, extra `existing_invoice_id`; or this very
    file was taken in before, extra `existing_invoice_id` or
    `existing_intake_id` and `already_imported: True`).
    """
    raise NotImplementedError


def intake_assign_po(*, intake_id: str, user, po_id: str, version: int):
    """Turn a waiting item into an invoice against the PO a clerk picked."""
    raise NotImplementedError


def intake_without_po(*, intake_id: str, user, version: int):
    """Turn a waiting item into an invoice without PO (approval flow)."""
    raise NotImplementedError


def intake_retry(*, intake_id: str, user, version: int) -> ImportOutcome:
    """Look for the item's vendor and PO again (after a vendor was created)."""
    raise NotImplementedError


def intake_discard(*, intake_id: str, user, reason: str, version: int):
    """Remove a waiting item from the inbox, with a reason (audited)."""
    raise NotImplementedError
