"""
The rules an accounting code must satisfy, shared by pages, API, import and
vendors: plain values in, normalised values out, or ValidationFailed naming
each bad field. No I/O: what exists already is passed in by the caller.
"""

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from accounting.models import VAT_CATEGORY_LABELS, VatCategory
from core.errors import ValidationFailed
from core.money import MoneyError, parse_decimal
from core.text import TextError, clean_text

MAX_CODE_LENGTH = 20
MAX_NAME_LENGTH = 200
MAX_RATE = Decimal("100")
MAX_RATE_PLACES = 3
_CODE = re.compile(r"[A-Z0-9._-]+")

CODE_FORMAT = (
    f"letters, digits, dots, dashes and underscores, at most {MAX_CODE_LENGTH} "
    "characters"
)
# Documents name a tax code for its rate and category: changing either would
# change the tax of every document already coded with it.
FIXED_TAX_FIELDS = ("rate", "category")
# What an edit may change; the code itself is the record's key.
EDITABLE_FIELDS = {
    "tax_code": ("name", "active", "gl_account", "reverse_charge_account"),
    "gl_account": ("name", "active"),
    "cost_centre": ("name", "active"),
}
KIND_LABELS = {
    "tax_code": "Tax code",
    "gl_account": "GL account",
    "cost_centre": "Cost centre",
}


def clean_code(value: Any, *, label: str = "Code") -> str:
    """Return `value` as a code (stripped, upper-cased), or raise ValidationFailed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed(
            f"{label} is required.", {"code": f"{label} is required."}
        )
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationFailed(f"{label} must be text.", {"code": "Must be text."})
    code = str(value).strip().upper()
    if len(code) > MAX_CODE_LENGTH or not _CODE.fullmatch(code):
        message = f"{label} “{code[:40]}” is not valid: use {CODE_FORMAT}."
        raise ValidationFailed(message, {"code": message})
    return code


def code_or_none(value: Any, *, label: str) -> str | None:
    """A code naming another record (an account, a default): None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return clean_code(value, label=label)


def _name(value: Any, errors: dict) -> str | None:
    try:
        name = clean_text(value, max_length=MAX_NAME_LENGTH)
    except TextError as exc:
        errors["name"] = str(exc)
        return None
    if not name:
        errors["name"] = "A name is required, e.g. “Office supplies”."
    return name


def _active(value: Any, errors: dict) -> bool:
    if value is None:
        return True
    if not isinstance(value, bool):
        errors["active"] = "Must be true or false."
        return True
    return value


def clean_rate(value: Any) -> Decimal:
    """Return a tax rate in percent (0 to 100, at most 3 places), or raise."""
    try:
        rate = parse_decimal(value, field="The rate")
    except MoneyError as exc:
        raise ValidationFailed(str(exc), {"rate": str(exc)}) from None
    if rate < 0 or rate > MAX_RATE:
        message = f"The rate is a percentage from 0 to 100, not {rate}."
        raise ValidationFailed(message, {"rate": message})
    if -rate.as_tuple().exponent > MAX_RATE_PLACES:
        message = (
            f"The rate {rate} has more than {MAX_RATE_PLACES} decimal places "
            "(8.875 is the most precise a rate gets)."
        )
        raise ValidationFailed(message, {"rate": message})
    # 19.00 is stored and shown as 19, 7.50 as 7.5 (never as 1.9E+1).
    return rate.quantize(Decimal(1)) if rate == rate.to_integral() else rate.normalize()


def clean_category(value: Any) -> str:
    """Return an EN 16931 VAT category code (S, Z, E, AE, K, G, O), or raise."""
    text = str(value or "").strip().upper()
    if text not in {c.value for c in VatCategory}:
        choices = ", ".join(
            f"{c.value} ({VAT_CATEGORY_LABELS[c].lower()})" for c in VatCategory
        )
        message = f"The VAT category {text or '(none)'} is not one of {choices}."
        raise ValidationFailed(message, {"category": message})
    return text


def _collect(errors: dict, field: str, clean: Callable[[], Any]) -> Any:
    try:
        return clean()
    except ValidationFailed as exc:
        errors[field] = exc.field_errors.get(field) or exc.message
        return None


def clean_code_fields(
    kind: str,
    values: Mapping[str, Any],
    *,
    gl_account_exists: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """
    Return a new code's fields normalised, or raise ValidationFailed naming each
    bad one. `kind` is "tax_code", "gl_account" or "cost_centre"; a tax code's
    accounts must exist (`gl_account_exists(code)`).
    """
    errors: dict[str, str] = {}
    label = KIND_LABELS[kind]
    cleaned = {
        "code": _collect(
            errors, "code", lambda: clean_code(values.get("code"), label=label)
        ),
        "name": _name(values.get("name"), errors),
        "active": _active(values.get("active"), errors),
    }
    if kind == "tax_code":
        cleaned["rate"] = _collect(
            errors, "rate", lambda: clean_rate(values.get("rate"))
        )
        cleaned["category"] = _collect(
            errors, "category", lambda: clean_category(values.get("category"))
        )
        _clean_accounts(values, cleaned, errors, gl_account_exists)
    if errors:
        raise ValidationFailed(_summary(errors), errors)
    return cleaned


def clean_code_changes(
    kind: str,
    record: Mapping[str, Any],
    changes: Mapping[str, Any],
    *,
    gl_account_exists: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """
    Return the fields an edit changes (those of EDITABLE_FIELDS that differ
    from `record`, a snapshot), or raise ValidationFailed. A tax code's rate
    and category are fixed: a change to either is refused.
    """
    errors: dict[str, str] = {}
    editable = EDITABLE_FIELDS[kind]
    unknown = set(changes) - set(editable) - set(FIXED_TAX_FIELDS) - {"code"}
    if unknown:
        raise ValidationFailed(
            f"These fields cannot be changed: {', '.join(sorted(unknown))}."
        )
    if "code" in changes and changes["code"] not in (None, record["code"]):
        raise ValidationFailed(
            f"A code is never renamed: create {changes['code']} and deactivate "
            f"{record['code']}."
        )
    if kind == "tax_code":
        _refuse_fixed_changes(record, changes, errors)
    else:
        for field in set(changes) & set(FIXED_TAX_FIELDS):
            errors[field] = "Only a tax code has this."
    merged = {**record, **{k: v for k, v in changes.items() if k in editable}}
    cleaned = {
        "name": _name(merged.get("name"), errors),
        "active": _active(merged.get("active"), errors),
    }
    if kind == "tax_code":
        _clean_accounts(merged, cleaned, errors, gl_account_exists, only=set(changes))
    if errors:
        raise ValidationFailed(_summary(errors), errors)
    return {k: v for k, v in cleaned.items() if v != record.get(k)}


def _refuse_fixed_changes(record, changes, errors: dict) -> None:
    for field, clean in (("rate", clean_rate), ("category", clean_category)):
        if field not in changes or changes[field] in (None, ""):
            continue
        value = _collect(
            errors, field, lambda clean=clean, field=field: clean(changes[field])
        )
        if value is not None and value != record[field]:
            shown = f"{record[field]}%" if field == "rate" else record[field]
            errors[field] = (
                f"The {field} of tax code {record['code']} is fixed at {shown}: "
                "documents already coded with it keep it. Create a new code with "
                f"the new {field} and deactivate {record['code']}."
            )


def _clean_accounts(values, cleaned, errors, exists, only: set | None = None) -> None:
    for field, label in (
        ("gl_account", "The input VAT account"),
        ("reverse_charge_account", "The reverse-charge account"),
    ):
        account = _collect(
            errors,
            field,
            lambda f=field, lb=label: code_or_none(values.get(f), label=lb),
        )
        if account and exists is not None and (only is None or field in only):
            if not exists(account):
                errors[field] = (
                    f"{label} {account} is not a GL account: add it under GL "
                    "accounts first, or name another."
                )
        cleaned[field] = account


def _summary(errors: dict[str, str]) -> str:
    if len(errors) == 1:
        return next(iter(errors.values()))
    return "Please correct the highlighted fields."
