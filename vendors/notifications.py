"""The e-mails about vendors: new bank details await another clerk's confirmation."""

from accounts.models import Notification
from accounts.notifications import app_link, best_effort, email_users_later
from accounts.roles import Role
from accounts.selectors import notification_recipients

# The vendor list filtered to what the reader may confirm (vendors.forms).
AWAITING_ME_QUERY = "?bank_details=awaiting_me"


def _other_clerks(changed_by: str) -> list:
    """The AP clerks who may confirm a change `changed_by` made: everyone else."""
    return notification_recipients(
        kind=Notification.BANK_DETAILS_AWAITING,
        role=Role.AP_CLERK,
        exclude={changed_by},
    )


@best_effort
def notify_bank_details_awaiting(vendor) -> None:
    """
    E-mail the AP clerks but the one who changed them that the vendor's new
    bank details await confirmation. No account number: e-mails travel
    further than the app, and the confirmer reads the details in the app.
    """
    email_users_later(
        _other_clerks(vendor.bank_details_changed_by),
        kind="notify_bank_details_awaiting",
        subject=f"{vendor.name}: new bank details await your confirmation",
        template="emails/bank_details_awaiting.txt",
        context={
            "vendors": [vendor],
            "changed_by": vendor.bank_details_changed_by,
            "link": app_link("vendors:detail", vendor.id),
            "queue_link": app_link("vendors:list") + AWAITING_ME_QUERY,
        },
    )


@best_effort
def notify_imported_bank_details_awaiting(vendors: list, *, changed_by: str) -> None:
    """E-mail the other AP clerks once for the vendors of an import file."""
    email_users_later(
        _other_clerks(changed_by),
        kind="notify_imported_bank_details_awaiting",
        subject=f"{len(vendors)} imported vendor{'s' if len(vendors) != 1 else ''}: "
        "new bank details await your confirmation",
        template="emails/bank_details_awaiting.txt",
        context={
            "vendors": vendors,
            "changed_by": changed_by,
            "imported": True,
            "queue_link": app_link("vendors:list") + AWAITING_ME_QUERY,
        },
    )
