"""
Vendor forms. They only shape browser input; the rules (lengths, e-mail,
IBAN, ...) live in `vendors.validation` so the API and pages enforce the same.
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from accounting.selectors import accounting_code_list
from core.addresses import (
    ADDRESS_FIELDS,
    ADDRESS_LABELS,
    ADDRESS_MAX_LENGTHS,
    country_choices,
)
from core.forms import TextField, date_field
from core.money import CURRENCY_CHOICES
from vendors.models import VENDOR_TRANSITIONS, VendorStatus
from vendors.tax_identity import MAX_VAT_ID_LENGTH
from vendors.validation import BANK_FIELDS, CODING_FIELDS, MAX_LENGTHS


def _text(label, *, required=False, help_text="", textarea=False, **attrs):
    """A text field; `required` only marks the input, the service decides."""
    if required:
        attrs["required"] = True
    widget = (
        forms.Textarea(attrs={"rows": 3, **attrs})
        if textarea
        else forms.TextInput(attrs)
    )
    return TextField(label=label, required=False, help_text=help_text, widget=widget)


class VendorForm(forms.Form):
    name = _text("Name", required=True, maxlength=MAX_LENGTHS["name"], autofocus=True)
    email = TextField(
        label="E-mail", required=False,
        widget=forms.EmailInput(attrs={"required": True, "maxlength": MAX_LENGTHS["email"]}),
    )  # fmt: skip
    phone = _text("Phone", maxlength=MAX_LENGTHS["phone"])
    address = _text(
        "Address", textarea=True, maxlength=MAX_LENGTHS["address"],
        help_text="As one text, for letters; payment files use the parts below.",
    )  # fmt: skip
    street = _text(ADDRESS_LABELS["street"], maxlength=ADDRESS_MAX_LENGTHS["street"])
    building_number = _text(
        ADDRESS_LABELS["building_number"],
        maxlength=ADDRESS_MAX_LENGTHS["building_number"],
    )
    address_line2 = _text(
        ADDRESS_LABELS["address_line2"], maxlength=ADDRESS_MAX_LENGTHS["address_line2"],
        help_text="Building, floor or c/o, when needed.",
    )  # fmt: skip
    postcode = _text(
        ADDRESS_LABELS["postcode"], maxlength=ADDRESS_MAX_LENGTHS["postcode"]
    )
    town = _text(ADDRESS_LABELS["town"], maxlength=ADDRESS_MAX_LENGTHS["town"])
    country = forms.ChoiceField(
        label=ADDRESS_LABELS["country"], required=False,
        help_text="Needed with the town: payments outside the EEA and in other "
        "currencies than EUR name both.",
    )  # fmt: skip
    remittance_advice = forms.BooleanField(
        label="Send remittance advice e-mails", required=False, initial=True,
        help_text="One e-mail per payment when a payment run is exported: amount, "
        "date and the invoices settled.",
    )  # fmt: skip
    tax_id = _text(
        "Tax id", maxlength=MAX_LENGTHS["tax_id"], help_text="VAT number or EIN."
    )
    payment_terms = _text(
        "Payment terms", required=True, maxlength=MAX_LENGTHS["payment_terms"],
        help_text="Net 30, Due on receipt, 2/10 Net 30 or EOM 30.", list="payment-terms",
    )  # fmt: skip
    status = forms.ChoiceField(label="Status", choices=[])
    currency = forms.ChoiceField(
        label="Currency", choices=[(c, c) for c in CURRENCY_CHOICES],
        help_text="POs, invoices and payments for this vendor use it by default.",
    )  # fmt: skip
    iban = _text(
        "IBAN", help_text="For SEPA and international transfers.", autocomplete="off"
    )
    bic = _text("BIC", help_text="8 or 11 characters, when known.", autocomplete="off")
    account_number = _text("US account number", autocomplete="off")
    routing_number = _text(
        "ABA routing number", help_text="9 digits.", autocomplete="off"
    )
    payment_hold = forms.BooleanField(
        label="Hold payments to this vendor", required=False
    )
    payment_hold_reason = _text(
        "Reason for the hold", maxlength=MAX_LENGTHS["payment_hold_reason"]
    )
    payment_hold_until = date_field(
        "Hold until", required=False, help_text="Leave empty to hold until released."
    )
    vat_id = _text(
        "VAT id", maxlength=MAX_VAT_ID_LENGTH, autocomplete="off",
        help_text="With its country prefix, e.g. DE136695976 or ATU13585627.",
    )  # fmt: skip
    tax_country = _text(
        "Tax country", maxlength=2,
        help_text="Two letters (ISO 3166), e.g. AT. Empty: the VAT id's country.",
    )  # fmt: skip
    default_tax_code = forms.ChoiceField(label="Default tax code", required=False)
    default_gl_account = forms.ChoiceField(label="Default GL account", required=False)
    default_cost_centre = forms.ChoiceField(label="Default cost centre", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    bank_fields = BANK_FIELDS
    address_fields = ADDRESS_FIELDS
    coding_fields = tuple(CODING_FIELDS)
    hold_fields = ("payment_hold", "payment_hold_reason", "payment_hold_until")

    def __init__(
        self,
        *args,
        current_status: str | None = None,
        vendor_id: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # Vendors with a similar name are named under the field as it is
        # left (htmx); the save says so too, for a browser without scripts.
        similar = reverse("vendors:similar-names")
        if vendor_id:
            similar += "?" + urlencode({"vendor": vendor_id})
        self.fields["name"].widget.attrs.update(
            {
                "hx-get": similar,
                "hx-trigger": "change",
                "hx-target": "#similar-names",
                "hx-swap": "innerHTML",
            }
        )
        if current_status is None:
            allowed = [VendorStatus.PENDING, VendorStatus.ACTIVE]
        else:
            # An edit must say which version it was made on, or it could
            # overwrite a change its author never saw.
            self.fields["version"].required = True
            current = VendorStatus(current_status)
            allowed = [current, *sorted(VENDOR_TRANSITIONS[current])]
        self.fields["status"].choices = [
            (s.value, s.value.capitalize()) for s in allowed
        ]
        self.fields["country"].choices = [("", "—"), *country_choices()]
        for field, (kind, _) in CODING_FIELDS.items():
            codes = accounting_code_list(kind=kind, active_only=True)
            choices = [("", "None")] + [(code.code, code.label) for code in codes]
            # The vendor's current default stays choosable once deactivated.
            current = self.initial.get(field)
            if current and current not in {code.code for code in codes}:
                choices.append((current, f"{current} (inactive)"))
            self.fields[field].choices = choices

    def service_fields(self) -> dict:
        """The submitted values for the service, without the form's own fields."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


# The list's bank-detail filter: every vendor awaiting a second user's
# confirmation, or those the reader may confirm (changed by someone else).
BANK_DETAILS_AWAITING = "awaiting"
BANK_DETAILS_AWAITING_ME = "awaiting_me"


class VendorFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[("", "All statuses")] + [(s.value, s.value.capitalize()) for s in VendorStatus],
    )  # fmt: skip
    q = TextField(label="Name starts with", required=False, max_length=200)
    bank_details = forms.ChoiceField(
        label="Bank details", required=False,
        choices=[
            ("", "Any"),
            (BANK_DETAILS_AWAITING, "Bank details awaiting confirmation"),
            (BANK_DETAILS_AWAITING_ME, "Awaiting my confirmation"),
        ],
    )  # fmt: skip
    cursor = TextField(required=False, widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VendorImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma or semicolon separated, with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class VendorImportConfirmForm(forms.Form):
    # The SHA-256 of the file previewed: the import runs only on that file.
    digest = TextField(widget=forms.HiddenInput, max_length=64)
