"""
The thread on a record's page, and the add-comment form's view.

A record's page (in its own app, above this one) puts `comment_thread(...)`
in its context and includes `comments/_thread.html`; the form posts here and
comes back to the record's page, or shows the refusal with its status.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.roles import has_role, require_reader
from audit.registry import record_kind
from comments import services
from comments.forms import CommentForm
from comments.registry import commentable_kind, commentable_record
from comments.selectors import comment_list
from core.errors import ApplicationError
from core.forms import add_service_errors

THREAD_PAGE_SIZE = 50


def comment_thread(request, *, entity_type: str, record_id: str, form=None) -> dict:
    """
    What `comments/_thread.html` shows: a page of the thread (its cursor in the
    `comments` query parameter) and, for those who may comment, the form.
    """
    require_reader(request.user)
    page = comment_list(
        entity_type=entity_type,
        record_id=record_id,
        cursor=request.GET.get("comments") or None,
        limit=THREAD_PAGE_SIZE,
    )
    following = request.GET.copy()
    following["comments"] = page.next_cursor or ""
    return {
        "comments": page.items,
        "next_link": f"?{following.urlencode()}#comments" if page.next_cursor else None,
        "first_link": "?#comments" if request.GET.get("comments") else None,
        "can_comment": has_role(request.user, *services.COMMENT_ROLES),
        "form": form or CommentForm(),
        "action": reverse("comments:add", args=[entity_type, record_id]),
    }


def _record_page(entity_type: str, record_id: str) -> str:
    return reverse(record_kind(entity_type).page, args=[record_id]) + "#comments"


@require_POST
def comment_add_view(request, entity_type, record_id):
    """Add the comment and go back to the record; a refusal keeps the text."""
    kind = commentable_kind(entity_type)
    form = CommentForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.comment_add(
                entity_type=entity_type,
                record_id=record_id,
                user=request.user,
                text=form.cleaned_data["text"],
            )
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            add_service_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, "Comment added.")
            return redirect(_record_page(entity_type, record_id))
    record = commentable_record(entity_type, record_id)
    return render(
        request,
        "comments/comment_form.html",
        {
            "label": kind.name(record),
            "kind": kind,
            "back": _record_page(entity_type, record_id),
            "thread": comment_thread(
                request, entity_type=entity_type, record_id=record_id, form=form
            ),
        },
        status=status,
    )
