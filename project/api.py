"""
The JSON API under /api/v1: authentication, error shape, and the routers.

Errors are always `{"detail": ...}` with the status of the refusal; services
raise `ApplicationError`s and this module turns them into responses.
"""

import json
import logging
from decimal import Decimal

from django.http import Http404
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from accounts import lockout
from accounts.roles import has_any_role, signed_in_with_api_token
from accounts.services import api_token_authenticate
from comments.apis import comment_router
from core.errors import ApplicationError, PermissionDenied, ValidationFailed
from core.money import MoneyError, check_number_text
from core.text import text_problem

logger = logging.getLogger(__name__)

# The longest integer literal a body may carry: a version, a line number or
# an amount in whole units (MAX_AMOUNT has 16 digits).
MAX_INTEGER_DIGITS = 20


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise MoneyError(
            f"A whole number has at most {MAX_INTEGER_DIGITS} digits "
            f"(this one has {len(text.lstrip('-'))})."
        )
    return int(text)


def _decimal(text: str) -> Decimal:
    # Decimal("1E+999999999") is instant; converting it to an int (a
    # `version`) or doing arithmetic with it is not: bound it here, as text.
    check_number_text(text, field="A number")
    exponent = text.lower().partition("e")[2]
    if exponent and len(exponent.lstrip("+-")) > 2:
        raise MoneyError(f"A number's exponent is too large ({text[:20]}).")
    return Decimal(text)


def _constant(text: str):
    raise MoneyError(f"{text} is not a number the API accepts.")


def _text_errors(value, path: str, errors: dict[str, str]) -> None:
    """Collect, by field path, every string of the body that is not valid text."""
    if isinstance(value, str):
        if problem := text_problem(value):
            errors.setdefault(path or "body", problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            _text_errors(key, path or "body", errors)
            _text_errors(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _text_errors(item, f"{path}.{index}" if path else str(index), errors)


class DecimalJSONParser(Parser):
    """
    JSON bodies with numbers read as Decimal: an amount never passes through float.

    Ninja authenticates before it reads a body; this refuses a user with no
    role before parsing, every number literal too long to mean anything
    before it is converted, and text no record may hold (core.text).
    """

    def parse_body(self, request):
        if not has_any_role(getattr(request, "auth", None)):
            raise PermissionDenied(
                "Your account has no role yet; ask an administrator to assign one."
            )
        try:
            data = json.loads(
                request.body,
                parse_float=_decimal,
                parse_int=_integer,
                parse_constant=_constant,
            )
        except MoneyError as exc:
            raise ValidationFailed(str(exc), {"body": str(exc)}) from None
        errors: dict[str, str] = {}
        _text_errors(data, "", errors)
        if errors:
            raise ValidationFailed(
                "The request contains text that is not valid.", errors
            )
        return data


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, checked against the hashed tokens."""

    def authenticate(self, request, token):
        # Guessing tokens from one address stops at API_TOKEN_FAILURE_LIMIT.
        lockout.api_token_check_allowed(request)
        # A read-only token is refused any write before its body is read.
        write = request.method not in ("GET", "HEAD", "OPTIONS")
        user = api_token_authenticate(raw_token=token, write=write)
        if user is None:
            lockout.api_token_failed(request)
        else:
            request.user = signed_in_with_api_token(user)
        return user


api = NinjaAPI(
    title="Procure-to-pay API",
    version="1",
    description=(
        "Authenticate with `Authorization: Bearer <token>` "
        "(`python manage.py create_api_token USERNAME`) or a browser session. "
        "Lists return `{items, next_cursor}`; pass `cursor` to get the next page. "
        "Updates may send the record's `version` (or an If-Match header) and are "
        "refused with 409 if it changed since; without one, the write is "
        "conditional on the version read in the same request."
    ),
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
    docs_url=None,
    parser=DecimalJSONParser(),
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(
        request, {"detail": exc.message, **exc.extra}, status=exc.status_code
    )


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    """Answer 422 with `errors` as `{field: message}`, the shape services use too."""
    errors: dict[str, str] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "<parameter>", "field", ...) or ("query", "field")
        path = location[2:] if location[:1] == ["body"] else location[1:]
        errors.setdefault(
            ".".join(path) or "request", error.get("msg", "Invalid value")
        )
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(
        request,
        {"detail": "Authentication required: send 'Authorization: Bearer <token>'."},
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # Ninja wraps whatever the parser raises in "Cannot parse request body";
    # a refusal of ours keeps its own status and message.
    if isinstance(exc.__cause__, ApplicationError):
        return application_error(request, exc.__cause__)
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Exception)
def server_error(request, exc: Exception):
    """An unexpected failure: logged whole, answered in JSON like every API error."""
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return api.create_response(
        request,
        {"detail": "Something went wrong on the server; the error has been logged."},
        status=500,
    )


api.add_router("/vendors", "vendors.apis.router")
api.add_router("/vendors", "purchasing.apis.vendor_router")
api.add_router("/vendors", "reports.apis.vendor_router")
api.add_router("/reports", "reports.apis.router")
api.add_router("/purchase-orders", "purchasing.apis.router")
# Before invoicing's: "import" is no invoice id.
api.add_router("/invoices", "einvoicing.apis.import_router")
api.add_router("/invoices", "invoicing.apis.router")
api.add_router("/einvoice-inbox", "einvoicing.apis.inbox_router")
api.add_router("/payment-runs", "payments.apis.router")
api.add_router("/bank-statements", "payments.apis.bank_statement_router")
api.add_router("/bank-accounts", "treasury.apis.router")
api.add_router("/exchange-rates", "exchange_rates.apis.router")
api.add_router("", "accounting.apis.router")
# Comment threads (issue 15) of the three kinds of record that carry one.
for _prefix, _entity_type, _tag in (
    ("/invoices", "invoice", "invoices"),
    ("/purchase-orders", "purchase_order", "purchase orders"),
    ("/payment-runs", "payment_run", "payment runs"),
):
    api.add_router(_prefix, comment_router(entity_type=_entity_type, label=_tag))


# Added last, so it only answers paths no other router matched: a JSON 404
# rather than Django's HTML page.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:unknown}",
    include_in_schema=False,
)
def unknown_path(request, unknown: str):
    raise Http404


api.add_router("", fallback)
