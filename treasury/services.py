"""
Every write to the company's bank accounts (Admin only, with a second
factor): one conditional TransactWrite holding the account and its
BANK_ACCOUNT_ACTION audit entry, both or neither.

Four-eyes, as for a vendor's bank details: creating an account, or changing
its IBAN, BIC, account or routing number, sets `changed_by`; until another
Admin confirms, no payment run pays from the account (`usable`).
"""

import uuid
from collections.abc import Mapping
from typing import Any

from accounts.roles import require_second_factor
from audit.entries import actor_id, audit_entry_add
from core import dynamo
from core.errors import (
    InvalidTransition,
    PermissionDenied,
    StaleRecord,
    ValidationFailed,
)
from core.versions import check_version
from core.writes import audited_update, audited_update_add, with_updates
from treasury import events, rules
from treasury.models import ActiveCurrencyGuard, CompanyBankAccount
from treasury.selectors import bank_account_get_or_404, bank_account_list


def require_account_keeper(user) -> None:
    """The company's bank accounts are the Admin's to keep."""
    if not getattr(user, "is_superuser", False):
        raise PermissionDenied(
            "Only an Admin may add, change or confirm the company's bank accounts."
        )
    require_second_factor(user, action="change the company's bank accounts")


def _refuse_second_active(cleaned: Mapping[str, Any], *, account_id: str) -> None:
    """One active account per currency: a run must know which one pays."""
    if not cleaned["active"]:
        return
    for other in bank_account_list():
        if (
            other.id != account_id
            and other.active
            and other.currency == cleaned["currency"]
        ):
            message = (
                f"{other.name} is already the active {other.currency} account: "
                f"a run pays each currency from one account. Deactivate it first, "
                "or save this one as inactive."
            )
            raise ValidationFailed(message, {"active": message})


def _guards_add(transaction, *, account_id: str, before, after) -> None:
    """
    Move the account's active-currency guard as its (active, currency) goes
    from `before` to `after` (None: not active); a guard another account
    holds fails the transaction.
    """
    if before == after:
        return
    if before is not None:
        transaction.delete(
            ActiveCurrencyGuard(ActiveCurrencyGuard.key(before)),
            # Accounts kept before the guards existed have none to delete.
            condition=ActiveCurrencyGuard.id.does_not_exist()
            | (ActiveCurrencyGuard.account_id == account_id),
        )
    if after is not None:
        transaction.save(
            ActiveCurrencyGuard(ActiveCurrencyGuard.key(after), account_id=account_id),
            condition=ActiveCurrencyGuard.id.does_not_exist()
            | (ActiveCurrencyGuard.account_id == account_id),
        )


def _active_currency(fields: Mapping[str, Any]) -> str | None:
    return fields["currency"] if fields["active"] else None


def bank_account_create(*, user, fields: Mapping[str, Any]) -> CompanyBankAccount:
    """Add an account (Admin); it awaits another Admin's confirmation."""
    require_account_keeper(user)
    cleaned = rules.clean_bank_account_fields(fields)
    account_id = uuid.uuid4().hex
    _refuse_second_active(cleaned, account_id=account_id)
    now, actor = dynamo.utcnow(), actor_id(user)
    account = CompanyBankAccount(
        id=account_id,
        changed_by=actor,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
        **cleaned,
    )
    entry = events.bank_account_created_event(account=account, user=user)
    try:
        with dynamo.write_transaction() as transaction:
            transaction.save(account, condition=CompanyBankAccount.id.does_not_exist())
            _guards_add(
                transaction,
                account_id=account_id,
                before=None,
                after=_active_currency(cleaned),
            )
            audit_entry_add(transaction, entry)
    except StaleRecord:
        # Another account took the currency meanwhile: say which.
        _refuse_second_active(cleaned, account_id=account_id)
        raise
    return account


def bank_account_update(
    *, user, account_id: str, changes: Mapping[str, Any], version: int | None
) -> CompanyBankAccount:
    """
    Change an account (Admin), refusing a stale `version`; a change to its
    numbers awaits another Admin's confirmation again.
    """
    require_account_keeper(user)
    account = bank_account_get_or_404(account_id=account_id)
    check_version(account, version)
    before = {field: getattr(account, field) for field in rules.EDITABLE_FIELDS}
    cleaned = rules.clean_bank_account_fields({**before, **changes})
    _refuse_second_active(cleaned, account_id=account.id)
    updates = {k: v for k, v in cleaned.items() if before[k] != v}
    if not updates:
        return account
    if rules.numbers_changed(before, cleaned):
        updates["changed_by"] = actor_id(user)
    updates.update(updated_at=dynamo.utcnow(), updated_by=actor_id(user))
    entry = events.bank_account_updated_event(
        before=account, after=with_updates(account, updates), user=user
    )
    try:
        with dynamo.write_transaction() as transaction:
            committed = audited_update_add(transaction, account, updates, entry=entry)
            _guards_add(
                transaction,
                account_id=account.id,
                before=_active_currency(before),
                after=_active_currency(cleaned),
            )
    except StaleRecord:
        _refuse_second_active(cleaned, account_id=account.id)
        raise
    committed()
    return account


def bank_account_confirm(*, user, account_id: str, version: int) -> CompanyBankAccount:
    """
    Confirm a new or changed account; only an Admin other than who changed it may.

    `version` is required: it proves which numbers the confirmer saw.
    """
    require_account_keeper(user)
    account = bank_account_get_or_404(account_id=account_id)
    check_version(account, version)
    if not account.awaiting_confirmation:
        raise InvalidTransition(
            f"{account.name} is not awaiting confirmation: it was confirmed already."
        )
    if account.changed_by == actor_id(user):
        raise PermissionDenied(
            f"You changed {account.name}, so another Admin must confirm it "
            "(segregation of duties)."
        )
    entry = events.bank_account_confirmed_event(account=account, user=user)
    updates = {
        "changed_by": None,
        "updated_at": dynamo.utcnow(),
        "updated_by": actor_id(user),
    }
    return audited_update(
        account,
        updates,
        entry=entry,
        condition=CompanyBankAccount.changed_by == account.changed_by,
    )
