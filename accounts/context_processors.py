from accounts.roles import Role, has_role, is_verified, needs_second_factor


def roles(request):
    """Expose which roles the current user holds, for showing buttons."""
    user = getattr(request, "user", None)
    signed_in = getattr(user, "is_authenticated", False)
    return {
        # Until a money mover enters their second factor, only the way out
        # (and their name) shows: every other page would send them back.
        "signed_in_fully": signed_in
        and not (needs_second_factor(user) and not is_verified(user)),
        "is_clerk": has_role(user, Role.AP_CLERK),
        "is_requester": has_role(user, Role.REQUESTER),
        "is_approver": has_role(user, Role.APPROVER),
        "is_treasurer": has_role(user, Role.TREASURER),
        "is_auditor": has_role(user, Role.AUDITOR),
    }
