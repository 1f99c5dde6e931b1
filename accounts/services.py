"""Writes for users' API tokens, e-mail preferences, number format and time zone."""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ApiToken, Notification, Profile, validate_time_zone
from core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from core.number_format import NUMBER_FORMAT_CHOICES

TOKEN_PREFIX = "p2p_"


def _hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def api_token_create(
    *,
    user,
    name: str = "API token",
    lifetime_days: int | None = None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """
    Create a token for `user`, expiring after `lifetime_days` (default
    API_TOKEN_DEFAULT_DAYS); return it and the raw value, shown only once.
    """
    days = settings.API_TOKEN_DEFAULT_DAYS if lifetime_days is None else lifetime_days
    longest = settings.API_TOKEN_MAX_DAYS
    if not 1 <= days <= longest:
        message = f"An API token lives from 1 to {longest} days."
        raise ValidationFailed(message, {"lifetime_days": message})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=_hash(raw),
        expires_at=timezone.now() + timedelta(days=days),
        read_only=read_only,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, raw_token: str, write: bool = False):
    """
    Return the active user owning this token, or None.

    An expired token is refused with NotAuthenticated, a read-only one asked
    to `write` with PermissionDenied, each saying so.
    """
    if not raw_token or not raw_token.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at <= now:
        raise NotAuthenticated(
            f"This API token ({token.prefix}…) expired on "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC; create a new one."
        )
    if write and token.read_only:
        raise PermissionDenied(
            f"This API token ({token.prefix}…) is read-only: it may read (GET) "
            "but not create, change or delete anything."
        )
    # Recording every use would write on every request; once a minute is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def notification_preferences_update(
    *, user, enabled: Mapping[Notification, bool]
) -> Profile:
    """Switch the user's e-mails on or off; kinds not in `enabled` keep their value."""
    profile, _ = Profile.objects.get_or_create(user=user)
    fields = [kind.value for kind in enabled]
    for kind, value in enabled.items():
        setattr(profile, kind.value, bool(value))
    if fields:
        profile.save(update_fields=fields)
    return profile


def display_preferences_update(*, user, number_format: str, time_zone: str) -> Profile:
    """
    Set how the user reads and types numbers and which time zone times are
    shown in; an empty value means the default from settings.
    """
    errors = {}
    if number_format and number_format not in dict(NUMBER_FORMAT_CHOICES):
        errors["number_format"] = f"“{number_format}” is not a number format."
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        errors["time_zone"] = exc.messages[0]
    if errors:
        raise ValidationFailed(" ".join(errors.values()), errors)
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.number_format, profile.time_zone = number_format, time_zone
    profile.save(update_fields=["number_format", "time_zone"])
    return profile
