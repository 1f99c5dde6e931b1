"""The e-mail about payment runs: an approved run awaits export."""

from accounts.models import Notification
from accounts.notifications import app_link, best_effort, email_users_later
from accounts.roles import Role
from accounts.selectors import notification_recipients


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
