"""
The daily digest of rejected invoices, e-mailed to AP clerks, and the
e-mails about invoices without PO (queued in the outbox after the decision
commits, as the payment runs' are).

It is the whole job of `manage.py send_digest`, so unlike the courtesy
e-mails of other apps its failure is raised for the command to report.
"""

from dataclasses import dataclass

from accounts.models import Notification
from accounts.notifications import (
    app_link,
    best_effort,
    email_users,
    email_users_later,
)
from accounts.roles import Role
from accounts.selectors import notification_recipients
from invoicing.selectors import invoice_list
from purchasing.selectors import amount_value

# Rejected invoices listed in one digest; the rest are on the exceptions page.
DIGEST_MAX_INVOICES = 100


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
    page = invoice_list(status="rejected", limit=limit)  # the status index
    invoices, more = page.items, page.next_cursor is not None
    clerks = notification_recipients(
        kind=Notification.REJECTED_INVOICES_DIGEST, role=Role.AP_CLERK
    )
    digest = Digest(invoices=invoices, more=more, recipients=clerks, sent=0)
    if dry_run or not invoices:
        return digest
    digest.sent = email_users(
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


# --- Invoices without PO (invoicing.without_po) -------------------------------


@best_effort
def notify_invoice_awaiting_approval(invoice) -> None:
    """
    E-mail the approvers who may approve the invoice without PO now: their
    limit covers its worth in the base currency today, they did not enter it
    and have not approved it already. (The PO's preference governs it.)
    """
    value = amount_value(amount=invoice.total_amount, currency=invoice.currency)
    if value is None:
        return
    second = bool(invoice.approvals)
    email_users_later(
        notification_recipients(
            kind=Notification.PO_AWAITING_APPROVAL,
            role=Role.APPROVER,
            exclude={invoice.submitted_by, *invoice.approvers},
            approval_limit_covers=value.base_amount,
        ),
        kind="notify_invoice_awaiting_approval",
        subject=f"Invoice {invoice.invoice_number} of {invoice.vendor_name} awaits "
        f"your {'second ' if second else ''}approval",
        template="emails/invoice_awaiting_approval.txt",
        context={
            "invoice": invoice,
            "second": second,
            "link": app_link("invoicing:detail", invoice.id),
            "queue_link": app_link("invoicing:list") + "?awaiting=me",
        },
    )


@best_effort
def notify_invoice_decided(invoice) -> None:
    """E-mail the clerk who entered the invoice without PO that it was decided."""
    email_users_later(
        notification_recipients(
            kind=Notification.PO_DECIDED, usernames=[invoice.submitted_by]
        ),
        kind="notify_invoice_decided",
        subject=f"Invoice {invoice.invoice_number} of {invoice.vendor_name} was "
        f"{invoice.status}",
        template="emails/invoice_decided.txt",
        context={"invoice": invoice, "link": app_link("invoicing:detail", invoice.id)},
    )


# --- Variances sent to approval (invoicing.variances) --------------------------


@best_effort
def notify_variance_sent(invoice, *, value) -> None:
    """
    E-mail the approver asked to accept the rejected invoice's variance, or,
    when any approver is asked, those whose limit covers `value` (its worth
    in the base currency; None without a rate: every approver) who neither
    entered nor sent it.
    """
    if invoice.variance_sent_to:
        recipients = notification_recipients(
            kind=Notification.PO_AWAITING_APPROVAL,
            usernames=[invoice.variance_sent_to],
        )
    else:
        recipients = notification_recipients(
            kind=Notification.PO_AWAITING_APPROVAL,
            role=Role.APPROVER,
            exclude={invoice.submitted_by, invoice.variance_sent_by},
            approval_limit_covers=value.base_amount if value is not None else None,
        )
    email_users_later(
        recipients,
        kind="notify_variance_sent",
        subject=f"Invoice {invoice.invoice_number} of {invoice.vendor_name}: "
        "a variance awaits your acceptance",
        template="emails/variance_sent.txt",
        context={
            "invoice": invoice,
            "findings": (invoice.report or {}).get("findings", []),
            "link": app_link("invoicing:detail", invoice.id),
            "accept_link": app_link("invoicing:accept-variance", invoice.id),
            "queue_link": app_link("invoicing:variances"),
        },
    )
