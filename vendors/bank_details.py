"""
Bank-detail checks (domain.md "Payment files") and who sees an account in full.

IBAN by ISO 13616 mod-97 checksum and country length, BIC by ISO 9362 format
and by its country agreeing with the IBAN's, US accounts by the ABA
routing-number checksum: pure functions, no I/O beyond the registries the
`schwifty` and `pycountry` packages ship.

The one masking rule: every page, API answer and admin record page that
shows an IBAN or US account number shows `account_shown(value, user=...)`
(templates: `value|account_for:request.user`). Full numbers are for
the AP Clerks who maintain them, the Treasurers who pay them, Auditors and
Admin; everyone else (Requesters, Approvers, users without a role) sees the
last four characters. The audit trail always masks (`mask_account`): it is
read more widely than the vendor. The bank needs the full numbers, so the
pain.001 files and their JSON summary hold them; only Treasurers, Auditors
and Admin may download those (payments.checks). Exports and e-mails carry no
account numbers at all. BIC and ABA routing numbers name a bank, not an
account, and are shown to every reader.
"""

from accounts.roles import Role, has_role, is_verified, needs_second_factor

# The pure checks live on the ground floor (the company's accounts use them
# too); vendor code keeps importing them from here.
from core.bank_numbers import (  # noqa: F401 (re-exported)
    BIC_COUNTRIES_ALSO_ACCEPTED,
    IBAN_LENGTHS,
    aba_routing_error,
    bic_country_error,
    bic_error,
    iban_error,
    mask_account,
    normalise_iban,
    us_account_error,
)


def can_see_bank_details(user) -> bool:
    """
    Full account numbers are for the roles that maintain or pay vendors, and
    audit; a money mover's sign-in needs its second factor first.
    """
    return has_role(user, Role.AP_CLERK, Role.TREASURER, Role.AUDITOR) and not (
        needs_second_factor(user) and not is_verified(user)
    )


def account_shown(value: str | None, *, user) -> str | None:
    """Return the IBAN or account number as `user` may see it."""
    return value if can_see_bank_details(user) else mask_account(value)


def bank_details_problem(
    *,
    iban: str | None,
    bic: str | None,
    account_number: str | None,
    routing_number: str | None,
) -> str | None:
    """Say why these details cannot receive a payment, or None if they can."""
    if iban:
        if problem := iban_error(iban):
            return problem
        return (bic_error(bic) or bic_country_error(iban, bic)) if bic else None
    if account_number:
        if not routing_number:
            return "A US account needs an ABA routing number."
        return us_account_error(account_number) or aba_routing_error(routing_number)
    return "No bank details are on file."
