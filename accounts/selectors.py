"""Reads of per-user settings."""

from decimal import Decimal

from django.conf import settings

from accounts.models import NOTIFICATION_ROLES, Notification, Profile
from accounts.roles import has_role


def approval_limit_get(*, user) -> Decimal:
    """Return the user's approval limit, or the default; cached on the user object."""
    cached = getattr(user, "_p2p_approval_limit", None)
    if cached is None:
        limit = (
            Profile.objects.filter(user=user)
            .values_list("approval_limit", flat=True)
            .first()
        )
        cached = limit if limit is not None else settings.DEFAULT_APPROVAL_LIMIT
        user._p2p_approval_limit = cached
    return cached


def notification_kinds(*, user) -> list[Notification]:
    """Return the e-mails meant for the user's roles, in the order they are listed."""
    return [kind for kind in Notification if has_role(user, NOTIFICATION_ROLES[kind])]


def notification_preferences_get(*, user) -> dict[Notification, bool]:
    """Return whether each e-mail is on for the user (all on without a profile)."""
    profile = Profile.objects.filter(user=user).first()
    return {
        kind: profile is None or getattr(profile, kind.value) for kind in Notification
    }
