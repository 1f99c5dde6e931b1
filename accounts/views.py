"""The user's own profile page: who they are and which e-mails they receive."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import NotificationPreferencesForm
from accounts.selectors import notification_kinds, notification_preferences_get
from accounts.services import notification_preferences_update


@require_http_methods(["GET", "POST"])
def profile_view(request):
    kinds = notification_kinds(user=request.user)
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            notification_preferences_update(user=request.user, enabled=form.enabled())
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("accounts:profile")
    else:
        current = notification_preferences_get(user=request.user)
        form = NotificationPreferencesForm(
            initial={kind.value: current[kind] for kind in kinds}, kinds=kinds
        )
    return render(request, "accounts/profile.html", {"form": form})
