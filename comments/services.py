"""
Adding a comment to a record's thread (issue 15, "Holds and comments").

A thread belongs to any record whose app registered its kind
(`comments.registry`): invoices, credit notes (invoice records), purchase
orders and payment runs. A comment is one conditional TransactWrite: the
comment (never overwritten), a check that its record still exists, and the
COMMENT audit entry on the record's own trail, so a record's history shows
who said what. Comments are never edited or deleted, as audit entries are
not. Any role but the Auditor's may comment (the Auditor reads everything
and changes nothing); every reader of the record reads its thread.

A `@name` naming an active user with a role e-mails that user after the
commit (unless they wrote it); any other `@word` stays plain text.
"""

import uuid
from typing import Any

from accounts.roles import Role, require_role
from accounts.selectors import users_with_role_named
from audit.entries import actor_id, audit_entry_add
from comments.events import comment_added_event
from comments.mentions import mentioned_names
from comments.models import MAX_COMMENT_LENGTH, Comment, record_key
from comments.notifications import notify_mentioned
from comments.registry import commentable_kind, commentable_record
from core import dynamo
from core.errors import NotFound, StaleRecord, ValidationFailed
from core.text import TextError, clean_text
from core.writes import MAX_ATTEMPTS, retry_pause

COMMENT_ROLES = (Role.REQUESTER, Role.APPROVER, Role.AP_CLERK, Role.TREASURER)


def clean_comment_text(text: Any) -> str:
    """The comment as stored, or a ValidationFailed on the field `text`."""
    try:
        cleaned = clean_text(text, max_length=MAX_COMMENT_LENGTH)
    except TextError as exc:
        raise ValidationFailed(f"The comment: {exc}", {"text": str(exc)}) from None
    if cleaned is None:
        message = "Write the comment first; an empty comment is not added."
        raise ValidationFailed(message, {"text": message})
    return cleaned


def comment_add(*, entity_type: str, record_id: str, user, text: Any) -> Comment:
    """Add `user`'s comment to a record's thread; e-mail the users it mentions."""
    require_role(user, *COMMENT_ROLES, action="comment on records")
    kind = commentable_kind(entity_type)
    text = clean_comment_text(text)
    record = commentable_record(entity_type, record_id)
    label = kind.name(record)
    author = actor_id(user)
    mentioned = [
        mentioned_user
        for mentioned_user in users_with_role_named(usernames=mentioned_names(text))
        if actor_id(mentioned_user) != author
    ]
    comment = Comment(
        id=str(uuid.uuid4()),
        record_key=record_key(entity_type, record_id),
        entity_type=entity_type,
        record_id=record_id,
        author=author,
        text=text,
        mentions=[actor_id(u) for u in mentioned],
        created_at=dynamo.utcnow(),
    )
    model = type(record)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with dynamo.write_transaction() as transaction:
                transaction.save(comment, condition=Comment.id.does_not_exist())
                transaction.condition_check(
                    model, record.id, condition=model.id.exists()
                )
                audit_entry_add(
                    transaction,
                    comment_added_event(comment=comment, user=user, label=label),
                )
        except StaleRecord:
            if kind.read(record_id) is None:
                raise NotFound(
                    f"The {kind.label.lower()} was deleted meanwhile; the comment "
                    "was not added."
                ) from None
            # Another change of the record wrote its trail first: chain after it.
            retry_pause(attempt)
            continue
        break
    else:
        raise StaleRecord("The record kept changing; add the comment again.")
    if mentioned:
        notify_mentioned(comment, users=mentioned, label=label, author=author)
    return comment
