"""
The accounting codes' audit events: one keyword-only builder per event. A
service saves the entry it gets in the same transaction as its change.
"""

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry

# Who the audit trail names for codes installed by `seed_accounting_defaults`.
SETUP_USER = "accounting_setup"

ENTITY_TYPES = {
    "TaxCode": "tax_code",
    "GlAccount": "gl_account",
    "CostCentre": "cost_centre",
}
FIELDS = (
    "code",
    "name",
    "active",
    "rate",
    "category",
    "gl_account",
    "reverse_charge_account",
)


def code_entity_type(record) -> str:
    return ENTITY_TYPES[type(record).__name__]


def code_snapshot(record) -> dict:
    return {
        field: getattr(record, field)
        for field in FIELDS
        if hasattr(type(record), field) and getattr(record, field) is not None
    }


def accounting_code_created_event(*, record, user) -> AuditEntry:
    return audit_entry(
        entity_type=code_entity_type(record),
        entity_id=record.id,
        action=AuditAction.CREATE,
        user=user,
        details={"after": code_snapshot(record)},
        label=record.label,
    )


def accounting_code_updated_event(*, before, after, user) -> AuditEntry:
    old, new = code_snapshot(before), code_snapshot(after)
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return audit_entry(
        entity_type=code_entity_type(after),
        entity_id=after.id,
        action=AuditAction.UPDATE,
        user=user,
        details={
            "before": {k: old.get(k) for k in changed},
            "after": {k: new.get(k) for k in changed},
        },
        label=after.label,
    )
