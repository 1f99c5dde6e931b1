"""
Who sees the company's account numbers in full: the Treasurers who pay from
them, Auditors and Admin (who keeps them), once a money mover's sign-in has
its second factor; every other reader sees the last four characters, as
with a vendor's account (vendors.bank_details). Routing numbers and BICs
name a bank, not an account, and are shown to every reader.
"""

from accounts.roles import Role, has_role, is_verified, needs_second_factor
from core.bank_numbers import mask_account


def can_see_account_numbers(user) -> bool:
    return has_role(user, Role.TREASURER, Role.AUDITOR) and not (
        needs_second_factor(user) and not is_verified(user)
    )


def account_number_shown(value: str | None, *, user) -> str | None:
    """Return the IBAN or account number as `user` may see it."""
    return value if can_see_account_numbers(user) else mask_account(value)
