"""
Purchase order forms. They shape browser input only; the rules live in
`purchasing.rules`, so pages and API refuse the same things.
"""

from django import forms

from accounting.forms import coded_line_form
from core.forms import (
    PricedLineForm,
    TextField,
    date_field,
    date_filter_field,
    line_formset,
    number_field,
)
from core.money import CURRENCY_CHOICES
from purchasing.models import MatchType, POStatus


class PurchaseOrderForm(forms.Form):
    vendor_id = forms.ChoiceField(label="Vendor", choices=[])
    currency = forms.ChoiceField(
        label="Currency",
        required=False,
        choices=[("", "The vendor's currency")] + [(c, c) for c in CURRENCY_CHOICES],
    )
    match_type = forms.ChoiceField(
        label="Invoice matching",
        choices=[
            (MatchType.TWO_WAY.value, "2-way: invoice against the PO"),
            (
                MatchType.THREE_WAY.value,
                "3-way: invoice against the PO and goods received",
            ),
        ],
        initial=MatchType.TWO_WAY.value,
        widget=forms.RadioSelect,
    )
    expected_delivery = date_field("Expected delivery", required=False)
    notes = TextField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The rejected PO this one is a copy of ("Copy to a new PO").
    copied_from = TextField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, vendor_choices=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor_id"].choices = [("", "Choose an active vendor")] + list(
            vendor_choices
        )
        if editing:
            # The vendor of a PO is fixed; raise a new PO for another vendor.
            self.fields["vendor_id"].disabled = True
            self.fields["vendor_id"].required = False
            self.fields["version"].required = True


# Each row with its coding selects (accounting.forms): `form_kwargs={"coding": ...}`.
PurchaseOrderLineFormSet = line_formset(coded_line_form(PricedLineForm))


class PurchaseOrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses")]
        + [(s.value, s.value.capitalize()) for s in POStatus],
    )
    vendor = TextField(required=False, widget=forms.HiddenInput)
    mine = forms.BooleanField(label="Raised by me", required=False)
    created_from = date_filter_field("Created from")
    created_to = date_filter_field("Created to")
    cursor = TextField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "The end date is before the start date.")
        return cleaned


class ReasonForm(forms.Form):
    reason = TextField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(ReasonForm):
    reason = TextField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept on the PO's history, e.g. why what is outstanding is no "
        "longer expected.",
    )


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReceiptForm(forms.Form):
    received_on = date_field("Received on")
    note = TextField(
        label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, po, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in po.items:
            outstanding = line.quantity - line.received_quantity
            name = f"line_{line.line_number}"
            self.fields[name] = number_field(
                f"Line {line.line_number}: {line.description}",
                required=False,
                help_text=f"Ordered {line.quantity}, received {line.received_quantity}, "
                f"outstanding {outstanding}.",
            )
            self.fields[name].widget.attrs["placeholder"] = "0"
            self.line_fields.append((line, self[name]))

    def quantities(self) -> dict[int, str]:
        return {
            int(name.removeprefix("line_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("line_") and (value or "").strip()
        }
