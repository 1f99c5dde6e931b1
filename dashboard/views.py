"""The home page: what needs the user now, and the figures finance looks at."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import PermissionDenied
from dashboard.selectors import dashboard_for
from dashboard.services import dashboard_refresh


def dashboard_view(request):
    return render(
        request, "dashboard/dashboard.html", {"board": dashboard_for(user=request.user)}
    )


@require_POST
def dashboard_refresh_view(request):
    """Recompute the figures now (Admin): seconds at 100,000 invoices, so not for everyone."""
    if not request.user.is_superuser:
        raise PermissionDenied("Only an administrator may recompute the figures now.")
    statistics = dashboard_refresh()
    messages.success(
        request, f"Figures recomputed in {statistics.computed_in_ms / 1000:.1f} s."
    )
    return redirect("home")
