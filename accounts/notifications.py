"""
How the app sends e-mail; each app's `notifications.py` says what and when.

Mails go through the outbox (core.mail_outbox) and are sent after the
response by `manage.py send_mail_outbox`: `user_emails` renders them for a
service to write in its own transaction, `email_users_later` writes them
right after a change committed. `email_users` still sends at once, for the
jobs whose whole work is the mail (the daily digest). An e-mail is a courtesy: a notification wrapped
in `best_effort` logs a failing mail server and the action that caused it
still succeeds. Each user may switch each kind off on their profile page
(`accounts.models.Notification`); messages go one per recipient, so nobody
sees who else was told.
"""

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from core.mail_outbox import MailOutboxItem, outbox_mail, outbox_save

logger = logging.getLogger(__name__)


def app_link(view_name: str, *args: Any) -> str:
    """Return the absolute address of a page, for a link in an e-mail."""
    return settings.APP_BASE_URL + reverse(view_name, args=args)


def email_users(users: Iterable, *, subject: str, template: str, context: dict) -> int:
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


def user_emails(
    users: Iterable, *, kind: str, subject: str, template: str, context: dict
) -> list[MailOutboxItem]:
    """Each user's own copy of `template` as an outbox item, not yet written."""
    return [
        outbox_mail(
            kind=kind,
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


def email_users_later(
    users: Iterable, *, kind: str, subject: str, template: str, context: dict
) -> int:
    """Queue each user's copy of `template` in the outbox; return how many."""
    return outbox_save(
        user_emails(
            users, kind=kind, subject=subject, template=template, context=context
        )
    )


def best_effort(notify: Callable[..., None]) -> Callable[..., None]:
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
