"""
A form sent after its sign-in ended, kept so that nothing typed is lost.

Logged out in another tab (or timed out), a person who presses Save meets
the login page. The fields they sent wait in the session (server-side, and
so in this browser only: `django.contrib.auth.login` keeps an anonymous
session's data), under a random key handed through `?next=` inside a signed,
expiring token. Back on the form after the login, a view marked
`restores_draft` shows them again, bound as if just sent but not saved,
with a message saying so; any other page says that nothing was saved.

Kept: every field but the CSRF token and anything named like a password;
never files (the message says to choose them again). At most
FORM_DRAFT_MAX_BYTES, for FORM_DRAFT_MAX_AGE_SECONDS, three per session;
a draft is shown once.

A draft comes back only to the person who typed it. A signed cookie names
who last signed in in this browser (`DraftOwnerMiddleware`), and each login
notes who that was before it: a form sent signed out belongs to the cookie's
user, a stale page sent after a new login to the one signed in before that
login. Another clerk signing in at the same browser gets the message, not
the fields.
"""

import json
import secrets
import time
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import DisallowedHost
from django.http import QueryDict
from django.urls import Resolver404, resolve

SESSION_KEY = "p2p_form_drafts"
QUERY_PARAMETER = "draft"
MAX_DRAFTS = 3
_SALT = "p2p.form-draft"
_NEVER_KEPT = ("csrfmiddlewaretoken",)

OWNER_COOKIE = "p2p_signed_in_as"
_OWNER_SALT = "p2p.form-draft-owner"
_OWNER_MAX_AGE = 30 * 24 * 3600
PREVIOUS_OWNER_KEY = "p2p_signed_in_before"

SIGNED_OUT = "You were signed out (in another tab, or after a while without activity)."
RESTORED = (
    "You were signed out before this form was saved, so nothing was saved. "
    "What you typed is back: check it and save again."
)


def restores_draft(view):
    """
    Mark a form view whose GET shows a kept draft: it builds its form from
    `request.POST or None` and saves only on a POST, so the draft set as
    `request.POST` is shown, never saved, until the user sends it again.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "GET" and (data := draft_take(request)) is not None:
            request.POST = data
            messages.warning(request, RESTORED + _files_note(data))
        return view(request, *args, **kwargs)

    wrapped.restores_draft = True
    return wrapped


def _files_note(data) -> str:
    return (
        " Files you had attached were not kept: choose them again."
        if getattr(data, "had_files", False)
        else ""
    )


def _kept_fields(request) -> dict[str, list[str]]:
    return {
        name: values
        for name, values in request.POST.lists()
        if name not in _NEVER_KEPT and "password" not in name.casefold()
    }


def last_signed_in(request) -> str | None:
    """The id of who last signed in in this browser (the signed cookie), if known."""
    return request.get_signed_cookie(
        OWNER_COOKIE, default=None, salt=_OWNER_SALT, max_age=_OWNER_MAX_AGE
    )


def note_previous_owner(sender, request, user, **kwargs) -> None:
    """At a login (user_logged_in), note who was signed in in this browser before."""
    if request is not None:
        request.session[PREVIOUS_OWNER_KEY] = last_signed_in(request)


class DraftOwnerMiddleware:
    """Keep the signed cookie naming who is signed in in this browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False):
            if last_signed_in(request) != str(user.pk):
                response.set_signed_cookie(
                    OWNER_COOKIE, str(user.pk), salt=_OWNER_SALT,
                    max_age=_OWNER_MAX_AGE, httponly=True, samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )  # fmt: skip
        return response


def _draft_owner(request) -> str | None:
    """Who typed the form this request sent (see the module docstring)."""
    if request.user.is_authenticated:  # a page from before the latest login
        return request.session.get(PREVIOUS_OWNER_KEY)
    return last_signed_in(request)


def draft_keep(request) -> str | None:
    """
    Keep the request's POSTed fields in its session; return the signed
    token naming them, or None when they are larger than allowed.
    """
    now = int(time.time())
    draft = {
        "owner": _draft_owner(request),
        "path": request.path,
        "fields": _kept_fields(request),
        "files": bool(request.FILES),
        "at": now,
    }
    if len(json.dumps(draft)) > settings.FORM_DRAFT_MAX_BYTES:
        return None
    max_age = settings.FORM_DRAFT_MAX_AGE_SECONDS
    drafts = {
        key: kept
        for key, kept in request.session.get(SESSION_KEY, {}).items()
        if now - kept.get("at", 0) <= max_age
    }
    key = secrets.token_urlsafe(16)
    drafts[key] = draft
    newest = sorted(drafts, key=lambda k: drafts[k]["at"])[-MAX_DRAFTS:]
    request.session[SESSION_KEY] = {k: drafts[k] for k in newest}
    return signing.dumps(key, salt=_SALT)


def draft_take(request) -> QueryDict | None:
    """
    Return (and forget) the draft `?draft=` names, if its token is valid,
    not expired, kept in this session and made on this page; else None.
    """
    token = request.GET.get(QUERY_PARAMETER)
    if not token:
        return None
    try:
        key = signing.loads(
            token, salt=_SALT, max_age=settings.FORM_DRAFT_MAX_AGE_SECONDS
        )
    except signing.BadSignature:  # altered, or expired (SignatureExpired)
        return None
    drafts = request.session.get(SESSION_KEY, {})
    draft = drafts.get(key) if isinstance(key, str) else None
    if draft is None or draft["path"] != request.path:
        return None
    if draft.get("owner") is None or draft["owner"] != str(request.user.pk):
        return None  # typed by someone else at this browser: not theirs to see
    del drafts[key]
    request.session[SESSION_KEY] = drafts
    data = QueryDict(mutable=True)
    for name, values in draft["fields"].items():
        data.setlist(name, values)
    data.had_files = draft["files"]
    data._mutable = False
    return data


def view_restores_drafts(request, view_func=None) -> bool:
    """True if the view the request was sent to shows a kept draft again."""
    if view_func is None:
        try:
            view_func = resolve(request.path_info).func
        except Resolver404:
            return False
    return getattr(view_func, "restores_draft", False)


def _with_draft(request, token: str) -> str:
    query = request.GET.copy()
    query[QUERY_PARAMETER] = token
    return f"{request.path}?{query.urlencode()}"


def _page_sent_from(request) -> str:
    """The page the form was on (a same-site Referer), else the URL it was sent to."""
    referer = urlsplit(request.headers.get("Referer", ""))
    try:
        host = request.get_host()
    except DisallowedHost:  # no page of ours to go back to
        host = None
    if referer.netloc and referer.netloc == host and referer.path.startswith("/"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return request.get_full_path()


def draft_return_url(request, *, view_func=None, reason: str) -> str:
    """
    Keep what a POST sent where its view can show it again, say so (or say
    that nothing was saved) in a message opening with `reason`, and return
    the page to go back to.
    """
    token = (
        draft_keep(request)
        if request.method == "POST" and view_restores_drafts(request, view_func)
        else None
    )
    if token:
        files = " (files must be chosen again)" if request.FILES else ""
        messages.warning(
            request,
            f"{reason} What you sent was not saved; the form comes back with "
            f"what you typed{files}.",
        )
        return _with_draft(request, token)
    if request.method == "POST":
        messages.warning(
            request, f"{reason} What you sent was not saved: send it again."
        )
        return _page_sent_from(request)
    return request.get_full_path()
