"""Exchange rate forms; the rules live in `exchange_rates.rules`."""

from decimal import Decimal

from django import forms

from core import number_format
from core.forms import TextField, date_field, number_field
from core.money import CURRENCY_CHOICES


class ExchangeRateForm(forms.Form):
    currency = forms.ChoiceField(label="Currency", choices=[("", "Choose a currency")])
    valid_from = date_field(
        "Valid from", help_text="Approvals from this day on use it."
    )
    rate = number_field("Rate")
    source = TextField(
        label="Source",
        required=False,
        help_text="Where the rate comes from, e.g. ECB reference rate.",
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )

    def __init__(self, *args, base_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate"].widget.attrs["maxlength"] = 30
        self.fields["currency"].choices += [
            (code, code) for code in CURRENCY_CHOICES if code != base_currency
        ]
        self.fields["rate"].help_text = (
            f"What 1 unit of the currency is worth in {base_currency}, "
            f"e.g. {number_format.to_text(Decimal('3.25'))} for KWD."
        )


class ExchangeRateFilterForm(forms.Form):
    currency = forms.ChoiceField(label="Currency", required=False)
    cursor = TextField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, base_currency: str, **kwargs):
        # On the page beside the entry form, whose field ids it must not take.
        super().__init__(*args, auto_id="id_filter_%s", **kwargs)
        self.fields["currency"].choices = [("", "All currencies")] + [
            (code, code) for code in CURRENCY_CHOICES if code != base_currency
        ]
