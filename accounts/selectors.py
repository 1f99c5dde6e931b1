"""Reads of per-user settings."""

from decimal import Decimal

from django.conf import settings

from accounts.models import Profile


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
