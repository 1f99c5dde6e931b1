"""
The e-mail about payment runs: an approved run awaits export, a returned one
goes back to its builder, and each vendor paid by an exported run gets its
remittance advice.
"""

from django.conf import settings
from django.template.loader import render_to_string

from accounts.models import Notification
from accounts.notifications import app_link, best_effort, email_users_later
from accounts.roles import Role
from accounts.selectors import notification_recipients
from core.mail_outbox import outbox_mail, outbox_save
from core.templatetags.money import money
from vendors.selectors import vendors_get_many


@best_effort
def notify_payment_run_approved(run) -> None:
    """E-mail the treasurers (but the approver) that the run awaits export."""
    treasurers = notification_recipients(
        kind=Notification.PAYMENT_RUN_APPROVED,
        role=Role.TREASURER,
        exclude={run.approved_by} if run.approved_by else (),
    )
    email_users_later(
        treasurers,
        kind="notify_payment_run_approved",
        subject=f"Payment run {run.number} is approved and awaits export",
        template="emails/payment_run_approved.txt",
        context={"run": run, "link": app_link("payments:detail", run.id)},
    )


@best_effort
def notify_payment_run_returned(run) -> None:
    """
    E-mail the run's builder that an approver returned it, and why.

    Under the builder's "payment run approved" switch: both tell a treasurer
    what became of a run on its way to the bank.
    """
    builder = notification_recipients(
        kind=Notification.PAYMENT_RUN_APPROVED, usernames=[run.created_by]
    )
    email_users_later(
        builder,
        kind="notify_payment_run_returned",
        subject=f"Payment run {run.number} was returned to you: {run.return_reason}"[
            :200
        ],
        template="emails/payment_run_returned.txt",
        context={"run": run, "link": app_link("payments:detail", run.id)},
    )


@best_effort
def notify_remittance_advice(run) -> None:
    """
    E-mail each vendor the exported run pays one remittance advice per
    payment (a transfer, or a settlement by credit notes alone), unless the
    vendor has no e-mail or switched remittance advice off.

    The advice names what is paid and settled, never an account number: an
    e-mail is no place for bank details.
    """
    vendors = vendors_get_many(vendor_ids={p.vendor_id for p in run.payments})
    items = []
    for payment in run.payments:
        vendor = vendors.get(payment.vendor_id)
        if vendor is None or not vendor.email or not vendor.sends_remittance_advice:
            continue
        context = {
            "run": run,
            "payment": payment,
            "vendor": vendor,
            "payer": settings.PAYER_NAME,
        }
        items.append(
            outbox_mail(
                kind="notify_remittance_advice",
                subject=(
                    f"Remittance advice from {settings.PAYER_NAME}: "
                    f"{money(payment.amount, payment.currency)} on {run.payment_date}"
                ),
                body=render_to_string("emails/remittance_advice.txt", context),
                html_body=render_to_string("emails/remittance_advice.html", context),
                to=[vendor.email],
            )
        )
    outbox_save(items)
