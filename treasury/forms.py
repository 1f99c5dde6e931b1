"""The company bank account form: the fields as typed; treasury.rules checks them."""

from django import forms

from core.forms import TextField

LABELS = {
    "name": ("Name", "How people tell the account apart, e.g. Operating account EUR."),
    "currency": ("Currency", "ISO 4217: the payments made from this account."),
    "iban": ("IBAN", "Or, for a US account, the account and routing numbers below."),
    "bic": ("BIC", "The bank's BIC (optional for a US account)."),
    "account_number": ("US account number", None),
    "routing_number": ("ABA routing number", None),
    "street": ("Street", None),
    "building_number": ("Building number", None),
    "address_line2": ("Address line 2", "Only what has no field of its own."),
    "postcode": ("Postcode", None),
    "town": ("Town", "Required: the payment file names the payer's town."),
    "country": ("Country", "Two letters (ISO 3166), e.g. DE or US."),
}


class BankAccountForm(forms.Form):
    name = TextField(required=False)
    currency = TextField(required=False, max_length=3)
    iban = TextField(required=False, max_length=50)
    bic = TextField(required=False, max_length=11)
    account_number = TextField(required=False, max_length=17)
    routing_number = TextField(required=False, max_length=9)
    street = TextField(required=False, max_length=70)
    building_number = TextField(required=False, max_length=16)
    address_line2 = TextField(required=False, max_length=70)
    postcode = TextField(required=False, max_length=16)
    town = TextField(required=False, max_length=35)
    country = TextField(required=False, max_length=2)
    active = forms.BooleanField(
        label="Active: payment runs pay this currency from it", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in LABELS.items():
            self.fields[name].label = label
            self.fields[name].help_text = help_text or ""

    def service_fields(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version"
        }


class ConfirmForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
