"""
The user's own profile page: who they are, which e-mails they receive, and
how they read numbers and times;
and their second factor: setting it up, the step after the password, and
recovery codes.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from accounts import second_factor
from accounts.forms import (
    DisplayPreferencesForm,
    NotificationPreferencesForm,
    SecondFactorCodeForm,
)
from accounts.roles import is_verified, needs_second_factor
from accounts.selectors import (
    display_preferences_get,
    notification_kinds,
    notification_preferences_get,
)
from accounts.services import (
    display_preferences_update,
    notification_preferences_update,
)
from core.errors import ValidationFailed
from core.forms import add_service_errors


@require_http_methods(["GET", "POST"])
def profile_view(request):
    kinds = notification_kinds(user=request.user)
    current = notification_preferences_get(user=request.user)
    form = NotificationPreferencesForm(
        initial={kind.value: current[kind] for kind in kinds}, kinds=kinds
    )
    display = display_preferences_get(user=request.user)
    display_form = DisplayPreferencesForm(
        initial={
            "number_format": display.chosen_number_format,
            "time_zone": display.chosen_time_zone,
        }
    )
    status = 200
    if request.method == "POST" and "save_display" in request.POST:
        display_form = DisplayPreferencesForm(request.POST)
        if display_form.is_valid():
            try:
                display_preferences_update(
                    user=request.user, **display_form.cleaned_data
                )
            except ValidationFailed as exc:
                add_service_errors(display_form, exc)
            else:
                messages.success(request, "Your number format and time zone are saved.")
                return redirect("accounts:profile")
        status = 422
    elif request.method == "POST":
        form = NotificationPreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            notification_preferences_update(user=request.user, enabled=form.enabled())
            messages.success(request, "Your e-mail preferences are saved.")
            return redirect("accounts:profile")
        status = 422
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "display_form": display_form,
            "display": display,
            "second_factor_needed": needs_second_factor(request.user),
        },
        status=status,
    )


def _next_page(request) -> str:
    """Return the page to go on to: `next` if it is one of this site's, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _recovery_codes_page(request, codes: list[str]):
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": _next_page(request)},
    )


@require_http_methods(["GET", "POST"])
def second_factor_view(request):
    """Set up the authenticator app, or (once set up) see the second factor's state."""
    user = request.user
    enrolled = second_factor.authenticator_enrolled(user)
    # Any device (recovery codes alone, after an Admin removed the app) is
    # asked for first: a password alone never sets up a new app.
    if second_factor.has_device(user) and not is_verified(user):
        return redirect(
            f"{reverse('accounts:two-factor-verify')}?{request.GET.urlencode()}"
        )
    if enrolled and "replace" not in request.GET:
        return render(
            request,
            "accounts/second_factor_status.html",
            {
                "recovery_codes_left": second_factor.recovery_codes_left(user=user),
                "needed": needs_second_factor(user),
            },
        )
    device = second_factor.enrolment_device(user)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrolment_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            messages.success(request, "Your authenticator app is set up.")
            return _recovery_codes_page(request, codes)
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "secret": second_factor.secret_text(device),
            # qrcode's own SVG of the otpauth:// address: no user text in it.
            "qr_code": mark_safe(second_factor.qr_code_svg(device)),
            "needed": needs_second_factor(user),
            "next": _next_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
def second_factor_verify_view(request):
    """The step after the password: a code from the app, or a recovery code."""
    user = request.user
    if is_verified(user) or not second_factor.has_device(user):
        if not is_verified(user) and needs_second_factor(user):
            return redirect(
                f"{reverse('accounts:two-factor')}?{request.GET.urlencode()}"
            )
        return redirect(_next_page(request))
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.sign_in_verify(
                user=user, code=form.cleaned_data["code"]
            )
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            if second_factor.is_recovery_code(device):
                left = second_factor.recovery_codes_left(user=user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} left. Make new ones "
                    "on your profile's two-factor page if you are running out.",
                )
            return redirect(_next_page(request))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": _next_page(request)},
    )


@require_POST
def recovery_codes_view(request):
    """Replace the user's recovery codes with a new set and show it once."""
    codes = second_factor.recovery_codes_create(user=request.user)
    return _recovery_codes_page(request, codes)
