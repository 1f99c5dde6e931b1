"""
Per-user settings kept in Django's database: approval limits, e-mails, number
format and time zone, API tokens.
"""

import functools
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from accounts.roles import Role
from core.number_format import NUMBER_FORMAT_CHOICES


class Notification(models.TextChoices):
    """The e-mails a user may switch off; each value names a Profile field."""

    PO_AWAITING_APPROVAL = (
        "email_po_awaiting_approval",
        "A purchase order awaits my approval",
    )
    PO_DECIDED = "email_po_decided", "My purchase order was approved or rejected"
    PAYMENT_RUN_APPROVED = (
        "email_payment_run_approved",
        "A payment run was approved and awaits export",
    )
    REJECTED_INVOICES_DIGEST = (
        "email_rejected_invoices_digest",
        "Daily digest of rejected invoices",
    )
    BANK_DETAILS_AWAITING = (
        "email_bank_details_awaiting",
        "A vendor's new bank details await my confirmation",
    )


# Who each e-mail is for; the profile page offers a user the kinds of their roles.
NOTIFICATION_ROLES: dict[Notification, Role] = {
    Notification.PO_AWAITING_APPROVAL: Role.APPROVER,
    Notification.PO_DECIDED: Role.REQUESTER,
    Notification.PAYMENT_RUN_APPROVED: Role.TREASURER,
    Notification.REJECTED_INVOICES_DIGEST: Role.AP_CLERK,
    Notification.BANK_DETAILS_AWAITING: Role.AP_CLERK,
}


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA time zone names the system knows (read once: it walks the disk)."""
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(name: str) -> None:
    """Refuse a name the IANA time zone database does not know."""
    if name and name not in known_time_zones():
        raise ValidationError(
            f"“{name}” is not a time zone; choose one such as Europe/Berlin.",
            code="time_zone",
        )


class Profile(models.Model):
    """What Admin sets per user beyond Django's own fields."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    approval_limit = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Largest PO this approver may approve, in the PO's currency. "
        "Empty = the default limit from settings.",
    )
    # Every e-mail is on until the user switches it off (a user without a
    # profile gets them all).
    email_po_awaiting_approval = models.BooleanField(
        Notification.PO_AWAITING_APPROVAL.label, default=True
    )
    email_po_decided = models.BooleanField(Notification.PO_DECIDED.label, default=True)
    email_payment_run_approved = models.BooleanField(
        Notification.PAYMENT_RUN_APPROVED.label, default=True
    )
    email_rejected_invoices_digest = models.BooleanField(
        Notification.REJECTED_INVOICES_DIGEST.label, default=True
    )
    email_bank_details_awaiting = models.BooleanField(
        Notification.BANK_DETAILS_AWAITING.label, default=True
    )
    # Empty = the default from settings (NUMBER_FORMAT_DEFAULT, TIME_ZONE_DEFAULT),
    # so a changed default reaches everyone who never chose.
    number_format = models.CharField(
        "number format",
        max_length=16,
        blank=True,
        choices=NUMBER_FORMAT_CHOICES,
        help_text="How amounts are typed and shown. Empty = the default from settings.",
    )
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="Times are shown in it (stored in UTC). Empty = the default "
        "from settings.",
    )

    def __str__(self):
        return f"Profile of {self.user}"


class ApiToken(models.Model):
    """
    A bearer token for the API. Only its SHA-256 is stored; revoke, never edit.

    Every token expires (tokens issued before expiry existed were given 90
    days from their creation by migration 0004); a read-only token may only
    read (GET, HEAD, OPTIONS).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=12, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="After this the token is refused.")
    read_only = models.BooleanField(
        "read-only",
        default=False,
        help_text="May only read (GET); any change it sends is refused with 403.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.prefix}… ({self.name}, {self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
