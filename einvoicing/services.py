"""
Every write of the e-invoice intake: a document taken in (as an invoice or
credit note, or into the inbox) and an inbox item resolved or discarded.

Taking in a file (`einvoice_import`): read it (einvoicing.reading), refuse
a file taken in before (its SHA-256's SourceFingerprint: before the rules,
so a re-run over the same folder costs one read a file), check the EN 16931
rules (einvoicing.rules: a fatal one refuses it and nothing is stored), find the seller's vendor and the PO (or, for a credit note, the invoice it
credits), then enter it like any invoice (invoicing.services.invoice_create
or invoicing.credit_notes.credit_note_create: the number guard, coding,
tax per code and the reconciliation queue all apply). The lines and amounts
are einvoicing.conversion's (see there how line nets, allowances and
charges and tax codes are carried over). Without its vendor or PO it waits
in the inbox (`needs_vendor`, `needs_po`) with the reason in words.

Choices:

* The vendor is looked up by the seller's VAT id (BT-31), then its IBAN
  (BT-84), then its legal id (BT-30) or local tax number (BT-32), each
  compared with the vendors' VAT ids and tax ids in their normalised form.
  The first identifier that names any vendor decides: one vendor that is
  not inactive or suspended is found; several, or an inactive one, is not
  (the reason says which), since guessing would bill the wrong vendor.
* The PO is the one numbered by the order reference (BT-13), of that
  vendor, in the document's currency, approved or sent. A credit note
  credits the invoice its preceding invoice reference (BT-25) names, if
  that vendor has it and it can be credited; else it stands for the PO.
* The file's fingerprint is written in the same transaction as the invoice
  or the inbox item (`DocumentOrigin.also`), so the same file sent twice at
  once is taken in once; the loser is told it was already imported. The
  XML (and a Factur-X PDF, the invoice's attachment) is stored first and
  removed again when the transaction is refused.
* Resolving an inbox item (assign a PO, without PO, retry) writes the
  invoice, the item (imported, out of the inbox, conditioned on its version
  and on still waiting) and its EINVOICE_ACTION entry in one transaction:
  two clerks resolving one item at once make one invoice.
* A document the invoicing rules refuse (a date in the future, a credit
  above what the invoice leaves to credit, a number the vendor used) is
  refused as typed invoices are (422 / 409), and nothing is stored.
* A discarded item keeps its fingerprint: the same file sent again is
  refused as taken in before (`existing_intake_id`).
"""

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from accounting.selectors import tax_codes_by_code
from accounts.roles import Role, require_role
from audit.entries import actor_id, audit_entry_add
from core import documents, dynamo
from core.bank_numbers import normalise_iban
from core.errors import (
    Duplicate,
    InvalidTransition,
    NotFound,
    StaleRecord,
    ValidationFailed,
)
from core.text import clean_reason
from core.versions import check_version
from core.writes import audited_update_add
from einvoicing import events, reading, rules
from einvoicing.conversion import TaxCodeChoice, einvoice_lines
from einvoicing.document import (
    EInvoice,
    EInvoiceType,
    ReceivedFile,
    RuleResult,
)
from einvoicing.models import (
    WAITING,
    WAITING_STATUSES,
    EInvoiceIntake,
    IntakeStatus,
    SourceFingerprint,
)
from einvoicing.selectors import (
    intake_einvoice,
    intake_get_or_404,
    source_fingerprint_get,
)
from invoicing.credit_notes import credit_note_create, creditable_refusal
from invoicing.origins import DocumentOrigin
from invoicing.selectors import invoice_get_by_vendor_number
from invoicing.services import invoice_create
from invoicing.without_po import invoice_without_po_create
from purchasing.models import POStatus
from purchasing.selectors import purchase_order_get, purchase_order_get_by_number
from vendors.models import VendorStatus
from vendors.selectors import vendor_get, vendors_with_iban, vendors_with_identity

# The POs an e-invoice is entered against (as reconciliation matches only these).
INVOICEABLE_PO_STATUSES = frozenset({POStatus.APPROVED, POStatus.SENT})
UNUSABLE_VENDOR_STATUSES = frozenset({VendorStatus.INACTIVE, VendorStatus.SUSPENDED})
XML_TYPE = "application/xml"
PDF_TYPE = "application/pdf"


@dataclass(frozen=True)
class ImportOutcome:
    """What taking in one e-invoice did: an invoice (201) or an inbox item (202)."""

    einvoice: EInvoice
    warnings: tuple[RuleResult, ...]
    invoice: object | None = None  # invoicing.models.Invoice
    intake: object | None = None  # einvoicing.models.EInvoiceIntake
    # What the conversion noticed ("No tax code for VAT category S at 25%: ...").
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Target:
    """What the document is entered against: a PO, an invoice it credits, or neither."""

    po: object | None = None
    credited: object | None = None
    without_po: bool = False


@dataclass(frozen=True)
class _Files:
    """Where the document is stored: its XML, and the PDF it came in (Factur-X)."""

    file_name: str
    xml_key: str
    pdf_key: str | None = None

    def keys(self) -> list[str]:
        return [key for key in (self.xml_key, self.pdf_key) if key]


# --- Taking a file in ---------------------------------------------------------


def einvoice_import(*, user, filename: str, content: bytes) -> ImportOutcome:
    """
    Take in one file (UBL or CII XML, or a Factur-X PDF) as an AP Clerk.

    Raises TooLarge (413), ValidationFailed (422: not XML, not an e-invoice,
    a DOCTYPE), EInvoiceInvalid (422: fatal EN 16931 rules), Duplicate (409:
    the vendor's number is entered, extra `existing_invoice_id`; or this very
    file was taken in before, extra `existing_invoice_id` or
    `existing_intake_id` and `already_imported: True`).
    """
    require_role(user, Role.AP_CLERK, action="import e-invoices")
    received = reading.read_file(filename=filename, content=content)
    _refuse_taken(received.sha256)  # before the rules: a re-run is cheap
    warnings = tuple(rules.check(xml=received.xml, syntax=received.syntax))
    einvoice = reading.einvoice_from_file(received)
    return _take_in(user=user, received=received, einvoice=einvoice, warnings=warnings)


def einvoice_take_in(
    *,
    user,
    received: ReceivedFile,
    einvoice: EInvoice,
    warnings: tuple[RuleResult, ...] = (),
) -> ImportOutcome:
    """
    Take in a file already read and checked (`einvoice_import`'s second
    half): as an invoice or credit note when its vendor and PO are found,
    else into the inbox.
    """
    require_role(user, Role.AP_CLERK, action="import e-invoices")
    _refuse_taken(received.sha256)
    return _take_in(
        user=user, received=received, einvoice=einvoice, warnings=tuple(warnings)
    )


def _take_in(*, user, received, einvoice, warnings) -> ImportOutcome:
    vendor, reason = vendor_for(einvoice)
    target = None
    if vendor is not None:
        target, reason = target_for(einvoice, vendor)
    folder = str(uuid.uuid4())
    files = _store(received, folder=folder)
    try:
        if target is not None:
            fingerprint = _fingerprint(received, invoice_id=None)

            def also(transaction, invoice):
                fingerprint.invoice_id = invoice.id
                transaction.save(
                    fingerprint, condition=SourceFingerprint.id.does_not_exist()
                )

            invoice, notes = _enter(
                user=user,
                einvoice=einvoice,
                vendor=vendor,
                target=target,
                files=files,
                sha256=received.sha256,
                warnings=warnings,
                also=also,
            )
            return ImportOutcome(
                einvoice=einvoice, warnings=warnings, invoice=invoice, notes=notes
            )
        intake = _intake_new(
            intake_id=folder,
            user=user,
            received=received,
            einvoice=einvoice,
            warnings=warnings,
            files=files,
            vendor=vendor,
            status=IntakeStatus.NEEDS_PO if vendor else IntakeStatus.NEEDS_VENDOR,
            reason=reason,
        )
        with dynamo.write_transaction() as transaction:
            transaction.save(intake, condition=EInvoiceIntake.id.does_not_exist())
            transaction.save(
                _fingerprint(received, intake_id=intake.id),
                condition=SourceFingerprint.id.does_not_exist(),
            )
            audit_entry_add(
                transaction, events.intake_received_event(intake=intake, user=user)
            )
        return ImportOutcome(einvoice=einvoice, warnings=warnings, intake=intake)
    except BaseException as exc:
        for key in files.keys():
            documents.document_discard(key=key)  # nothing refers to them
        if isinstance(exc, (StaleRecord, Duplicate)):
            _refuse_taken(received.sha256)  # the same file, taken in meanwhile
        raise


def _refuse_taken(sha256: str) -> None:
    taken = source_fingerprint_get(sha256=sha256)
    if taken is None:
        return
    if taken.invoice_id:
        extra = {"existing_invoice_id": taken.invoice_id}
        what = "as an invoice"
    else:
        extra = {"existing_intake_id": taken.intake_id}
        what = "into the e-invoice inbox"
    raise Duplicate(
        f"This file ({taken.file_name or 'the same content'}) was already taken in "
        f"{what}.",
        {"already_imported": True, **extra},
    )


def _fingerprint(received: ReceivedFile, **ids) -> SourceFingerprint:
    return SourceFingerprint(
        SourceFingerprint.key(received.sha256),
        file_name=received.filename,
        taken_at=dynamo.utcnow(),
        **ids,
    )


def _store(received: ReceivedFile, *, folder: str) -> _Files:
    xml = documents.document_save(
        key=f"einvoices/{folder}/einvoice.xml", content=received.xml,
        content_type=XML_TYPE,
    )  # fmt: skip
    pdf_key = None
    if received.pdf is not None:
        try:
            pdf_key = documents.document_save(
                key=f"einvoices/{folder}/einvoice.pdf", content=received.pdf,
                content_type=PDF_TYPE,
            ).key  # fmt: skip
        except BaseException:
            documents.document_discard(key=xml.key)
            raise
    return _Files(file_name=received.filename, xml_key=xml.key, pdf_key=pdf_key)


def _intake_new(
    *, intake_id, user, received, einvoice, warnings, files, vendor, status, reason
) -> EInvoiceIntake:
    now = dynamo.utcnow()
    seller = einvoice.seller
    totals = einvoice.totals
    return EInvoiceIntake(
        id=intake_id,
        inbox=WAITING,
        status=status.value,
        file_name=received.filename,
        source_sha256=received.sha256,
        xml_key=files.xml_key,
        pdf_key=files.pdf_key,
        syntax=str(received.syntax),
        container=str(received.container),
        document_type=str(einvoice.document_type),
        invoice_number=einvoice.number,
        issue_date=einvoice.issue_date.isoformat(),
        currency=einvoice.currency,
        seller_name=seller.name,
        seller_vat_id=seller.vat_id,
        seller_legal_id=seller.legal_id or seller.tax_registration,
        seller_iban=einvoice.iban,
        order_reference=einvoice.order_reference,
        net_total=totals.net_total,
        tax_amount=totals.tax_total,
        total_amount=totals.gross_total,
        amount_due=totals.amount_due,
        warnings_json=_warnings_json(warnings),
        reason=reason,
        vendor_id=vendor.id if vendor else None,
        vendor_name=vendor.name if vendor else None,
        received_by=actor_id(user),
        received_at=now,
        updated_at=now,
    )


def _warnings_json(warnings) -> str | None:
    if not warnings:
        return None
    return json.dumps(
        [{"rule": w.rule_id, "flag": w.flag, "message": w.text} for w in warnings]
    )


# --- The vendor and the PO ----------------------------------------------------


def vendor_for(einvoice: EInvoice):
    """The seller's vendor and None, or None and why it was not found."""
    seller = einvoice.seller
    legal_ids = [i for i in (seller.legal_id, seller.tax_registration) if i]
    iban = normalise_iban(einvoice.iban or "") or None
    lookups = []
    if seller.vat_id:
        lookups.append(("VAT id", seller.vat_id, _by_identity(seller.vat_id)))
    if iban:
        lookups.append(("IBAN", iban, lambda: vendors_with_iban(iban=iban)))
    for legal_id in legal_ids:
        lookups.append(("legal id", legal_id, _by_identity(legal_id)))
    for what, value, find in lookups:
        found = find()
        if not found:
            continue
        usable = [v for v in found if v.status not in UNUSABLE_VENDOR_STATUSES]
        if len(found) > 1:
            names = ", ".join(sorted(v.name for v in found))
            return None, (
                f"Several vendors have {what} {value} ({names}): the e-invoice "
                "cannot tell which one sent it."
            )
        if not usable:
            return None, (
                f"The vendor with {what} {value}, {found[0].name}, is "
                f"{found[0].status}; no invoice is entered for it."
            )
        return usable[0], None
    if not lookups:
        return None, (
            f"The seller {seller.name} gives no VAT id, IBAN or legal id to find "
            "its vendor by."
        )
    named = [f"{what} {value}" for what, value, _ in lookups]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]
    return None, f"No vendor has {listed} (seller: {seller.name})."


def _by_identity(identifier: str) -> Callable[[], list]:
    """Vendors whose VAT id or tax id is `identifier` (normalised), each once."""

    def find() -> list:
        # One identifier is compared with both fields' indexes either way:
        # asking once (as a VAT id) saves the same two queries again.
        found = vendors_with_identity(tax_id=None, vat_id=identifier)
        vendors = {}
        for pairs in found.values():
            for _, vendor in pairs:
                vendors[vendor.id] = vendor
        return sorted(vendors.values(), key=lambda v: (v.name, v.id))

    return find


def po_refusal(po, *, vendor, currency: str) -> str | None:
    """Why an e-invoice of `vendor` in `currency` cannot be entered against `po`."""
    if po.vendor_id != vendor.id:
        return (
            f"{po.po_number} is not a PO of {vendor.name} (it is {po.vendor_name}'s)."
        )
    if po.currency != currency:
        return f"{po.po_number} is in {po.currency}; the e-invoice is in {currency}."
    if po.status not in INVOICEABLE_PO_STATUSES:
        return (
            f"{po.po_number} is {po.status}; e-invoices are entered against approved "
            "or sent POs."
        )
    return None


def target_for(einvoice: EInvoice, vendor):
    """What the document is entered against, and None; or None and why not."""
    reasons = []
    if (
        einvoice.document_type == EInvoiceType.CREDIT_NOTE
        and einvoice.preceding_invoice
    ):
        credited = invoice_get_by_vendor_number(
            vendor_id=vendor.id, number=einvoice.preceding_invoice
        )
        if credited is None:
            reasons.append(
                f"{vendor.name} has no invoice {einvoice.preceding_invoice} to credit."
            )
        elif credited.currency != einvoice.currency:
            reasons.append(
                f"Invoice {credited.invoice_number} is in {credited.currency}; the "
                f"credit note is in {einvoice.currency}."
            )
        elif refusal := creditable_refusal(credited):
            reasons.append(refusal)
        else:
            return _Target(credited=credited), None
    reference = (einvoice.order_reference or "").strip()
    if not reference:
        reasons.append(
            f"The e-invoice names no PO (order reference, BT-13): pick the PO of "
            f"{vendor.name} it bills, or enter it without PO."
        )
        return None, " ".join(reasons)
    po = purchase_order_get_by_number(po_number=reference)
    if po is None or po.vendor_id != vendor.id:
        reasons.append(f"{vendor.name} has no PO numbered {reference}.")
        return None, " ".join(reasons)
    refusal = po_refusal(po, vendor=vendor, currency=einvoice.currency)
    if refusal:
        reasons.append(refusal)
        return None, " ".join(reasons)
    return _Target(po=po), None


# --- Entering the document ----------------------------------------------------


def _active_codes() -> list[TaxCodeChoice]:
    return [
        TaxCodeChoice(code=c.code, category=c.category, rate=c.rate)
        for c in tax_codes_by_code().values()
        if c.active
    ]


def _enter(*, user, einvoice, vendor, target, files, sha256, warnings, also):
    """Enter the document as an invoice or credit note; return it and the notes."""
    po = target.po
    if po is None and target.credited is not None and target.credited.po_id:
        po = purchase_order_get(po_id=target.credited.po_id)
    conversion = einvoice_lines(
        einvoice,
        codes=_active_codes(),
        po_line_codes={line.line_number: line.tax_code for line in po.items}
        if po
        else None,
        po_line_numbers=[line.line_number for line in po.items] if po else (),
        vendor_tax_code=vendor.default_tax_code,
    )
    fields = {
        "einvoice_key": files.xml_key,
        "einvoice_syntax": str(einvoice.syntax),
        "source_sha256": sha256,
        "amount_due": einvoice.totals.amount_due,
    }
    if files.pdf_key:
        fields |= {
            "attachment_key": files.pdf_key,
            "attachment_name": files.file_name,
            "attachment_type": PDF_TYPE,
        }
    details = events.einvoice_source_details(
        sha256=sha256, einvoice=einvoice, warnings=warnings, file_name=files.file_name
    )
    if conversion.warnings:
        details["notes"] = list(conversion.warnings)
    origin = DocumentOrigin(
        fields=fields,
        details=details,
        due_date=einvoice.due_date,
        printed_amounts=True,
        tax_uncoded=not conversion.coded,
        also=also,
        # Found by its number and the seller's identity: not read again.
        records={record.id: record for record in (po, vendor) if record is not None},
    )
    lines = conversion.lines
    common = {
        "user": user,
        "invoice_number": einvoice.number,
        "invoice_date": einvoice.issue_date,
        "tax_amount": conversion.tax_amount,
        "total_amount": conversion.total_amount,
        "printed_tax": conversion.printed_tax,
        "origin": origin,
    }
    if einvoice.document_type == EInvoiceType.CREDIT_NOTE:
        invoice = credit_note_create(
            lines=lines,
            credited_invoice_id=target.credited.id if target.credited else None,
            po_id=target.po.id if target.po else None,
            vendor_id=vendor.id if target.without_po else None,
            **common,
        )
    elif target.without_po:
        invoice = invoice_without_po_create(
            vendor_id=vendor.id,
            lines=[{**line, "po_line_number": None} for line in lines],
            **common,
        )
    else:
        invoice = invoice_create(po_id=po.id, lines=lines, **common)
    return invoice, conversion.warnings


# --- Resolving an inbox item --------------------------------------------------


def _waiting_item(intake_id: str, version) -> EInvoiceIntake:
    intake = intake_get_or_404(intake_id=intake_id)
    check_version(intake, version)
    if not intake.waiting:
        raise InvalidTransition(_resolved_message(intake))
    return intake


def _resolved_message(intake: EInvoiceIntake) -> str:
    by = f" by {intake.resolved_by}" if intake.resolved_by else ""
    return f"E-invoice {intake.invoice_number} was {intake.status}{by} already."


def _item_vendor(intake: EInvoiceIntake):
    vendor = vendor_get(vendor_id=intake.vendor_id) if intake.vendor_id else None
    if vendor is None:
        message = (
            f"E-invoice {intake.invoice_number} has no vendor yet: create or find "
            f"the vendor of {intake.seller_name}, then look it up again."
        )
        raise ValidationFailed(message, {"vendor_id": message})
    if vendor.status in UNUSABLE_VENDOR_STATUSES:
        message = f"{vendor.name} is {vendor.status}; no invoice is entered for it."
        raise ValidationFailed(message, {"vendor_id": message})
    return vendor


def _resolution(intake: EInvoiceIntake, user, how: str):
    """The writes that mark the item imported, in the invoice's own transaction."""
    done: list[Callable[[], None]] = []

    def also(transaction, invoice):
        now = dynamo.utcnow()
        updates = {
            "status": IntakeStatus.IMPORTED.value,
            "inbox": None,
            "invoice_id": invoice.id,
            "vendor_id": invoice.vendor_id,
            "vendor_name": invoice.vendor_name,
            "reason": None,
            "resolved_by": actor_id(user),
            "resolved_at": now,
            "updated_at": now,
        }
        entry = events.intake_imported_event(
            intake=intake, invoice=invoice, user=user, how=how
        )
        done.append(
            audited_update_add(
                transaction,
                intake,
                updates,
                entry=entry,
                condition=EInvoiceIntake.status.is_in(*WAITING_STATUSES),
            )
        )
        transaction.update(
            SourceFingerprint(SourceFingerprint.key(intake.source_sha256)),
            actions=[SourceFingerprint.invoice_id.set(invoice.id)],
        )

    return also, done


def _resolve(*, intake, user, vendor, target, how) -> ImportOutcome:
    einvoice = intake_einvoice(intake=intake)
    also, done = _resolution(intake, user, how)
    files = _Files(
        file_name=intake.file_name, xml_key=intake.xml_key, pdf_key=intake.pdf_key
    )
    try:
        invoice, notes = _enter(
            user=user,
            einvoice=einvoice,
            vendor=vendor,
            target=target,
            files=files,
            sha256=intake.source_sha256,
            warnings=tuple(_stored_warnings(intake)),
            also=also,
        )
    except (StaleRecord, Duplicate) as exc:
        current = intake_get_or_404(intake_id=intake.id)
        if current.version != intake.version or not current.waiting:
            raise InvalidTransition(_resolved_message(current)) from exc
        raise
    for committed in done:
        committed()
    return ImportOutcome(
        einvoice=einvoice,
        warnings=tuple(_stored_warnings(intake)),
        invoice=invoice,
        intake=intake,
        notes=notes,
    )


def _stored_warnings(intake: EInvoiceIntake) -> list[RuleResult]:
    return [
        RuleResult(rule_id=w["rule"], flag=w["flag"], text=w["message"])
        for w in intake.warnings
    ]


def intake_assign_po(*, intake_id: str, user, po_id: str, version: int):
    """Turn a waiting item into an invoice against the PO a clerk picked."""
    require_role(user, Role.AP_CLERK, action="import e-invoices")
    intake = _waiting_item(intake_id, version)
    vendor = _item_vendor(intake)
    po = purchase_order_get(po_id=po_id)
    if po is None:
        raise NotFound(f"There is no purchase order with id '{po_id}'.")
    refusal = po_refusal(po, vendor=vendor, currency=intake.currency)
    if refusal:
        raise ValidationFailed(refusal, {"po_id": refusal})
    return _resolve(
        intake=intake, user=user, vendor=vendor, target=_Target(po=po), how="assign_po"
    )


def intake_without_po(*, intake_id: str, user, version: int):
    """Turn a waiting item into an invoice without PO (approval flow)."""
    require_role(user, Role.AP_CLERK, action="import e-invoices")
    intake = _waiting_item(intake_id, version)
    vendor = _item_vendor(intake)
    return _resolve(
        intake=intake,
        user=user,
        vendor=vendor,
        target=_Target(without_po=True),
        how="without_po",
    )


def intake_retry(*, intake_id: str, user, version: int) -> ImportOutcome:
    """Look for the item's vendor and PO again (after a vendor was created)."""
    require_role(user, Role.AP_CLERK, action="import e-invoices")
    intake = _waiting_item(intake_id, version)
    einvoice = intake_einvoice(intake=intake)
    vendor, reason = vendor_for(einvoice)
    target = None
    if vendor is not None:
        target, reason = target_for(einvoice, vendor)
    if target is not None:
        return _resolve(
            intake=intake, user=user, vendor=vendor, target=target, how="retry"
        )
    status = IntakeStatus.NEEDS_PO if vendor else IntakeStatus.NEEDS_VENDOR
    updates = {
        "status": status.value,
        "reason": reason,
        "vendor_id": vendor.id if vendor else None,
        "vendor_name": vendor.name if vendor else None,
        "updated_at": dynamo.utcnow(),
    }
    entry = events.intake_rechecked_event(
        intake=intake, user=user, status=status.value, reason=reason
    )
    _waiting_item_update(intake, updates, entry)
    return ImportOutcome(
        einvoice=einvoice, warnings=tuple(_stored_warnings(intake)), intake=intake
    )


def _waiting_item_update(intake: EInvoiceIntake, updates: dict, entry) -> None:
    """Write `updates` to an item still waiting, with its entry; explain a refusal."""
    try:
        with dynamo.write_transaction() as transaction:
            committed = audited_update_add(
                transaction,
                intake,
                updates,
                entry=entry,
                condition=EInvoiceIntake.status.is_in(*WAITING_STATUSES),
            )
    except StaleRecord as exc:
        current = intake_get_or_404(intake_id=intake.id)
        if not current.waiting:
            raise InvalidTransition(_resolved_message(current)) from exc
        raise
    committed()


def intake_discard(*, intake_id: str, user, reason: str, version: int):
    """Remove a waiting item from the inbox, with a reason (audited)."""
    require_role(user, Role.AP_CLERK, action="discard e-invoices")
    reason = clean_reason(reason, missing="Say why the e-invoice is discarded.")
    intake = _waiting_item(intake_id, version)
    now = dynamo.utcnow()
    updates = {
        "status": IntakeStatus.DISCARDED.value,
        "inbox": None,
        "discard_reason": reason,
        "resolved_by": actor_id(user),
        "resolved_at": now,
        "updated_at": now,
    }
    entry = events.intake_discarded_event(intake=intake, user=user, reason=reason)
    _waiting_item_update(intake, updates, entry)
    return intake
