"""
What a company bank account must satisfy, pure: its name and currency, its
numbers (an IBAN with an optional BIC, or a US account number with its ABA
routing number) and the holder's structured address, which a payment file
names as the debtor's (`Dbtr/PstlAdr`), so town and country are required.
"""

from collections.abc import Mapping
from typing import Any

import pycountry

from core import bank_numbers
from core.addresses import ADDRESS_FIELDS
from core.errors import ValidationFailed
from core.money import MoneyError, validate_currency
from core.text import TextError, clean_text

NUMBER_FIELDS = ("iban", "bic", "account_number", "routing_number")
# What a change to needs a second Admin's confirmation (four-eyes).
CONFIRMED_FIELDS = ("iban", "bic", "account_number", "routing_number")
EDITABLE_FIELDS = ("name", "currency", *NUMBER_FIELDS, *ADDRESS_FIELDS, "active")
MAX_LENGTHS = {
    "name": 140,  # pain.001's Nm
    "street": 70,  # StrtNm, BldgNb, PstCd, TwnNm as ISO 20022 bounds them
    "building_number": 16,
    "address_line2": 70,
    "postcode": 16,
    "town": 35,
}


def _compact(value: Any) -> str | None:
    if value is None:
        return None
    return "".join(str(value).split()).upper() or None


def _country(value: Any) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(
            f"{code[:10] or 'Nothing'} is not a country code: use two letters "
            "(ISO 3166), e.g. DE, US."
        )
    return code


def clean_bank_account_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the account's fields normalised, or raise ValidationFailed naming each bad one."""
    errors: dict[str, str] = {}
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, Any] = {}
    for field in ("name", *ADDRESS_FIELDS):
        if field == "country":
            continue
        try:
            cleaned[field] = clean_text(
                values.get(field), max_length=MAX_LENGTHS.get(field)
            )
        except TextError as exc:
            errors[field] = str(exc)
    if not cleaned.get("name") and "name" not in errors:
        errors["name"] = "An account needs a name, e.g. Operating account EUR."
    try:
        cleaned["currency"] = validate_currency(values.get("currency") or "")
    except MoneyError as exc:
        errors["currency"] = str(exc)
    try:
        cleaned["country"] = _country(values.get("country"))
    except ValueError as exc:
        errors["country"] = str(exc)
    if not cleaned.get("town") and "town" not in errors:
        errors["town"] = (
            "The account holder's town is required: a payment file names it "
            "as the payer's address."
        )
    _clean_numbers(values, cleaned, errors)
    cleaned["active"] = values.get("active", True) not in (False, "false", "", None)
    if errors:
        raise ValidationFailed(
            "The bank account was not saved: " + " ".join(errors.values()), errors
        )
    return cleaned


def _clean_numbers(values, cleaned: dict, errors: dict) -> None:
    iban = bank_numbers.normalise_iban(values.get("iban") or "") or None
    bic = _compact(values.get("bic"))
    account = _compact(values.get("account_number"))
    routing = _compact(values.get("routing_number"))
    if iban and (account or routing):
        errors["account_number"] = (
            "An account has an IBAN or a US account number and routing number, "
            "not both."
        )
    elif iban:
        if problem := bank_numbers.iban_error(iban):
            errors["iban"] = problem
        elif bic and (
            problem := bank_numbers.bic_error(bic)
            or bank_numbers.bic_country_error(iban, bic)
        ):
            errors["bic"] = problem
    elif account:
        if problem := bank_numbers.us_account_error(account):
            errors["account_number"] = problem
        if not routing:
            errors["routing_number"] = "A US account needs its ABA routing number."
        elif problem := bank_numbers.aba_routing_error(routing):
            errors["routing_number"] = problem
        if bic and (problem := bank_numbers.bic_error(bic)):
            errors["bic"] = problem
    else:
        errors["iban"] = (
            "Enter the account's IBAN, or a US account number and ABA routing number."
        )
    cleaned.update(iban=iban, bic=bic, account_number=account, routing_number=routing)


def numbers_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a change touches what a second Admin must confirm."""
    return any(before.get(f) != after.get(f) for f in CONFIRMED_FIELDS)
