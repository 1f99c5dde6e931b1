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
    entity_id = TextField(
        label="Record",
        required=False,
        max_length=100,
        help_text="A PO, invoice or payment run number, a vendor name, or a record id.",
    )
    user_id = TextField(
        label="User", required=False, max_length=150, help_text="Any case."
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any")] + [(a.value, a.value) for a in AuditAction],
    )
    date_from = date_filter_field("From")
    date_to = date_filter_field("To")
    cursor = TextField(required=False, widget=forms.HiddenInput)
