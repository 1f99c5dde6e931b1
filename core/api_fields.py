"""
Field types of the JSON API's input schemas: numbers read by the rules the
pages use (core.money), not by pydantic's more lenient ones.

Pydantic reads "1_000", full-width digits and no-break-space padding as
numbers and hands the service a Decimal that no longer shows them; these
types refuse such input with the field's own message (422), as a form would.
"""

import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from core.errors import ValidationFailed
from core.lines import MAX_CODE_LENGTH
from core.money import MoneyError, parse_decimal
from core.versions import MAX_VERSION

_WHOLE_NUMBER = re.compile(r"[0-9]{1,15}")


def _decimal(value: Any, info: ValidationInfo) -> Decimal:
    field = (info.field_name or "number").replace("_", " ")
    try:
        return parse_decimal(value, field=field)
    except MoneyError as exc:
        raise PydanticCustomError("decimal_input", str(exc)) from None


def _whole_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value <= MAX_VERSION:
            return value
    elif isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip(" ")):
        return int(value)
    raise PydanticCustomError(
        "whole_number", f"Must be a whole number from 0 to {MAX_VERSION:,}."
    )


# An amount or quantity: a JSON number or a string of ASCII digits.
DecimalInput = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}]}),
]

# A version, a line number: a JSON integer or a string of ASCII digits.
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


def refuse_unknown_filters(request, names) -> None:
    """
    Refuse query parameters a list does not know (422), as the pages refuse
    an invalid filter: ignored, `?vendor=` would answer every row unfiltered.
    """
    unknown = sorted(set(request.GET) - set(names))
    if unknown:
        known = ", ".join(sorted(names))
        raise ValidationFailed(
            f"Unknown filter {', '.join(unknown)}; this list takes {known}.",
            {name: "Unknown filter." for name in unknown},
        )


# A line's accounting code (tax code, GL account, cost centre): optional, so
# the original clients' lines, which name none, read as before.
CodeInput = Annotated[
    str | None,
    Field(
        max_length=MAX_CODE_LENGTH,
        description="An accounting code; omitted: inherited (PO line, the "
        "vendor's default, the settings' tax code).",
    ),
]


class LineCodingIn(Schema):
    """The coding a line may name (issue 16); each omitted field is inherited."""

    tax_code: CodeInput = None
    gl_account: CodeInput = None
    cost_centre: CodeInput = None


class LineCodingOut(Schema):
    tax_code: str | None = None
    gl_account: str | None = None
    cost_centre: str | None = None
