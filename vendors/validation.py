"""
The rules a vendor record must satisfy, shared by pages and API.

`clean_vendor_fields` takes raw values (form strings or API JSON) and returns
normalised values, or raises ValidationFailed naming each bad field.
"""

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounting.rules import code_or_none
from core.addresses import ADDRESS_FIELDS, address_errors, normalise_address
from core.errors import ValidationFailed
from core.money import MoneyError, validate_currency
from core.text import TextError, clean_text
from vendors import bank_details
from vendors.models import NAME_KEY_MAX_BYTES, VendorStatus, name_key
from vendors.payment_terms import PaymentTermsError, parse_payment_terms
from vendors.tax_identity import (
    TaxIdentityError,
    clean_tax_country,
    clean_vat_id,
    country_name,
)

MAX_LENGTHS = {
    "name": 200,
    "email": 254,
    "phone": 50,
    "address": 1000,
    "tax_id": 50,
    "payment_terms": 50,
    "payment_hold_reason": 500,
}
TEXT_FIELDS = ["name", "email", "phone", "address", "tax_id", "payment_terms",
               "payment_hold_reason"]  # fmt: skip
BANK_FIELDS = ["iban", "bic", "account_number", "routing_number"]
TAX_FIELDS = ["vat_id", "tax_country"]
# The accounting codes a vendor's PO lines default to, and what each names.
CODING_FIELDS = {
    "default_tax_code": ("tax_code", "Tax code"),
    "default_gl_account": ("gl_account", "GL account"),
    "default_cost_centre": ("cost_centre", "Cost centre"),
}
EDITABLE_FIELDS = TEXT_FIELDS + BANK_FIELDS + [
    "status", "currency", "payment_hold", "payment_hold_until",
] + TAX_FIELDS + list(CODING_FIELDS) + list(ADDRESS_FIELDS) + [
    "remittance_advice",
]  # fmt: skip


def vendor_snapshot(vendor) -> dict[str, Any]:
    """Return the vendor's editable fields as plain values (forms, audit)."""
    snapshot = {field: getattr(vendor, field, None) for field in EDITABLE_FIELDS}
    # Kept before the switch existed (None): such a vendor gets the advice.
    snapshot["remittance_advice"] = vendor.remittance_advice is not False
    return snapshot


# domain.md: a vendor starts pending; a clerk may create one active at once.
NEW_VENDOR_STATUSES = {VendorStatus.PENDING, VendorStatus.ACTIVE}
NEW_STATUS_REFUSED = "A new vendor starts as pending or active."

_PHONE = re.compile(r"^[0-9+()./ \-x]*$", re.IGNORECASE)


def _text(value: Any, field: str, errors: dict) -> str | None:
    try:
        return clean_text(value, max_length=MAX_LENGTHS.get(field))
    except TextError as exc:
        errors[field] = str(exc)
        return None


def _clean_bank_details(values: dict, cleaned: dict, errors: dict) -> None:
    raw = {f: _text(values.get(f), f, errors) for f in BANK_FIELDS}
    iban = bank_details.normalise_iban(raw["iban"] or "") or None
    bic = (raw["bic"] or "").replace(" ", "").upper() or None
    account = (raw["account_number"] or "").replace(" ", "").replace("-", "") or None
    routing = (raw["routing_number"] or "").replace(" ", "") or None

    if (iban or bic) and (account or routing):
        errors["iban"] = (
            "Give either an IBAN (with BIC) or a US account and routing number, not both."
        )
    if iban and (message := bank_details.iban_error(iban)):
        errors["iban"] = message
    if bic and not iban:
        errors.setdefault("iban", "A BIC needs an IBAN.")
    if bic and (message := bank_details.bic_error(bic)):
        errors["bic"] = message
    if iban and bic and not (set(errors) & {"iban", "bic"}):
        if message := bank_details.bic_country_error(iban, bic):
            errors["bic"] = message
    if account and not routing:
        errors["routing_number"] = "A US account needs its ABA routing number."
    if routing and not account:
        errors["account_number"] = "A routing number needs the account number."
    if account and (message := bank_details.us_account_error(account)):
        errors["account_number"] = message
    if routing and (message := bank_details.aba_routing_error(routing)):
        errors["routing_number"] = message
    cleaned.update(iban=iban, bic=bic, account_number=account, routing_number=routing)


def _clean_tax_identity(values: dict, cleaned: dict, errors: dict) -> None:
    """The VAT id (check digits), its tax country, and the coding defaults' format."""
    vat_id = vat_country = country = None
    for field in TAX_FIELDS:
        if values.get(field) is not None and not isinstance(values[field], str):
            errors[field] = "Must be text."
    try:
        vat_id, vat_country = clean_vat_id(values.get("vat_id") or None)
    except TaxIdentityError as exc:
        errors.setdefault("vat_id", str(exc))
    try:
        country = clean_tax_country(values.get("tax_country") or None)
    except TaxIdentityError as exc:
        errors.setdefault("tax_country", str(exc))
    if country and vat_country and country != vat_country:
        errors["tax_country"] = (
            f"The VAT id {vat_id} is of {country_name(vat_country)}: the tax "
            f"country is {vat_country} (or leave it empty)."
        )
    cleaned.update(vat_id=vat_id, tax_country=country or vat_country)
    for field, (_, label) in CODING_FIELDS.items():
        try:
            cleaned[field] = code_or_none(values.get(field), label=label)
        except ValidationFailed as exc:
            errors[field] = exc.message
            cleaned[field] = None


def _clean_address(values: dict, cleaned: dict, errors: dict) -> None:
    """The structured address (core.addresses), beside the free-text `address`."""
    parts = {}
    for field in ADDRESS_FIELDS:
        try:
            parts[field] = clean_text(values.get(field))
        except TextError as exc:
            errors[field] = str(exc)
            parts[field] = None
    parts = normalise_address(parts)
    for field, message in address_errors(parts).items():
        errors.setdefault(field, message)
    cleaned.update(parts)


def _clean_remittance_advice(values: dict, cleaned: dict, errors: dict) -> None:
    advice = values.get("remittance_advice")
    if advice is None:
        advice = True  # the default: every vendor is told what was paid
    elif not isinstance(advice, bool):
        errors["remittance_advice"] = "Must be true or false."
        advice = True
    cleaned["remittance_advice"] = advice


def _clean_hold(values: dict, cleaned: dict, errors: dict) -> None:
    hold = values.get("payment_hold") or False
    if not isinstance(hold, bool):
        errors["payment_hold"] = "Must be true or false."
        hold = False
    until = values.get("payment_hold_until")
    if isinstance(until, str):
        until = until.strip() or None
        if until:
            try:
                until = dt.date.fromisoformat(until)
            except ValueError:
                errors["payment_hold_until"] = "Use a date like 2026-12-31."
                until = None
    elif until is not None and not isinstance(until, dt.date):
        errors["payment_hold_until"] = "Use a date like 2026-12-31."
        until = None
    reason = cleaned.get("payment_hold_reason")
    if hold and not reason:
        errors["payment_hold_reason"] = "Say why payments to this vendor are on hold."
    if not hold:
        reason, until = None, None
    cleaned.update(
        payment_hold=hold,
        payment_hold_reason=reason,
        payment_hold_until=until.isoformat() if until else None,
    )


def new_vendor_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Return a new vendor's raw values: `fields` over the defaults in settings."""
    return {
        "status": VendorStatus.PENDING.value,
        "payment_hold": False,
        "payment_terms": settings.DEFAULT_PAYMENT_TERMS,
        "currency": settings.DEFAULT_CURRENCY,
        **fields,
    }


def clean_vendor_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Return the vendor's fields normalised, or raise ValidationFailed."""
    errors: dict[str, str] = {}
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown vendor fields: {', '.join(sorted(unknown))}.")
    cleaned = {field: _text(values.get(field), field, errors) for field in TEXT_FIELDS}

    if not cleaned["name"] and "name" not in errors:
        errors["name"] = "A vendor needs a name."
    elif (
        cleaned["name"] and len(name_key(cleaned["name"]).encode()) > NAME_KEY_MAX_BYTES
    ):
        errors["name"] = "This name is too long to index; please shorten it."
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = "Enter a valid e-mail address, like billing@example.com."
    elif "email" not in errors:
        errors["email"] = "A vendor needs an e-mail address for remittance advice."
    if cleaned["phone"] and not _PHONE.match(cleaned["phone"]):
        errors["phone"] = "Use digits, spaces and + ( ) - . only."
    if cleaned["payment_terms"]:
        try:
            parse_payment_terms(cleaned["payment_terms"])
        except PaymentTermsError as exc:
            errors["payment_terms"] = str(exc)
    elif "payment_terms" not in errors:
        errors["payment_terms"] = "Payment terms are required, e.g. Net 30."

    status = values.get("status")
    if status not in {s.value for s in VendorStatus}:
        errors["status"] = "Status must be one of: " + ", ".join(
            s.value for s in VendorStatus
        )
    cleaned["status"] = status
    try:
        cleaned["currency"] = validate_currency(values.get("currency") or "")
    except (MoneyError, AttributeError) as exc:
        errors["currency"] = (
            str(exc) if isinstance(exc, MoneyError) else "Must be text."
        )

    _clean_bank_details(values, cleaned, errors)
    _clean_hold(values, cleaned, errors)
    _clean_tax_identity(values, cleaned, errors)
    _clean_address(values, cleaned, errors)
    _clean_remittance_advice(values, cleaned, errors)
    if errors:
        raise ValidationFailed("Please correct the highlighted fields.", errors)
    return cleaned
