"""
Who may move a payment run where, and when: the rules the services enforce
and the run's page asks before it shows a button, so a button never offers
what the service would refuse with a rule it knows beforehand.

Each check raises the refusal the service raises (`PermissionDenied`,
`InvalidTransition`); `refusal` turns one into the reason a page shows.
`iban_flags` says which payments an approver should look at twice: an IBAN
other vendors have, or the company's own.
Apart from `local_today`, which reads the clock once for its caller, nothing
here reads or writes.
"""

import datetime as dt
from collections.abc import Callable

from django.conf import settings

from accounts.roles import Role, has_role, is_verified, require_role
from audit.entries import actor_id
from core.days import site_today
from core.errors import ApplicationError, InvalidTransition, PermissionDenied
from core.transitions import check_transition
from payments import calendar
from payments.models import PAYMENT_RUN_TRANSITIONS, PaymentRunStatus

# Who may do what to a run: the roles and the words of the refusal.
_ROLES: dict[str, tuple[tuple[Role, ...], str]] = {
    "build": ((Role.TREASURER,), "build payment runs"),
    "approve": ((Role.APPROVER, Role.TREASURER), "approve payment runs"),
    "return": ((Role.APPROVER, Role.TREASURER), "return payment runs to their builder"),
    "resubmit": ((Role.TREASURER,), "send payment runs for approval again"),
    "export": ((Role.TREASURER,), "export payment runs"),
    "confirm": ((Role.TREASURER,), "confirm payment runs"),
    "cancel": ((Role.TREASURER,), "cancel payment runs"),
    "download": ((Role.TREASURER, Role.AUDITOR), "download payment files"),
}


def local_today() -> dt.date:
    """Return today in the site's time zone, the day payment dates are held to."""
    # The site's (TIME_ZONE), not the reader's zone activated for the request.
    return site_today()


def acts_on_runs(user) -> bool:
    """True if the user holds a role that moves runs (builds, approves...)
    and has signed in with its second factor: only their refused attempts
    are worth an entry on a run's trail."""
    acting = {
        role
        for action, (roles, _) in _ROLES.items()
        if action != "download"
        for role in roles
    }
    return has_role(user, *acting) and is_verified(user)


def role_check(user, action: str) -> None:
    """Refuse `action` ("approve", "export"...) to a user without its role."""
    roles, words = _ROLES[action]
    require_role(user, *roles, action=words)


def move_check(run, *, target: PaymentRunStatus, verb: str) -> None:
    """Refuse a move PAYMENT_RUN_TRANSITIONS does not allow from the run's status."""
    check_transition(
        PAYMENT_RUN_TRANSITIONS,
        current=run.status,
        target=target,
        name=f"Payment run {run.number}",
        kind="payment runs",
        verb=verb,
    )


def payment_date_check(run, *, verb: str, today: dt.date) -> None:
    """A run whose payment date has passed would ask the bank to pay in the past."""
    if dt.date.fromisoformat(run.payment_date) < today:
        raise InvalidTransition(
            f"Payment run {run.number} was for {run.payment_date}, which has passed, "
            f"so it cannot be {verb}: its discounts and due dates were worked out "
            "for that day. Cancel it and build a new run."
        )


def execution_date_check(run, *, verb: str) -> None:
    """
    Refuse a run dated on a weekend or a holiday of a currency it pays (the
    build refuses such a date; a run built before that rule still has one).
    """
    if not settings.PAYMENT_BUSINESS_DAYS_ONLY:
        return
    day = dt.date.fromisoformat(run.payment_date)
    refusal = calendar.payment_date_refusal(
        day, [run.currency] if run.currency else run.totals()
    )
    if refusal is not None:
        message, following = refusal
        raise InvalidTransition(
            f"Payment run {run.number} cannot be {verb}: {message} Cancel it "
            f"and build a new run for {following.isoformat()}.",
            {"next_business_day": following.isoformat()},
        )


def approve_check(run, *, user, today: dt.date) -> None:
    """Refuse approving unless the user may, the run is a draft still payable
    on its date, and somebody else built it."""
    role_check(user, "approve")
    move_check(run, target=PaymentRunStatus.APPROVED, verb="approved")
    payment_date_check(run, verb="approved", today=today)
    execution_date_check(run, verb="approved")
    if run.created_by == actor_id(user):
        raise PermissionDenied(
            f"You cannot approve payment run {run.number}: you built this run; "
            "another user must approve it (nobody approves a run they built)."
        )


def return_check(run, *, user) -> None:
    """Refuse returning unless the user may approve the draft: not its builder."""
    role_check(user, "return")
    move_check(run, target=PaymentRunStatus.RETURNED, verb="returned")
    if run.created_by == actor_id(user):
        raise PermissionDenied(
            f"You cannot return payment run {run.number}: you built it; cancel "
            "it instead, or leave the decision to another approver."
        )


def resubmit_check(run, *, user, today: dt.date) -> None:
    """Refuse sending a returned run for approval again but by its builder,
    while its date can still be paid."""
    role_check(user, "resubmit")
    move_check(run, target=PaymentRunStatus.DRAFT, verb="sent for approval again")
    payment_date_check(run, verb="sent for approval again", today=today)
    if run.created_by != actor_id(user):
        raise PermissionDenied(
            f"Only {run.created_by}, who built payment run {run.number}, sends "
            "it for approval again; another treasurer may cancel it."
        )


def export_check(run, *, user, today: dt.date) -> None:
    """Refuse exporting unless the user may and the run is approved and still
    payable on its date."""
    role_check(user, "export")
    move_check(run, target=PaymentRunStatus.EXPORTED, verb="exported")
    payment_date_check(run, verb="exported", today=today)
    execution_date_check(run, verb="exported")


def confirm_check(run, *, user) -> None:
    """Refuse confirming unless the user may and the run is exported."""
    role_check(user, "confirm")
    move_check(run, target=PaymentRunStatus.CONFIRMED, verb="confirmed")


def cancel_check(run, *, user) -> None:
    """Refuse cancelling unless the user may and the run is draft, returned
    or approved."""
    role_check(user, "cancel")
    move_check(run, target=PaymentRunStatus.CANCELLED, verb="cancelled")


def refusal(check: Callable[..., None], *args, **kwargs) -> str | None:
    """Return why `check` refuses (its message), None when it allows."""
    try:
        check(*args, **kwargs)
    except ApplicationError as exc:
        return exc.message
    return None
