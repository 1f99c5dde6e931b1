"""
The vendor's audit events: one keyword-only builder per event, each shaping
its entry's `details` (saleor's style). A service saves the entry it gets in
the same transaction as its change.
"""

from collections.abc import Mapping
from typing import Any

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry
from vendors.bank_details import mask_account
from vendors.validation import BANK_FIELDS, vendor_snapshot

BANK_DETAILS_HELD = "changed: payments held until another user confirms them"


def _audit_view(values: Mapping[str, Any]) -> dict[str, Any]:
    # Account numbers are kept in full on the vendor; the audit trail, read
    # more widely, shows only enough to tell one account from another.
    return {
        key: (mask_account(value) if key in ("iban", "account_number") else value)
        for key, value in values.items()
    }


def _vendor_event(
    *, vendor, user, action: AuditAction, details: dict, label: str | None = None
) -> AuditEntry:
    return audit_entry(
        entity_type="vendor",
        entity_id=vendor.id,
        action=action,
        user=user,
        details=details,
        label=label or vendor.name,
    )


def vendor_created_event(
    *, vendor, user, fields: Mapping[str, Any], source: str | None = None
) -> AuditEntry:
    """The vendor was created with `fields`; `source` says where they came from."""
    details: dict[str, Any] = {"after": _audit_view(fields)}
    if source:
        details["source"] = source
    return _vendor_event(
        vendor=vendor, user=user, action=AuditAction.CREATE, details=details
    )


def vendor_updated_event(
    *, vendor, user, changes: Mapping[str, dict], name: str, bank_details_held: bool
) -> AuditEntry:
    """
    The vendor's fields changed (`changes`: `changed_fields`' before and
    after), now named `name`; `bank_details_held` when the change holds
    its payments until another user confirms new bank details.
    """
    details: dict[str, Any] = {
        "before": _audit_view(changes["before"]),
        "after": _audit_view(changes["after"]),
    }
    if bank_details_held:
        details["bank_details"] = BANK_DETAILS_HELD
    return _vendor_event(
        vendor=vendor,
        user=user,
        action=AuditAction.UPDATE,
        details=details,
        label=name,
    )


def vendor_bank_details_confirmed_event(*, vendor, user) -> AuditEntry:
    """Another user confirmed the bank details `vendor` holds (as read)."""
    return _vendor_event(
        vendor=vendor,
        user=user,
        action=AuditAction.CONFIRM_BANK_DETAILS,
        details={
            "changed_by": vendor.bank_details_changed_by,
            "confirmed": _audit_view({f: getattr(vendor, f) for f in BANK_FIELDS}),
        },
    )


def vendor_deleted_event(*, vendor, user) -> AuditEntry:
    """The vendor was deleted; the entry keeps what it held."""
    return _vendor_event(
        vendor=vendor,
        user=user,
        action=AuditAction.DELETE,
        details={"before": _audit_view(vendor_snapshot(vendor))},
    )


def vendor_history_fields() -> dict:
    """How the vendor's audit details read: the vendor form's labels, formatted."""
    from audit import registry
    from audit.registry import Shape
    from vendors.forms import VendorForm

    formats = {
        "iban": registry.ACCOUNT,
        "account_number": registry.ACCOUNT,
        "payment_hold": registry.YES_NO,
        "remittance_advice": registry.YES_NO,
        "payment_hold_until": registry.DATE,
        "status": registry.STATUS,
    }
    fields = {
        name: Shape(str(form_field.label), formats.get(name, registry.TEXT))
        for name, form_field in VendorForm.base_fields.items()
        if form_field.label
    }
    return {
        **fields,
        "bank_details": Shape("Bank details"),
        "changed_by": Shape("Bank details changed by"),
        "confirmed": Shape("Bank details confirmed", parts=fields),
        "source": Shape("Source"),
    }


def vendor_payment_hold_put_event(*, vendor, user, reason: str) -> AuditEntry:
    """The vendor (as read) was put on payment hold for `reason` (a bank's return)."""
    return _vendor_event(
        vendor=vendor,
        user=user,
        action=AuditAction.HOLD,
        details={
            "before": {
                "payment_hold": vendor.payment_hold,
                "payment_hold_reason": vendor.payment_hold_reason,
                "payment_hold_until": vendor.payment_hold_until,
            },
            "after": {
                "payment_hold": True,
                "payment_hold_reason": reason,
                "payment_hold_until": None,
            },
        },
    )
