"""
Comment threads in the API: `GET|POST /{record id}/comments` under the
router of each kind of record (`/invoices`, `/purchase-orders`,
`/payment-runs`), mounted by `project.api`.
"""

import datetime as dt

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from accounts.roles import require_reader
from comments import services
from comments.models import MAX_COMMENT_LENGTH
from comments.registry import commentable_record
from comments.selectors import comment_list


class CommentOut(Schema):
    id: str
    author: str
    text: str
    mentions: list[str] = Field(description="The users the comment e-mailed.")
    created_at: dt.datetime


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(
        description=f"1 to {MAX_COMMENT_LENGTH} characters; `@name` e-mails that user."
    )


class CommentListQuery(Schema):
    cursor: str | None = Field(default=None, max_length=4000)
    limit: int = Field(default=50, ge=1, le=100)


def comment_router(*, entity_type: str, label: str) -> Router:
    """The two thread endpoints of one kind of record, tagged like its router."""
    router = Router(tags=[label])

    @router.get(
        "/{record_id}/comments",
        response=CommentPage,
        summary="List the comments, oldest first",
        operation_id=f"list_{entity_type}_comments",
    )
    def list_comments(request, record_id: str, page: Query[CommentListQuery]):
        require_reader(request.auth)
        commentable_record(entity_type, record_id)
        found = comment_list(
            entity_type=entity_type,
            record_id=record_id,
            cursor=page.cursor,
            limit=page.limit,
        )
        return {"items": found.items, "next_cursor": found.next_cursor}

    @router.post(
        "/{record_id}/comments",
        response={201: CommentOut},
        summary="Add a comment (mentions e-mail their users)",
        operation_id=f"add_{entity_type}_comment",
    )
    def add_comment(request, record_id: str, payload: CommentIn):
        comment = services.comment_add(
            entity_type=entity_type,
            record_id=record_id,
            user=request.auth,
            text=payload.text,
        )
        return Status(201, comment)

    return router
