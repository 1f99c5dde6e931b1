"""Reads of per-user settings."""

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from accounts.models import (
    NOTIFICATION_ROLES,
    Notification,
    Profile,
    known_time_zones,
)
from accounts.roles import Role, has_role
from core import number_format


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


def notification_recipients(
    *,
    kind: Notification,
    role: Role | None = None,
    usernames: Collection[str] | None = None,
    exclude: Collection[str] = (),
    approval_limit_covers: Decimal | None = None,
) -> list:
    """
    Return the active users with an e-mail address who have not switched
    `kind` off: members of `role` and/or the users named, less `exclude`.

    `role` means the group itself: a superuser may act in any role but is
    not e-mailed as one. `approval_limit_covers` keeps the users whose
    approval limit (or the default, without one) is at least that amount.
    """
    username_field = get_user_model().USERNAME_FIELD
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        # No profile (NULL) counts as "on": every e-mail is on by default.
        .exclude(**{f"profile__{kind.value}": False})
        .exclude(**{f"{username_field}__in": list(exclude)})
    )
    if role is not None:
        users = users.filter(groups__name=str(role))
    if usernames is not None:
        users = users.filter(**{f"{username_field}__in": list(usernames)})
    if approval_limit_covers is not None:
        covers = Q(profile__approval_limit__gte=approval_limit_covers)
        if settings.DEFAULT_APPROVAL_LIMIT >= approval_limit_covers:
            covers |= Q(profile__approval_limit__isnull=True)
        users = users.filter(covers)
    return list(users.distinct().order_by(username_field))


def notification_kinds(*, user) -> list[Notification]:
    """Return the e-mails meant for the user's roles, in the order they are listed."""
    return [kind for kind in Notification if has_role(user, NOTIFICATION_ROLES[kind])]


def notification_preferences_get(*, user) -> dict[Notification, bool]:
    """Return whether each e-mail is on for the user (all on without a profile)."""
    profile = Profile.objects.filter(user=user).first()
    return {
        kind: profile is None or getattr(profile, kind.value) for kind in Notification
    }


@dataclass(frozen=True)
class DisplayPreferences:
    """How a user reads and types numbers and times; empty choices are the defaults."""

    number_format: str
    time_zone: str
    chosen_number_format: str = ""
    chosen_time_zone: str = ""


def display_preferences_get(*, user) -> DisplayPreferences:
    """
    Return the user's number format and time zone, the settings' defaults
    where they chose none (or a zone the system no longer knows).
    """
    chosen = ("", "")
    if getattr(user, "is_authenticated", False):
        chosen = (
            Profile.objects.filter(user=user)
            .values_list("number_format", "time_zone")
            .first()
        ) or chosen
    fmt, zone = chosen
    effective_zone = zone if zone in known_time_zones() else settings.TIME_ZONE_DEFAULT
    return DisplayPreferences(
        number_format=number_format.get_format(fmt).key,
        time_zone=effective_zone,
        chosen_number_format=fmt,
        chosen_time_zone=zone,
    )


def time_zone_choices() -> list[str]:
    """Every IANA time zone the system knows, by name (no legacy aliases)."""
    return sorted(
        zone
        for zone in known_time_zones()
        if "/" in zone and not zone.startswith("Etc/")
    ) + ["UTC"]


def users_with_role_named(*, usernames: Collection[str]) -> list:
    """Return the active users with these names who hold a role (may read records)."""
    if not usernames:
        return []
    username_field = get_user_model().USERNAME_FIELD
    users = (
        get_user_model()
        .objects.filter(is_active=True, **{f"{username_field}__in": list(usernames)})
        .prefetch_related("groups")
        .order_by(username_field)
    )
    return [user for user in users if has_role(user, *Role)]


def approver_named(*, username: str):
    """Return the active user `username` if they hold the Approver role, else None."""
    username_field = get_user_model().USERNAME_FIELD
    user = (
        get_user_model()
        .objects.filter(is_active=True, **{username_field: username})
        .prefetch_related("groups")
        .first()
    )
    return user if user is not None and has_role(user, Role.APPROVER) else None


def approvers_list(*, exclude: Collection[str] = ()) -> list:
    """Return the active members of the Approver group, by name, less `exclude`."""
    username_field = get_user_model().USERNAME_FIELD
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=str(Role.APPROVER))
        .exclude(**{f"{username_field}__in": list(exclude)})
        .distinct()
        .order_by(username_field)
    )
