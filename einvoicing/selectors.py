"""Reads of the e-invoice intake (through its indexes, never a scan) and of stored e-invoices."""

import logging

from core import documents, dynamo
from core.errors import NotFound, ValidationFailed
from einvoicing import reading
from einvoicing.document import Container, EInvoice, ReceivedFile, Syntax
from einvoicing.models import LISTING, WAITING, EInvoiceIntake, SourceFingerprint

logger = logging.getLogger(__name__)


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


def intake_einvoice(*, intake: EInvoiceIntake) -> EInvoice:
    """The item's e-invoice, read again from its stored XML."""
    with documents.document_open(key=intake.xml_key) as stored:
        xml = stored.read()
    received = ReceivedFile(
        syntax=Syntax(intake.syntax),
        container=Container(intake.container),
        xml=xml,
        pdf=None,
        sha256=intake.source_sha256,
        filename=intake.file_name,
    )
    return reading.einvoice_from_file(received)


def intake_vendor_initial(*, intake: EInvoiceIntake) -> dict:
    """
    The vendor form's initial values from the item's seller (the "Create
    vendor from this e-invoice" page): name, VAT id, legal id as tax id,
    address, contact, bank details, the document's currency.
    """
    einvoice = intake_einvoice(intake=intake)
    seller = einvoice.seller
    address = seller.address
    account = einvoice.payment_accounts[0] if einvoice.payment_accounts else None
    initial = {
        "name": seller.name,
        "vat_id": seller.vat_id,
        "tax_id": seller.legal_id or seller.tax_registration,
        "street": address.street,
        "address_line2": address.additional,
        "postcode": address.postcode,
        "town": address.town,
        "country": address.country,
        "tax_country": address.country,
        "email": seller.contact_email,
        "phone": seller.contact_phone,
        "iban": account.iban if account else None,
        "bic": account.bic if account else None,
        "currency": einvoice.currency,
    }
    return {name: value for name, value in initial.items() if value}


def invoice_einvoice(*, invoice) -> EInvoice | None:
    """
    What the invoice's stored e-invoice XML says, read again from storage;
    None when it has none, or when the stored file is gone or no longer reads
    (logged: the invoice keeps its own fields either way).
    """
    if not invoice.einvoice_key:
        return None
    try:
        with documents.document_open(key=invoice.einvoice_key) as stored:
            xml = stored.read()
        return reading.einvoice_from_xml(xml)
    except (NotFound, ValidationFailed) as exc:
        logger.warning(
            "The e-invoice stored for invoice %s under %s cannot be read: %s",
            invoice.id, invoice.einvoice_key, exc,
        )  # fmt: skip
        return None
