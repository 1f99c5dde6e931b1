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

import functools
from dataclasses import dataclass, field

from schwifty import BIC
from schwifty import registry as iban_registry

from accounts.roles import Role, has_role, is_verified, needs_second_factor
from core.addresses import country_name

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


@functools.cache
def _registered_institutions(country: str) -> frozenset[str]:
    """The first 8 characters (bank, country, location) of each registered BIC."""
    return frozenset(
        bank.bic[:8] for bank in iban_registry.get_banks_by_country(country) if bank.bic
    )


def bic_registry_warning(bic: str) -> str | None:
    """
    Return a warning when a well-formed BIC's bank is not in the bank
    registry `schwifty` ships for the BIC's country, or None.

    A warning, not a refusal: a new bank may not be in it yet. A country the
    registry does not cover (the US, ...) gets none: its absence says
    nothing there. Registries list a bank's branches or its head office, not
    always both, so a BIC whose first 8 characters (bank, country, location)
    a registered BIC shares is known.
    """
    country = bic[4:6]
    if country not in iban_registry.get_countries():
        return None
    known = _registered_institutions(country)
    if BIC(bic, allow_invalid=True).exists or bic[:8] in known:
        return None
    return (
        f"The BIC {bic} is not in the bank registry of "
        f"{country_name(country) or country}: check it with the vendor (by phone, "
        "from a number on file) before paying."
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


@dataclass(frozen=True)
class IbanSharing:
    """
    Who else is paid into a vendor's IBAN: other vendors (a second record of
    one vendor, or one fraudster's account on two records) and the company's
    own accounts (paying them pays nobody). A flag, not a refusal.

    `vendors` are every vendor with the IBAN (records with `id` and `name`),
    the vendor `vendor_id` among them once saved; `company_accounts` the
    names of the company's accounts with it.
    """

    iban: str | None
    vendor_id: str | None = None
    vendors: tuple = field(default_factory=tuple)
    company_accounts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_company_account(self) -> bool:
        return bool(self.company_accounts)

    @property
    def other_vendors(self) -> list:
        return [vendor for vendor in self.vendors if vendor.id != self.vendor_id]

    @property
    def flagged(self) -> bool:
        return bool(self.is_company_account or self.other_vendors)

    @property
    def message(self) -> str | None:
        """What the flag says ("2 vendors share this IBAN: A, B"), or None."""
        sentences = []
        if self.is_company_account:
            accounts = ", ".join(f"“{name}”" for name in self.company_accounts)
            sentences.append(
                f"This IBAN is the company's own account {accounts}: a payment "
                "to it pays no vendor."
            )
        others = self.other_vendors
        if others:
            if len(others) < len(self.vendors):
                sharing = self.vendors
                names = ", ".join(vendor.name for vendor in sharing)
                sentences.append(f"{len(sharing)} vendors share this IBAN: {names}.")
            else:
                names = ", ".join(vendor.name for vendor in others)
                noun = "vendor has" if len(others) == 1 else "vendors have"
                sentences.append(f"{len(others)} other {noun} this IBAN: {names}.")
        return " ".join(sentences) or None
