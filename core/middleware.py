"""
Site-wide middleware: the load balancer's health check, login for every
page, the API's input limits, friendly service errors, and the response
headers.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import add_never_cache_headers

from core import drafts, htmx
from core.errors import ApplicationError
from core.text import text_problem
from core.views import health

HEALTH_PATH = "/health"


class HealthCheckMiddleware:
    """
    Answer the health check (`core.views.health`) before anything else runs.

    A load balancer asks each task on its own address over plain HTTP: that
    host is in no ALLOWED_HOSTS and SecurityMiddleware would redirect the
    request to HTTPS, so the check would see a 400 or a 301, never the 200
    that means healthy. Only this one path is answered this way; it says
    whether DynamoDB and the users database answer, and nothing more.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH:
            return health(request)
        return self.get_response(request)


class LoginRequiredExceptApiMiddleware(LoginRequiredMiddleware):
    """
    Require login on every page but those marked `login_not_required`.

    The JSON API under /api/ authenticates each request itself (bearer token or
    session) and answers 401 in JSON instead of redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        # An expired session met by a fragment request: the login page, whole,
        # and back to the page the user was on (the fragment's own URL may
        # take only a POST, as "Reconcile now" does).
        page = htmx.wants_partial(request) and request.htmx.current_url_abs_path
        if page and request.method == "POST":
            messages.warning(
                request,
                f"{drafts.SIGNED_OUT} What you sent was not saved: send it again.",
            )
        elif request.method == "POST":
            # A form sent after the sign-in ended (logged out in another tab,
            # timed out): kept, so that the login leads back to it, filled in.
            page = drafts.draft_return_url(
                request, view_func=view_func, reason=drafts.SIGNED_OUT
            )
        if not page:
            response = super().handle_no_permission(request, view_func)
            return htmx.redirect_page(request, response.url)
        response = redirect_to_login(
            page,
            resolve_url(self.get_login_url(view_func)),
            self.get_redirect_field_name(view_func),
        )
        return htmx.redirect_page(request, response.url)


class ApiInputLimitsMiddleware:
    """
    Refuse an API request whose body is larger than its endpoint accepts (413)
    or whose query holds text no record may hold (422), before anything reads
    the body or authenticates.

    The size is the request's Content-Length (Django reads no more than it):
    `API_MAX_BODY_BYTES`, or the endpoint's entry in `API_BODY_LIMITS`
    (keyed by URL route, e.g. "api/v1/purchase-orders"). Uploads through the
    pages keep their own limits.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.path_info.startswith("/api/"):
            return None
        route = request.resolver_match.route if request.resolver_match else ""
        limit = settings.API_BODY_LIMITS.get(route, settings.API_MAX_BODY_BYTES)
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse(
                {"detail": "Content-Length is not a number."}, status=400
            )
        if size > limit:
            return JsonResponse(
                {
                    "detail": (
                        f"The request body is {size:,} bytes; this endpoint "
                        f"accepts at most {limit:,}."
                    )
                },
                status=413,
            )
        errors = {
            name: problem
            for name, values in request.GET.lists()
            for value in (name, *values)
            if (problem := text_problem(value))
        }
        if errors:
            return JsonResponse(
                {
                    "detail": "The query contains text that is not valid.",
                    "errors": errors,
                },
                status=422,
            )
        return None


class ApplicationErrorMiddleware:
    """Render a refusal a view did not handle as a page with its HTTP status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path_info.startswith("/api/"):
            return None
        context = {}
        if isinstance(exception, ApplicationError):
            message, status = exception.message, exception.status_code
            # A deleted record's refusal links to its kept history.
            context["history_url"] = exception.extra.get("history_url")
        else:
            return None
        response = render(
            request,
            "error.html",
            {**context, "message": message, "status": status},
            status=status,
        )
        # A refused fragment request shows the error page in place of the content.
        return htmx.show_as_page_content(request, response)


class ResponseHeadersMiddleware:
    """
    Send Permissions-Policy on every response, and `Cache-Control: no-store`
    on every response the app builds: pages, exports, payment files and API
    answers hold what only their user may read, so no browser or proxy keeps
    a copy. Static files, answered by WhiteNoise before this runs, keep their
    long caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        add_never_cache_headers(response)
        return response
