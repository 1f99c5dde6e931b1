"""
Every write to the accounting codes: one conditional TransactWrite holding the
code and its ACCOUNTING_CODE_ACTION audit entry, both or neither.
"""

from django.conf import settings

from accounting import defaults, events
from accounting.models import CostCentre, GlAccount, TaxCode
from audit.entries import actor_id, audit_entry_add
from core import dynamo
from core.errors import PermissionDenied, StaleRecord, ValidationFailed


def require_code_keeper(user) -> None:
    """Tax codes, GL accounts and cost centres are the Admin's to keep."""
    if not getattr(user, "is_superuser", False):
        raise PermissionDenied(
            "Only an Admin may change tax codes, GL accounts or cost centres."
        )


def _code_save_new(record, *, user) -> None:
    entry = events.accounting_code_created_event(record=record, user=user)
    try:
        with dynamo.write_transaction() as transaction:
            transaction.save(record, condition=type(record).id.does_not_exist())
            audit_entry_add(transaction, entry)
    except StaleRecord:
        message = f"The code {record.code} already exists."
        raise ValidationFailed(message, {"code": message}) from None


def _new_record(model_cls, *, user, code: str, name: str, **fields):
    now = dynamo.utcnow()
    return model_cls(
        id=code,
        code=code,
        name=name,
        active=True,
        created_at=now,
        created_by=actor_id(user),
        updated_at=now,
        updated_by=actor_id(user),
        **fields,
    )


def accounting_defaults_install(*, user, profile: str | None = None) -> int:
    """
    Add the profile's default tax codes, GL accounts and cost centres that are
    missing (each audited); return how many were added. System use: the demo
    seed and `seed_accounting_defaults`, not a page.
    """
    profile = (profile or settings.TAX_PROFILE).upper()
    if profile not in defaults.TAX_CODES:
        raise ValidationFailed(
            f"Unknown tax profile {profile!r}: use one of {', '.join(defaults.TAX_CODES)}."
        )
    records = [
        _new_record(
            TaxCode,
            user=user,
            code=code,
            name=name,
            rate=rate,
            category=category.value,
            gl_account=account,
            reverse_charge_account=reverse,
        )
        for code, name, rate, category, account, reverse in defaults.TAX_CODES[profile]
    ]
    records += [
        _new_record(GlAccount, user=user, code=code, name=name)
        for code, name in defaults.GL_ACCOUNTS[profile]
    ]
    records += [
        _new_record(CostCentre, user=user, code=code, name=name)
        for code, name in defaults.COST_CENTRES
    ]
    added = 0
    for record in records:
        try:
            _code_save_new(record, user=user)
        except ValidationFailed:
            continue  # kept as the Admin left it
        added += 1
    return added
