"""
Roles (Django groups, domain.md "Who uses it") and the checks services make.

Services call `require_role`; pages only hide buttons for convenience.
The superuser (Admin) may do everything a role may.

Money movers (Approvers, Treasurers, Admins and anyone who may open the
admin) act only once their sign-in is confirmed by a second factor:
`require_role` asks `require_second_factor`, so every service refuses an
unverified money mover, whichever page or API call reached it. A sign-in is
verified when django-otp's OTPMiddleware found the device the user entered a
code of in the session (`user.otp_device`, accounts.second_factor). An API
bearer token is a credential of its own: an Admin (verified) issues it to one
user, it is 256 random bits, stored hashed and revocable, and a password
alone cannot make one; a request carrying one counts as verified.
"""

from enum import StrEnum

from django.urls import reverse

from core.errors import PermissionDenied


class Role(StrEnum):
    REQUESTER = "Requester"
    APPROVER = "Approver"
    AP_CLERK = "AP Clerk"
    TREASURER = "Treasurer"
    AUDITOR = "Auditor"
    # Purchasing: marks any PO sent to its vendor, closes any PO (issue 21).
    BUYER = "Buyer"


def user_roles(user) -> frozenset[str]:
    """Return the user's role names, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_p2p_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._p2p_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user_roles(user) & {str(role) for role in roles})


def has_any_role(user) -> bool:
    return has_role(user, *Role)


def require_role(user, *roles: Role, action: str) -> None:
    """Raise PermissionDenied naming the roles that may do `action`."""
    if not has_role(user, *roles):
        names = " or ".join(str(role) for role in roles)
        raise PermissionDenied(f"Only {names} users may {action}.")
    require_second_factor(user, action=action)


MONEY_MOVER_ROLES = frozenset({str(Role.APPROVER), str(Role.TREASURER)})


def needs_second_factor(user) -> bool:
    """Return True for a user whose every action needs a verified sign-in."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        user.is_superuser or user.is_staff or bool(user_roles(user) & MONEY_MOVER_ROLES)
    )


def is_verified(user) -> bool:
    """Return True when this sign-in was confirmed by a second factor (or a token)."""
    return getattr(user, "otp_device", None) is not None or getattr(
        user, "_p2p_api_token", False
    )


def signed_in_with_api_token(user):
    """Mark `user` as authenticated by an API bearer token for this request."""
    user._p2p_api_token = True
    return user


def require_second_factor(user, *, action: str) -> None:
    """Refuse `action` to a money mover whose sign-in has no second factor."""
    if needs_second_factor(user) and not is_verified(user):
        raise PermissionDenied(
            "Approvers, Treasurers and Admins must confirm their sign-in with a "
            "second factor (a code from their authenticator app) before they "
            f"{action}. Enter your code, or set up the app, at "
            f"{reverse('accounts:two-factor')}."
        )


def require_reader(user) -> None:
    """
    Any role (Auditor included) may read business records; a money mover
    once their sign-in has its second factor (a password alone must not
    read bank details through the API either).
    """
    if not has_any_role(user):
        raise PermissionDenied(
            "Your account has no role yet; ask an administrator to assign one."
        )
    require_second_factor(user, action="read business records")
