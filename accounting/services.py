"""
Every write to the accounting codes: one conditional TransactWrite holding the
code and its ACCOUNTING_CODE_ACTION audit entry, both or neither.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings

from accounting import defaults, events, rules
from accounting.imports import (
    ADD,
    UPDATE,
    CodeImportPlan,
    plan_code_rows,
    read_code_csv,
)
from accounting.models import CostCentre, GlAccount, TaxCode
from accounting.selectors import (
    accounting_code_get_or_404,
    accounting_code_list,
    gl_account_get,
)
from accounts.roles import require_second_factor
from audit.entries import actor_id, audit_entry_add
from core import dynamo
from core.errors import PermissionDenied, StaleRecord, ValidationFailed
from core.versions import check_version
from core.writes import audited_update, with_updates

MODELS = {"tax_code": TaxCode, "gl_account": GlAccount, "cost_centre": CostCentre}


def require_code_keeper(user) -> None:
    """Tax codes, GL accounts and cost centres are the Admin's to keep."""
    if not getattr(user, "is_superuser", False):
        raise PermissionDenied(
            "Only an Admin may change tax codes, GL accounts or cost centres."
        )
    require_second_factor(user, action="change tax codes, GL accounts or cost centres")


def _gl_account_exists(code: str) -> bool:
    return gl_account_get(code=code) is not None


def accounting_code_create(*, user, kind: str, fields: Mapping[str, Any]):
    """
    Create a tax code, GL account or cost centre (`kind` as in rules.KIND_LABELS;
    Admin only); a code already taken is refused.
    """
    require_code_keeper(user)
    cleaned = rules.clean_code_fields(
        kind, fields, gl_account_exists=_gl_account_exists
    )
    code = cleaned.pop("code")
    active = cleaned.pop("active")
    record = _new_record(MODELS[kind], user=user, code=code, **cleaned)
    record.active = active
    _code_save_new(record, user=user)
    return record


def accounting_code_update(
    *, user, kind: str, code: str, changes: Mapping[str, Any], version: int | None
):
    """
    Change a code's name or active flag (a tax code's accounts too; its rate
    and category are fixed), refusing a stale `version`; Admin only.
    Without `version` the write is conditional on the version just read.
    """
    require_code_keeper(user)
    record = accounting_code_get_or_404(kind=kind, code=code)
    check_version(record, version)
    snapshot = events.code_snapshot(record)
    snapshot.setdefault("gl_account", None)
    snapshot.setdefault("reverse_charge_account", None)
    updates = rules.clean_code_changes(
        kind, snapshot, changes, gl_account_exists=_gl_account_exists
    )
    if not updates:
        return record
    return _code_write_update(record, updates, user=user)


def _code_write_update(record, updates: Mapping[str, Any], *, user):
    updates = {**updates, "updated_at": dynamo.utcnow(), "updated_by": actor_id(user)}
    entry = events.accounting_code_updated_event(
        before=record, after=with_updates(record, updates), user=user
    )
    return audited_update(record, updates, entry=entry)


def accounting_codes_import(
    *, user, kind: str, content: bytes, dry_run: bool = False
) -> CodeImportPlan:
    """
    Add and update GL accounts or cost centres from a CSV file (Admin only).

    Every row is checked first; when any row has an error nothing is written
    and the plan lists them. Otherwise each new or changed code is written in
    its own audited transaction (unchanged ones are skipped). With `dry_run`
    nothing is written (the preview).
    """
    require_code_keeper(user)
    if kind not in ("gl_account", "cost_centre"):
        raise ValidationFailed(
            "Only GL accounts and cost centres are imported from CSV."
        )
    model_cls = MODELS[kind]
    rows = read_code_csv(
        content, kind=kind, max_bytes=settings.ACCOUNTING_IMPORT_MAX_BYTES
    )
    stored = {r.code: r for r in accounting_code_list(kind=kind)}
    plan = plan_code_rows(
        rows,
        kind=kind,
        stored={code: events.code_snapshot(r) for code, r in stored.items()},
    )
    if dry_run or not plan.valid:
        return plan
    for row in plan.rows:
        if row.action == ADD:
            record = _new_record(
                model_cls, user=user, code=row.code, name=row.changes["name"]
            )
            record.active = row.changes["active"]
            _code_save_new(record, user=user)
        elif row.action == UPDATE:
            try:
                _code_write_update(stored[row.code], row.changes, user=user)
            except StaleRecord:
                raise StaleRecord(
                    f"Row {row.number}: {row.code} was changed by someone else during "
                    "the import; the rows before it are imported. Upload the file "
                    "again to import the rest."
                ) from None
    return plan


def _code_save_new(record, *, user) -> None:
    """Save a new code with its audit entry; a code already taken is refused."""
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
