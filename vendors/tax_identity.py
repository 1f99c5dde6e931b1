"""
A vendor's tax identity: its VAT id, checked by its country's check digits
(python-stdnum), and the country taxing it (ISO 3166 alpha-2). Pure.
"""

import pycountry
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

MAX_VAT_ID_LENGTH = 30
# The VAT prefixes that are not the country's ISO code.
_PREFIX_COUNTRIES = {"EL": "GR", "XI": "GB"}


class TaxIdentityError(ValueError):
    """Why a VAT id or tax country is refused, as a user reads it."""


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", country.name) if country else code


def _vat_module(prefix: str):
    """The stdnum module validating this prefix's VAT ids, or None."""
    if prefix.lower() in eu_vat.MEMBER_STATES | {"el"}:
        return eu_vat
    module = get_cc_module(prefix.lower(), "vat") if prefix.isalpha() else None
    return module if module is not None and hasattr(module, "validate") else None


def clean_vat_id(value: str | None) -> tuple[str | None, str | None]:
    """
    Return the VAT id compacted with its country prefix ("DE136695976") and
    the country it belongs to ("DE"), or (None, None) when blank; raise
    TaxIdentityError naming the problem.
    """
    text = (value or "").strip()
    if not text:
        return None, None
    if len(text) > MAX_VAT_ID_LENGTH:
        raise TaxIdentityError(f"At most {MAX_VAT_ID_LENGTH} characters.")
    text = "".join(ch for ch in text.upper() if ch not in " .-/")
    prefix = text[:2]
    if not prefix.isalpha() or not prefix.isascii():
        raise TaxIdentityError(
            f"{text} has no country prefix: start the VAT id with its country's "
            "two letters, e.g. DE136695976 or ATU13585627."
        )
    module = _vat_module(prefix)
    if module is None:
        raise TaxIdentityError(
            f"{prefix} VAT ids cannot be checked here: put a non-EU tax number "
            "(EIN, UID, ...) in the Tax id field instead."
        )
    country = _PREFIX_COUNTRIES.get(prefix, prefix)
    where = country_name(country)
    try:
        compact = module.validate(text)
    except InvalidChecksum:
        raise TaxIdentityError(
            f"{text} is not a valid VAT id of {where}: its check digits do not match."
        ) from None
    except (InvalidLength, InvalidFormat, InvalidComponent, ValidationError):
        raise TaxIdentityError(
            f"{text} is not a valid VAT id of {where}: check its length and digits."
        ) from None
    if not compact.upper().startswith(prefix):
        compact = prefix + compact
    return compact.upper(), country


def clean_tax_country(value: str | None) -> str | None:
    """Return an ISO 3166 alpha-2 country code ("AT"), None when blank, or raise."""
    code = (value or "").strip().upper()
    if not code:
        return None
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise TaxIdentityError(
            f"{code[:10]} is not a country code: use two letters, e.g. DE, AT, NL."
        )
    return code
