"""Money movers enter their second factor before any page (the admin's too)."""

from django.http import QueryDict
from django.urls import reverse

from accounts.roles import is_verified, needs_second_factor
from accounts.second_factor import has_device
from core import htmx

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
