"""
Bank account numbers, pure: IBAN by ISO 13616 mod-97 checksum and country
length, BIC by ISO 9362 format and by its country agreeing with the IBAN's,
US accounts by the ABA routing-number checksum, and the mask that shows only
an account's last four characters. No I/O beyond the registries the
`schwifty` and `pycountry` packages ship.

On the ground floor because both the vendors' bank details and the
company's own accounts (treasury) are checked by them.
"""

import re

import pycountry
from schwifty import registry as iban_registry
from schwifty.exceptions import InvalidCountryCode

# Lengths for the countries a European or US finance team pays most often.
# Countries not listed are checked by checksum and the general 15-34 range.
IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
    "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
    "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15,
    "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip

_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC_SHAPE = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_ROUTING_SHAPE = re.compile(r"^[0-9]{9}$")
_US_ACCOUNT_SHAPE = re.compile(r"^[0-9]{4,17}$")


def normalise_iban(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def iban_error(iban: str) -> str | None:
    """Return why `iban` (normalised) is not valid, or None."""
    if not _IBAN_SHAPE.match(iban):
        return "An IBAN is a country code, two check digits and up to 30 letters or digits."
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected and len(iban) != expected:
        return f"An IBAN from {iban[:2]} has {expected} characters, this one has {len(iban)}."
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    if int(number) % 97 != 1:
        return "The IBAN's check digits do not match: please re-check it for a typo."
    return None


def bic_error(bic: str) -> str | None:
    if not _BIC_SHAPE.match(bic):
        return "A BIC has 8 or 11 characters: bank (4 letters), country (2), location (2), branch (3)."
    return None


# Monaco's banks clear through the French system: an MC IBAN carries a French
# bank code, and a French bank's branch in Monaco keeps the bank's French BIC.
# The IBAN registry cannot say so (Monaco has IBANs of its own).
BIC_COUNTRIES_ALSO_ACCEPTED = {"MC": {"FR"}}


def _iban_country_of_banks_in(country: str) -> str:
    """
    The country whose IBANs the banks of `country` issue: itself, or the one
    the IBAN registry names for a territory (GF, RE, ... use FR; JE, GG, IM
    use GB; AX uses FI).
    """
    try:
        return iban_registry.get_iban_spec(country).iban_spec[:2]
    except InvalidCountryCode:
        return country


def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", country.name)


def bic_country_error(iban: str, bic: str) -> str | None:
    """
    Return why a BIC (letters 5-6 its country) cannot be the bank of this
    IBAN, or None. Both are normalised and well-formed.
    """
    iban_country, bic_country = iban[:2], bic[4:6]
    if (
        bic_country == iban_country
        or _iban_country_of_banks_in(bic_country) == iban_country
        or bic_country in BIC_COUNTRIES_ALSO_ACCEPTED.get(iban_country, ())
    ):
        return None
    return (
        f"The BIC is from {_country_name(bic_country)} ({bic_country}), the IBAN "
        f"from {_country_name(iban_country)} ({iban_country}): an account's BIC "
        "is its bank's, in the IBAN's country. Please re-check both."
    )


def aba_routing_error(routing: str) -> str | None:
    if not _ROUTING_SHAPE.match(routing):
        return "An ABA routing number has exactly 9 digits."
    d = [int(c) for c in routing]
    checksum = (
        3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    )
    if checksum % 10:
        return "The ABA routing number's checksum does not match: please re-check it."
    return None


def us_account_error(account: str) -> str | None:
    if not _US_ACCOUNT_SHAPE.match(account):
        return "A US account number has 4 to 17 digits."
    return None


def mask_account(value: str | None) -> str | None:
    """Show only the last four characters: enough to tell accounts apart."""
    if not value:
        return value
    return "•" * max(len(value) - 4, 0) + value[-4:]
