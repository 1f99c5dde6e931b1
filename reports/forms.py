"""The reports' forms: the journal's period, the ledger's period and order, the ageing report's date and currency."""

from django import forms

from core.forms import TextField, date_field, date_filter_field

JOURNAL_FORMATS = [("csv", "CSV"), ("datev", "DATEV (EXTF)")]


class JournalPeriodForm(forms.Form):
    start = date_field("From")
    end = date_field("To")

    def add_prefix(self, field_name):
        # The query string says ?from=&to=, as the API does.
        return {"start": "from", "end": "to"}.get(field_name, field_name)


NEWEST_FIRST, OLDEST_FIRST = "newest", "oldest"


class LedgerFilterForm(forms.Form):
    start = date_filter_field("From")
    end = date_filter_field("To")
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[(NEWEST_FIRST, "Newest first"), (OLDEST_FIRST, "Oldest first")],
    )
    cursor = TextField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", f"The period ends before it starts ({start}).")
        return cleaned


class AgeingFilterForm(forms.Form):
    as_of = date_filter_field("As of")
    currency = forms.ChoiceField(label="Currency", required=False, choices=[])

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", "Every currency")] + [
            (code, code) for code in currencies
        ]
