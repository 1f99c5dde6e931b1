"""The add-comment form; the rules live in comments.services."""

from django import forms

from comments.models import MAX_COMMENT_LENGTH
from core.forms import TextField


class CommentForm(forms.Form):
    text = TextField(
        label="Add a comment",
        required=False,
        strip=False,
        help_text="Mention a colleague with @ and their user name to e-mail them.",
        widget=forms.Textarea(
            attrs={"rows": 3, "maxlength": MAX_COMMENT_LENGTH, "required": True}
        ),
    )
