"""
Answer an htmx request with the fragment it swaps, any other with the page.

A page's swappable part is a partial template that the page itself
`{% include %}`s, so there is one template per fragment. Only a request
htmx sends to swap part of a page gets the partial: a request without
JavaScript, a boosted navigation (`HX-Boosted`) and the back button's
history restore (`HX-History-Restore-Request`) get the whole page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect, reselect, reswap, retarget

# The headers that choose between page and fragment, so a cache never serves
# one for the other.
VARY_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request")


def wants_partial(request: HttpRequest) -> bool:
    """Return True when htmx asks for part of the page rather than a page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_partial(
    request: HttpRequest,
    page: str,
    context: dict,
    *,
    partial: str,
    status: int = 200,
) -> HttpResponse:
    """
    Render `partial` for an htmx swap, else the whole `page` that includes it.

    The partial comes with the flash messages, swapped out of band into the
    page's #messages region (emptied when there are none, as a page would).
    """
    if wants_partial(request):
        context = {**context, "partial_template": partial}
        response = render(
            request, "partials/_htmx_partial.html", context, status=status
        )
    else:
        response = render(request, page, context, status=status)
    patch_vary_headers(response, VARY_HEADERS)
    return response


def redirect_page(request: HttpRequest, to: str) -> HttpResponse:
    """Go to another page: a redirect, or a full page load when htmx asked for a fragment."""
    if wants_partial(request):
        # A redirect would be followed by htmx and the page put in the fragment's place.
        response = HttpResponseClientRedirect(to)
    else:
        response = redirect(to)
    patch_vary_headers(response, VARY_HEADERS)
    return response


def show_as_page_content(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Put a whole page (an error, say) in #content instead of the fragment asked for."""
    if wants_partial(request):
        retarget(response, "#content")
        reselect(response, "#content")
        reswap(response, "outerHTML")
    return response
