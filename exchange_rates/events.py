"""
The exchange rate's audit events: one keyword-only builder per event. A
service saves the entry it gets in the same transaction as its change.
"""

from audit.entries import audit_entry
from audit.models import AuditAction, AuditEntry


def exchange_rate_snapshot(rate) -> dict:
    return {
        "label": rate.label,
        "currency": rate.currency,
        "valid_from": rate.valid_from,
        "base_currency": rate.base_currency,
        "rate": rate.rate,
        "source": rate.source,
    }


def exchange_rate_created_event(*, rate, user) -> AuditEntry:
    return audit_entry(
        entity_type="exchange_rate",
        entity_id=rate.id,
        action=AuditAction.CREATE,
        user=user,
        details={"after": exchange_rate_snapshot(rate)},
        label=rate.label,
    )
