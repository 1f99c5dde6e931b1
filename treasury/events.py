"""
The company bank accounts' audit events (BANK_ACCOUNT_ACTION): one
keyword-only builder per event. Account numbers are masked: the audit trail
is read more widely than the accounts.
"""

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry
from core.bank_numbers import mask_account
from treasury import rules

ENTITY_TYPE = "bank_account"
MASKED = ("iban", "account_number")


def bank_account_snapshot(account) -> dict:
    """The account's editable fields as the trail shows them (numbers masked)."""
    snapshot = {field: getattr(account, field) for field in rules.EDITABLE_FIELDS}
    for field in MASKED:
        snapshot[field] = mask_account(snapshot[field])
    return snapshot


def bank_account_created_event(*, account, user) -> AuditEntry:
    return audit_entry(
        entity_type=ENTITY_TYPE,
        entity_id=account.id,
        action=AuditAction.CREATE,
        user=user,
        details={
            "after": bank_account_snapshot(account),
            "awaiting_confirmation": True,
        },
        label=account.name,
    )


def bank_account_updated_event(*, before, after, user) -> AuditEntry:
    old, new = bank_account_snapshot(before), bank_account_snapshot(after)
    changed = sorted(k for k in old if old[k] != new[k])
    return audit_entry(
        entity_type=ENTITY_TYPE,
        entity_id=after.id,
        action=AuditAction.UPDATE,
        user=user,
        details={
            "before": {k: old[k] for k in changed},
            "after": {k: new[k] for k in changed},
            "awaiting_confirmation": after.awaiting_confirmation,
        },
        label=after.name,
    )


def bank_account_confirmed_event(*, account, user) -> AuditEntry:
    return audit_entry(
        entity_type=ENTITY_TYPE,
        entity_id=account.id,
        action=AuditAction.CONFIRM_BANK_DETAILS,
        user=user,
        details={
            "changed_by": account.changed_by,
            "iban": mask_account(account.iban),
            "account_number": mask_account(account.account_number),
        },
        label=account.name,
    )
