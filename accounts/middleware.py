"""
Sign-in middleware: how long a login lasts (an idle time-out and an absolute
lifetime), the second factor money movers enter before any page, and the
number format and time zone each user reads pages in.
"""

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.roles import is_verified, needs_second_factor
from accounts.second_factor import has_device
from accounts.selectors import display_preferences_get
from core import htmx, number_format

LOGGED_IN_AT = "p2p_logged_in_at"
SEEN_AT = "p2p_seen_at"
# Each request moves the idle end on, but saving the session on every request
# would write the database every time; a minute's precision is enough.
SEEN_PRECISION_SECONDS = 60


def start_session_clock(sender, request, user, **kwargs):
    """Count the session's lifetime from this login (a `user_logged_in` receiver)."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGGED_IN_AT] = now
        request.session[SEEN_AT] = now


def session_end_reason(session, *, now: float) -> str | None:
    """Say why the session has ended, or None while it may go on."""
    logged_in_at = session.get(LOGGED_IN_AT)
    seen_at = session.get(SEEN_AT, logged_in_at)
    if logged_in_at is None:
        return None
    if now - logged_in_at > settings.SESSION_MAX_HOURS * 3600:
        hours = settings.SESSION_MAX_HOURS
        return (
            f"You were logged out {hours} hour{'s' if hours != 1 else ''} after "
            "you logged in, as every session is. Log in again to go on."
        )
    if now - seen_at > settings.SESSION_IDLE_MINUTES * 60:
        minutes = settings.SESSION_IDLE_MINUTES
        return (
            f"You were logged out after {minutes} minute{'s' if minutes != 1 else ''}"
            " without activity. Log in again to go on."
        )
    return None


class SessionLifetimeMiddleware:
    """
    End a login idle for SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS.

    Runs in `process_view`, after the messages middleware has set up the
    request and before the login requirement: an ended session is logged
    out, its reason is kept for the login page, and the page then redirects
    there as for anyone not logged in (the API answers 401).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        session = request.session
        now = time.time()
        if LOGGED_IN_AT not in session:
            # A session from before these limits: its clock starts now.
            session[LOGGED_IN_AT] = session[SEEN_AT] = int(now)
            return None
        reason = session_end_reason(session, now=now)
        if reason is not None:
            logout(request)
            messages.info(request, reason)
        elif now - session.get(SEEN_AT, 0) >= SEEN_PRECISION_SECONDS:
            session[SEEN_AT] = int(now)
        return None


# Pages an unverified money mover still reaches: the second factor's own,
# and the way out.
OPEN_VIEWS = frozenset(
    {"logout", "admin:logout", "accounts:two-factor", "accounts:two-factor-verify"}
)


class SecondFactorRequiredMiddleware:
    """
    Send a money mover whose sign-in has no second factor yet to the code
    (or, without a device, to enrol), then back to the page they asked for.

    Pages only: the API answers for itself (the services refuse with the rule,
    `accounts.roles.require_second_factor`), as do pages open to anybody.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if request.resolver_match and request.resolver_match.view_name in OPEN_VIEWS:
            return None
        user = request.user
        if not needs_second_factor(user) or is_verified(user):
            return None
        name = (
            "accounts:two-factor-verify" if has_device(user) else "accounts:two-factor"
        )
        query = QueryDict(mutable=True)
        query["next"] = _back_to(request)
        return htmx.redirect_page(request, f"{reverse(name)}?{query.urlencode('/')}")


def _back_to(request) -> str:
    """The page to return to: this one, or the one a form or fragment was sent from."""
    if htmx.wants_partial(request) and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    return reverse("home")


class DisplayPreferencesMiddleware:
    """
    Read and show numbers and times as the signed-in user chose on their
    profile (else the settings' defaults) for the rest of the request:
    `core.number_format.activate` and `django.utils.timezone.activate`, as
    Django's LocaleMiddleware activates a language. Stored times stay UTC.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        preferences = display_preferences_get(user=request.user)
        token = number_format.activate(preferences.number_format)
        timezone.activate(zoneinfo.ZoneInfo(preferences.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            number_format.deactivate(token)
