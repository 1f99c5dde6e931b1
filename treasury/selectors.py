"""Reads of the company's bank accounts: through their indexes, never a scan."""

from core.bank_numbers import mask_account
from core.errors import NotFound
from treasury.models import LISTING, CompanyBankAccount


def bank_account_get(*, account_id: str) -> CompanyBankAccount | None:
    try:
        return CompanyBankAccount.get(account_id, consistent_read=True)
    except CompanyBankAccount.DoesNotExist:
        return None


def bank_account_list() -> list[CompanyBankAccount]:
    """Every account by name (a company has a handful: one query)."""
    return list(CompanyBankAccount.listing_index.query(LISTING))


def bank_account_for_currency(*, currency: str) -> CompanyBankAccount | None:
    """The usable account a run pays `currency` from, or None."""
    usable = [
        account
        for account in bank_account_list()
        if account.currency == currency and account.usable
    ]
    return usable[0] if usable else None


def bank_accounts_with_iban(*, iban: str) -> list[CompanyBankAccount]:
    """The company's accounts with this (normalised) IBAN: "is it our own?"."""
    if not iban:
        return []
    return list(CompanyBankAccount.iban_index.query(iban))


def bank_account_get_or_404(*, account_id: str) -> CompanyBankAccount:
    account = bank_account_get(account_id=account_id)
    if account is None:
        raise NotFound(f"There is no company bank account with id '{account_id}'.")
    return account


def bank_accounts_by_id(*, account_ids) -> dict[str, CompanyBankAccount]:
    """The accounts with these ids (a run's paying accounts), by id."""
    wanted = {i for i in account_ids if i}
    if not wanted:
        return {}
    return {a.id: a for a in bank_account_list() if a.id in wanted}


def paying_account_shown(account: CompanyBankAccount) -> dict:
    """What a payment run shows of the account paying it: its number masked."""
    return {
        "id": account.id,
        "name": account.name,
        "currency": account.currency,
        "number": mask_account(account.number),
    }


def paying_account_labels(*, account_ids) -> dict[str, str]:
    """A label per account id ("Operating account EUR, ••••2051"), for run pages."""
    return {
        account.id: f"{shown['name']}, {shown['number']}"
        for account, shown in (
            (a, paying_account_shown(a))
            for a in bank_accounts_by_id(account_ids=account_ids).values()
        )
    }
