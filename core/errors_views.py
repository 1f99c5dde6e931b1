"""Error pages in the site's own layout."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.shortcuts import render

from core import drafts, htmx


def not_found(request, exception=None):
    return render(
        request,
        "error.html",
        {"status": 404, "message": "That page or record does not exist."},
        status=404,
    )


def forbidden(request, exception=None):
    return render(
        request,
        "error.html",
        {"status": 403, "message": "Your role does not allow this page or action."},
        status=403,
    )


def server_error(request):
    # No context processors that could fail again: a plain template.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())


STALE_PAGE = (
    "This page was older than your latest sign-in (in another tab, perhaps), "
    "so its form could not be accepted."
)


def csrf_failure(request, reason=""):
    """
    A form refused by the CSRF check. Sent from one of this site's pages (the
    browser says so) by someone signed out meanwhile, it leads to the login
    page and back to the form, as any form sent after the sign-in ended does
    (`core.middleware`); by someone signed in again elsewhere (the token
    rotates at each login), back to the form. The form's fields come back
    with it (`core.drafts`). Anything else, a cross-site post above all, is
    refused with 403 and keeps nothing.
    """
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    if request.method == "POST" and _sent_from_this_site(request):
        signed_in = request.user.is_authenticated
        page = drafts.draft_return_url(
            request, reason=STALE_PAGE if signed_in else drafts.SIGNED_OUT
        )
        if signed_in:
            return htmx.redirect_page(request, page)
        return htmx.redirect_page(request, redirect_to_login(page).url)
    return render(
        request,
        "error.html",
        {
            "status": 403,
            "message": "This form could not be accepted: its security check "
            "failed (the page may be out of date, or cookies are blocked). "
            "Reload the page and send it again.",
        },
        status=403,
    )


def _sent_from_this_site(request) -> bool:
    """True when the browser says the request comes from one of this site's pages."""
    if request.headers.get("Sec-Fetch-Site") == "same-origin":
        return True
    try:
        origin = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return False
    return request.headers.get("Origin") == origin
