"""
Roles (Django groups, domain.md "Who uses it") and the checks services make.

Services call `require_role`; pages only hide buttons for convenience.
The superuser (Admin) may do everything a role may.
"""

from enum import StrEnum

from core.errors import PermissionDenied


class Role(StrEnum):
    REQUESTER = "Requester"
    APPROVER = "Approver"
    AP_CLERK = "AP Clerk"
    TREASURER = "Treasurer"
    AUDITOR = "Auditor"


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


def require_reader(user) -> None:
    """Any role (Auditor included) may read business records."""
    if not has_any_role(user):
        raise PermissionDenied(
            "Your account has no role yet; ask an administrator to assign one."
        )
