from accounts.roles import Role, has_role


def roles(request):
    """Expose which roles the current user holds, for showing buttons."""
    user = getattr(request, "user", None)
    return {
        "is_clerk": has_role(user, Role.AP_CLERK),
        "is_requester": has_role(user, Role.REQUESTER),
        "is_approver": has_role(user, Role.APPROVER),
        "is_treasurer": has_role(user, Role.TREASURER),
        "is_auditor": has_role(user, Role.AUDITOR),
    }
