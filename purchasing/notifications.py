"""The e-mails about purchase orders: to approvers, and to the requester."""

from accounts.models import Notification
from accounts.notifications import app_link, best_effort, email_users
from accounts.roles import Role
from accounts.selectors import notification_recipients


@best_effort
def notify_po_awaiting_approval(po, *, value) -> None:
    """
    E-mail the approvers who may approve the pending PO now: their limit
    covers `value` (the PO's worth in the base currency, a Conversion; None
    without a rate, when nobody may approve it yet), they did not raise it
    and have not approved it already.
    """
    if value is None:
        return
    approvers = notification_recipients(
        kind=Notification.PO_AWAITING_APPROVAL,
        role=Role.APPROVER,
        exclude={po.requester, *po.approvers},
        approval_limit_covers=value.base_amount,
    )
    second = bool(po.approvals)
    email_users(
        approvers,
        subject=f"{po.po_number} awaits your {'second ' if second else ''}approval",
        template="emails/po_awaiting_approval.txt",
        context={
            "po": po,
            "second": second,
            "link": app_link("purchasing:detail", po.id),
            "queue_link": app_link("purchasing:awaiting"),
        },
    )


def _notify_requester(po, *, subject: str, template: str) -> None:
    requester = notification_recipients(
        kind=Notification.PO_DECIDED, usernames=[po.requester]
    )
    email_users(
        requester,
        subject=subject,
        template=template,
        context={"po": po, "link": app_link("purchasing:detail", po.id)},
    )


@best_effort
def notify_po_approved(po) -> None:
    """E-mail the requester that their PO is fully approved."""
    _notify_requester(
        po, subject=f"{po.po_number} is approved", template="emails/po_approved.txt"
    )


@best_effort
def notify_po_rejected(po) -> None:
    """E-mail the requester that their PO was rejected, with the reason."""
    _notify_requester(
        po, subject=f"{po.po_number} was rejected", template="emails/po_rejected.txt"
    )
