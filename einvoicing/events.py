"""
The audit events of the e-invoice inbox (EINVOICE_ACTION), one keyword-only
builder each: an e-invoice taken into the inbox, turned into an invoice,
looked up again, or discarded. Each names the file by its SHA-256.
"""

from typing import Any

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry

ENTITY_TYPE = "einvoice_intake"


def intake_label(intake) -> str:
    return f"{intake.invoice_number} · {intake.seller_name}"


def _event(*, intake, action, user, details: dict[str, Any]) -> AuditEntry:
    return audit_entry(
        entity_type=ENTITY_TYPE,
        entity_id=intake.id,
        action=action,
        user=user,
        details={"source_sha256": intake.source_sha256, **details},
        label=intake_label(intake),
        number=intake.invoice_number,
    )


def einvoice_source_details(*, sha256, einvoice, warnings, file_name) -> dict:
    """What an invoice's creation entry records of the e-invoice it came from."""
    return {
        "einvoice": True,
        "source_sha256": sha256,
        "file_name": file_name,
        "syntax": str(einvoice.syntax),
        "specification": einvoice.specification,
        "type_code": einvoice.type_code,
        "warnings": len(warnings),
        "warning_rules": [w.rule_id for w in warnings],
    }


def intake_received_event(*, intake, user) -> AuditEntry:
    """An e-invoice waits in the inbox: no vendor, or no PO, was found."""
    return _event(
        intake=intake,
        action=AuditAction.CREATE,
        user=user,
        details={
            "after": {
                "status": intake.status,
                "reason": intake.reason,
                "file_name": intake.file_name,
                "syntax": intake.syntax,
                "document_type": intake.document_type,
                "invoice_number": intake.invoice_number,
                "seller_name": intake.seller_name,
                "total_amount": intake.total_amount,
                "currency": intake.currency,
                "warnings": len(intake.warnings),
            }
        },
    )


def intake_imported_event(*, intake, invoice, user, how: str) -> AuditEntry:
    """The item became `invoice` (`how`: assign_po, without_po, retry)."""
    return _event(
        intake=intake,
        action=AuditAction.IMPORT,
        user=user,
        details={
            "how": how,
            "before": {"status": intake.status},
            "after": {
                "status": "imported",
                "invoice_id": invoice.id,
                "invoice_number": invoice.invoice_number,
                "po_number": invoice.po_number,
                "vendor_id": invoice.vendor_id,
            },
        },
    )


def intake_rechecked_event(*, intake, user, status: str, reason: str) -> AuditEntry:
    """Looked up again, the item still waits (perhaps for something else)."""
    return _event(
        intake=intake,
        action=AuditAction.UPDATE,
        user=user,
        details={
            "before": {"status": intake.status, "reason": intake.reason},
            "after": {"status": status, "reason": reason},
        },
    )


def intake_discarded_event(*, intake, user, reason: str) -> AuditEntry:
    return _event(
        intake=intake,
        action=AuditAction.DISCARD,
        user=user,
        details={
            "reason": reason,
            "before": {"status": intake.status},
            "after": {"status": "discarded"},
        },
    )
