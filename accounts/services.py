"""Writes for users' API tokens and e-mail preferences."""

import hashlib
import secrets
from collections.abc import Mapping
from datetime import timedelta

from django.utils import timezone

from accounts.models import ApiToken, Notification, Profile

TOKEN_PREFIX = "p2p_"


def _hash(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def api_token_create(*, user, name: str = "API token") -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and the raw value, shown only once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=_hash(raw)
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(*, raw_token: str):
    """Return the active user owning this token, or None."""
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
