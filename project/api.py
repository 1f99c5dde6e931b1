"""
The JSON API under /api/v1: authentication, error shape, and the routers.

Errors are always `{"detail": ...}` with the status of the refusal; services
raise `ApplicationError`s and this module turns them into responses.
"""

import json
from decimal import Decimal

from django.http import Http404
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, django_auth

from accounts import lockout
from accounts.roles import signed_in_with_api_token
from accounts.services import api_token_authenticate
from core.errors import ApplicationError


class DecimalJSONParser(Parser):
    """JSON bodies with numbers read as Decimal: an amount never passes through float."""

    def parse_body(self, request):
        return json.loads(request.body, parse_float=Decimal)


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
        "Updates take the record's `version` and are refused with 409 if it changed."
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
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


api.add_router("/vendors", "vendors.apis.router")
api.add_router("/vendors", "purchasing.apis.vendor_router")
api.add_router("/purchase-orders", "purchasing.apis.router")
api.add_router("/invoices", "invoicing.apis.router")
api.add_router("/payment-runs", "payments.apis.router")
api.add_router("/exchange-rates", "exchange_rates.apis.router")


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
