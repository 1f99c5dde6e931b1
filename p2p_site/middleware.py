"""Site-wide middleware: login for every page, and friendly service errors."""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.shortcuts import render
from pynamodb.exceptions import PynamoDBException

from p2p_site import dynamo
from p2p_site.errors import ApplicationError


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


class ApplicationErrorMiddleware:
    """Render a refusal a view did not handle as a page with its HTTP status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path_info.startswith("/api/"):
            return None
        if isinstance(exception, ApplicationError):
            return render(
                request,
                "error.html",
                {"message": exception.message, "status": exception.status_code},
                status=exception.status_code,
            )
        if isinstance(exception, PynamoDBException) and dynamo.is_unreachable(
            exception
        ):
            return render(
                request,
                "error.html",
                {
                    "message": "The database could not be reached. "
                    "Try again in a moment; if it persists, tell your administrator.",
                    "status": 503,
                },
                status=503,
            )
        return None
