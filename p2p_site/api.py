"""
The JSON API under /api/v1: authentication, error shape, and the routers.

Errors are always `{"detail": ...}` with the status of the refusal; services
raise `ApplicationError`s and this module turns them into responses.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth
from pynamodb.exceptions import PynamoDBConnectionError

from accounts.services import api_token_authenticate
from p2p_site.errors import ApplicationError


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`, checked against the hashed tokens."""

    def authenticate(self, request, token):
        user = api_token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
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
)


@api.exception_handler(ApplicationError)
def application_error(request, exc: ApplicationError):
    return api.create_response(
        request, {"detail": exc.message, **exc.extra}, status=exc.status_code
    )


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())[1:]) or None,
            "message": error.get("msg", "Invalid value"),
        }
        for error in exc.errors
    ]
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


@api.exception_handler(PynamoDBConnectionError)
def dynamodb_unreachable(request, exc):
    return api.create_response(
        request, {"detail": "The database could not be reached; try again."}, status=503
    )


api.add_router("/vendors", "vendors.apis.router")
