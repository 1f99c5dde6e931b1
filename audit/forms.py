"""The audit browser's filters."""

from django import forms

from audit.models import AuditAction
from audit.registry import record_kinds
from core.forms import TextField, date_filter_field


class AuditFilterForm(forms.Form):
    entity_type = forms.ChoiceField(
        label="Record type",
        required=False,
        # Read when a form is made: the apps register their kinds at start-up.
        choices=lambda: [("", "Any")] + list(record_kinds().items()),
    )
    entity_id = TextField(label="Record id", required=False, max_length=100)
    user_id = TextField(label="User", required=False, max_length=150)
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any")] + [(a.value, a.value) for a in AuditAction],
    )
    date_from = date_filter_field("From")
    date_to = date_filter_field("To")
    cursor = TextField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("entity_id") and not cleaned.get("entity_type"):
            self.add_error("entity_type", "Pick the record type of this id.")
        return cleaned
