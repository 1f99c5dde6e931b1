"""
The e-mails about purchase orders: to approvers, and to the requester.

Each returns its mails as outbox items (core.mail_outbox) for the service to
write in the same transaction as the decision that causes them: a committed
approval always has its mail, which is sent after the response. Rendering
never fails the decision (`mails_best_effort`: logged, no mail).
"""

import functools
import logging
from collections.abc import Callable

from accounts.models import Notification
from accounts.notifications import app_link, user_emails
from accounts.roles import Role
from accounts.selectors import notification_recipients

logger = logging.getLogger("accounts.notifications")


def mails_best_effort(build: Callable[..., list]) -> Callable[..., list]:
    """Log a failure of `build` and return no mail instead of failing the decision."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> list:
        try:
            return build(*args, **kwargs)
        except Exception:  # noqa: BLE001 - an e-mail never fails the action behind it
            logger.exception(
                "E-mail %s not sent; the action itself succeeded", build.__name__
            )
            return []

    return wrapper


@mails_best_effort
def notify_po_awaiting_approval(po, *, value) -> list:
    """
    E-mail the approvers who may approve the pending PO now: their limit
    covers `value` (the PO's worth in the base currency, a Conversion; None
    without a rate, when nobody may approve it yet), they did not raise it
    and have not approved it already.
    """
    if value is None:
        return []
    approvers = notification_recipients(
        kind=Notification.PO_AWAITING_APPROVAL,
        role=Role.APPROVER,
        exclude={po.requester, *po.approvers},
        approval_limit_covers=value.base_amount,
    )
    second = bool(po.approvals)
    return user_emails(
        approvers,
        kind="notify_po_awaiting_approval",
        subject=f"{po.po_number} awaits your {'second ' if second else ''}approval",
        template="emails/po_awaiting_approval.txt",
        context={
            "po": po,
            "second": second,
            "link": app_link("purchasing:detail", po.id),
            "queue_link": app_link("purchasing:awaiting"),
        },
    )


def _notify_requester(po, *, kind: str, subject: str, template: str) -> list:
    requester = notification_recipients(
        kind=Notification.PO_DECIDED, usernames=[po.requester]
    )
    return user_emails(
        requester,
        kind=kind,
        subject=subject,
        template=template,
        context={"po": po, "link": app_link("purchasing:detail", po.id)},
    )


@mails_best_effort
def notify_po_approved(po) -> list:
    """E-mail the requester that their PO is fully approved."""
    return _notify_requester(
        po,
        kind="notify_po_approved",
        subject=f"{po.po_number} is approved",
        template="emails/po_approved.txt",
    )


@mails_best_effort
def notify_po_rejected(po) -> list:
    """E-mail the requester that their PO was rejected, with the reason."""
    return _notify_requester(
        po,
        kind="notify_po_rejected",
        subject=f"{po.po_number} was rejected",
        template="emails/po_rejected.txt",
    )
