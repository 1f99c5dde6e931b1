"""Reads of comments: a record's thread, through the record index."""

from comments.models import Comment, record_key
from core import dynamo


def comment_list(
    *, entity_type: str, record_id: str, cursor: str | None = None, limit: int = 50
) -> dynamo.Page:
    """Return a page of a record's comments, oldest first (a thread reads down)."""
    return dynamo.query_page(
        Comment.record_index,
        record_key(entity_type, record_id),
        cursor=cursor,
        limit=limit,
        newest_first=False,
    )
