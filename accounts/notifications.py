"""
The e-mails the app sends, one small function per occasion.

Services call them right after their DynamoDB transaction committed, never
inside it. An e-mail is a courtesy: when the mail server fails, the failure
is logged and the action that caused the e-mail still succeeds. Each user
may switch each kind off on their profile page (`accounts.models.Notification`);
messages go one per recipient, so nobody sees who else was told.

The daily digest of rejected invoices is the exception: it is the whole job
of `manage.py send_digest`, so its failure is raised for the command to report.
"""

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from pynamodb.exceptions import PynamoDBException

from accounts.models import Notification
from accounts.roles import Role
from accounts.selectors import notification_recipients
from invoicing.selectors import invoice_list
from p2p_site import dynamo
from p2p_site.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

# Rejected invoices listed in one digest; the rest are on the exceptions page.
DIGEST_MAX_INVOICES = 100


def app_link(view_name: str, *args: Any) -> str:
    """Return the absolute address of a page, for a link in an e-mail."""
    return settings.APP_BASE_URL + reverse(view_name, args=args)


def _send(users: Iterable, *, subject: str, template: str, context: dict) -> int:
    """Send each user their own copy of `template`; return how many were sent."""
    messages = [
        EmailMessage(
            subject=subject,
            body=render_to_string(
                template,
                {
                    **context,
                    "recipient": user,
                    "profile_link": app_link("accounts:profile"),
                },
            ),
            to=[user.email],
        )
        for user in users
    ]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def _best_effort(notify: Callable[..., None]) -> Callable[..., None]:
    """Log a failure of `notify` instead of raising it into the caller's action."""

    @functools.wraps(notify)
    def wrapper(*args, **kwargs) -> None:
        try:
            notify(*args, **kwargs)
        except Exception:  # noqa: BLE001 - an e-mail never fails the action behind it
            logger.exception(
                "E-mail %s not sent; the action itself succeeded", notify.__name__
            )

    return wrapper


# --- Purchase orders ------------------------------------------------------------


@_best_effort
def notify_po_awaiting_approval(po) -> None:
    """
    E-mail the approvers who may approve the pending PO now: their limit
    covers it, they did not raise it and have not approved it already.
    """
    approvers = notification_recipients(
        kind=Notification.PO_AWAITING_APPROVAL,
        role=Role.APPROVER,
        exclude={po.requester, *po.approvers},
        approval_limit_covers=po.total_amount,
    )
    second = bool(po.approvals)
    _send(
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
    _send(
        requester,
        subject=subject,
        template=template,
        context={"po": po, "link": app_link("purchasing:detail", po.id)},
    )


@_best_effort
def notify_po_approved(po) -> None:
    """E-mail the requester that their PO is fully approved."""
    _notify_requester(
        po, subject=f"{po.po_number} is approved", template="emails/po_approved.txt"
    )


@_best_effort
def notify_po_rejected(po) -> None:
    """E-mail the requester that their PO was rejected, with the reason."""
    _notify_requester(
        po, subject=f"{po.po_number} was rejected", template="emails/po_rejected.txt"
    )


# --- Payment runs -----------------------------------------------------------------


@_best_effort
def notify_payment_run_approved(run) -> None:
    """E-mail the treasurers (but the approver) that the run awaits export."""
    treasurers = notification_recipients(
        kind=Notification.PAYMENT_RUN_APPROVED,
        role=Role.TREASURER,
        exclude={run.approved_by} if run.approved_by else (),
    )
    _send(
        treasurers,
        subject=f"Payment run {run.number} is approved and awaits export",
        template="emails/payment_run_approved.txt",
        context={"run": run, "link": app_link("payments:detail", run.id)},
    )


# --- The daily digest of rejected invoices ------------------------------------------


@dataclass
class Digest:
    invoices: list  # the rejected invoices listed, newest first
    more: bool  # more are rejected than the digest lists
    recipients: list  # the AP clerks it goes (or would go) to
    sent: int  # e-mails sent: 0 on a dry run or with nothing to report


def send_rejected_invoices_digest(
    *, dry_run: bool = False, limit: int = DIGEST_MAX_INVOICES
) -> Digest:
    """
    E-mail every AP clerk the rejected invoices with their top finding.

    Nothing is sent when no invoice is rejected, nor on a dry run. A failing
    mail server raises (OSError); DynamoDB out of reach raises ServiceUnavailable.
    """
    try:
        page = invoice_list(status="rejected", limit=limit)  # the status index
    except PynamoDBException as exc:
        raise ServiceUnavailable(
            dynamo.UNREACHABLE_MESSAGE
            if dynamo.is_unreachable(exc)
            else f"DynamoDB refused the query: {exc}"
        ) from exc
    invoices, more = page.items, page.next_cursor is not None
    clerks = notification_recipients(
        kind=Notification.REJECTED_INVOICES_DIGEST, role=Role.AP_CLERK
    )
    digest = Digest(invoices=invoices, more=more, recipients=clerks, sent=0)
    if dry_run or not invoices:
        return digest
    digest.sent = _send(
        clerks,
        subject=f"Rejected invoices to correct or void: {len(invoices)}"
        f"{'+' if more else ''}",
        template="emails/rejected_invoices_digest.txt",
        context={
            "rows": [
                (invoice, app_link("invoicing:detail", invoice.id))
                for invoice in invoices
            ],
            "more": more,
            "exceptions_link": app_link("invoicing:exceptions"),
        },
    )
    return digest
