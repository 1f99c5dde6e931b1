"""Reads of per-user settings."""

from decimal import Decimal

from django.conf import settings

from accounts.models import Profile


def approval_limit_get(*, user) -> Decimal:
    """Return the user's approval limit, or the default from settings."""
    limit = (
        Profile.objects.filter(user=user)
        .values_list("approval_limit", flat=True)
        .first()
    )
    return limit if limit is not None else settings.DEFAULT_APPROVAL_LIMIT
