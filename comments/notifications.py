"""The e-mail to a user mentioned in a comment."""

from accounts.notifications import app_link, best_effort, email_users_later
from audit.registry import record_kind


@best_effort
def notify_mentioned(comment, *, users, label: str, author: str) -> None:
    """
    E-mail each mentioned user the comment and a link to its record.

    A mention is addressed to one person, like a direct message, so it has no
    switch on the profile page (the role e-mails do).
    """
    kind = record_kind(comment.entity_type)
    link = app_link(kind.page, comment.record_id) if kind and kind.page else None
    email_users_later(
        users,
        kind="notify_mentioned",
        subject=f"{author} mentioned you on {label}",
        template="emails/comment_mention.txt",
        context={"comment": comment, "label": label, "author": author, "link": link},
    )
