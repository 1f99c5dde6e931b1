"""The header's search box."""

from django import forms

from core.forms import TextField

# A name or a number is far shorter; the index keys stay well within limits.
MAX_QUERY_LENGTH = 100


class SearchForm(forms.Form):
    q = TextField(
        label="Search",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters "
            "(this has %(show_value)d): a name or number is shorter."
        },
    )
