"""
Sign-in lockout: django-axes' settings callables, and the throttle of bad API
bearer tokens.

Axes counts failed sign-ins (the login form and the admin's) per user name and
client address in the users' database and refuses the next one for
LOGIN_LOCKOUT_MINUTES once LOGIN_FAILURE_LIMIT is reached. A bearer token has
no user name, so a bad one is recorded through axes' handler under a name no
user can have (`API_TOKEN_CREDENTIALS`): bad tokens then count per address,
share the lockout's store, its admin list and its unlock (`axes_reset_ip`),
and every worker process sees the same count, which a per-process cache
would not give.
"""

import datetime as dt

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import JsonResponse
from django.shortcuts import render

from core.errors import ApplicationError

# Spaces are not allowed in user names, so no user's sign-ins count here.
API_TOKEN_USERNAME = "API bearer token"
API_TOKEN_CREDENTIALS = {"username": API_TOKEN_USERNAME}
# Longest user name Django accepts; a longer one is not stored at length.
USERNAME_MAX_LENGTH = 150


class TooManyFailures(ApplicationError):
    """Sign-ins (or API tokens) from this client are locked for a while."""

    status_code = 429


def cool_off(request=None) -> dt.timedelta:
    """Return how long a lockout lasts (AXES_COOLOFF_TIME)."""
    return dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def failure_limit(request, credentials) -> int:
    """Return the failures allowed before a lockout (AXES_FAILURE_LIMIT)."""
    if is_api_token(credentials):
        return settings.API_TOKEN_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT


def is_api_token(credentials) -> bool:
    return bool(credentials) and credentials.get("username") == API_TOKEN_USERNAME


def attempted_username(request, credentials) -> str:
    """Return the user name a sign-in tried (AXES_USERNAME_CALLABLE), bounded."""
    if credentials:
        username = credentials.get("username")
    else:
        username = request.POST.get("username") if request.method == "POST" else None
    return str(username or "")[:USERNAME_MAX_LENGTH]


def client_address(request) -> str | None:
    """
    Return the client's address (AXES_CLIENT_IP_CALLABLE).

    Behind LOGIN_LOCKOUT_PROXY_COUNT proxies, the address the first of them
    saw, counted from the right of X-Forwarded-For: entries further left are
    whatever the client sent, and would let it choose its own address.
    """
    proxies = settings.LOGIN_LOCKOUT_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_message(request, credentials) -> str:
    """Say which rule locked the client out and for how long."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    wait = (
        f"Try again in {minutes} minutes (each further attempt starts the wait "
        "again), or ask an administrator to unlock it."
    )
    limit = failure_limit(request, credentials)
    if is_api_token(credentials):
        return f"Locked: {limit} failed API tokens in a row from your address. {wait}"
    username = get_client_username(request, credentials)
    return (
        f"Sign-in locked: {limit} failed sign-ins in a row for “{username}” "
        f"from your address. {wait}"
    )


def lockout_response(request, original_response=None, credentials=None):
    """Answer a locked-out sign-in (AXES_LOCKOUT_CALLABLE): a page, or JSON for the API."""
    message = lockout_message(request, credentials)
    retry_after = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": message},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response


def api_token_check_allowed(request) -> None:
    """Refuse any bearer token from an address locked for bad tokens."""
    if AxesProxyHandler.is_locked(request, API_TOKEN_CREDENTIALS):
        raise TooManyFailures(lockout_message(request, API_TOKEN_CREDENTIALS))


def api_token_failed(request) -> None:
    """Record a bad bearer token against the client's address."""
    user_login_failed.send(
        sender=__name__, credentials=API_TOKEN_CREDENTIALS, request=request
    )
