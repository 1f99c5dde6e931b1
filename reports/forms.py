"""Forms of the report pages."""

from django import forms

from core.forms import date_field

JOURNAL_FORMATS = [("csv", "CSV"), ("datev", "DATEV (EXTF)")]


class JournalPeriodForm(forms.Form):
    start = date_field("From")
    end = date_field("To")

    def add_prefix(self, field_name):
        # The query string says ?from=&to=, as the API does.
        return {"start": "from", "end": "to"}.get(field_name, field_name)
