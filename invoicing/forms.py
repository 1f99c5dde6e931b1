"""Invoice forms: they shape browser input; the rules live in the services."""

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
from core.lines import MAX_LINES
from invoicing.models import DocumentType, InvoiceStatus


class InvoiceForm(forms.Form):
    invoice_number = TextField(
        label="Invoice number",
        required=False,
        help_text="As printed on the vendor's invoice.",
        widget=forms.TextInput(
            attrs={"maxlength": 50, "required": True, "autofocus": True}
        ),
    )
    invoice_date = date_field("Invoice date")
    tax_amount = number_field(
        "Tax",
        required=False,
        initial="0.00",
        help_text="The tax printed on the invoice; with printed tax per tax code "
        "below, their sum.",
    )
    total_amount = number_field(
        "Invoice total",
        required=False,
        help_text="Optional: the total printed on the invoice, checked against lines + tax.",
    )
    attachment = forms.FileField(
        label="Vendor's invoice (PDF, PNG or JPEG, at most 10 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PrintedTaxForm(forms.Form):
    """One tax code's tax as printed on the vendor's document."""

    tax_code = TextField(
        label="Tax code",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 20, "size": 8}),
    )
    amount = number_field("Printed tax", required=False)


# A document names a handful of tax codes; blank rows are ignored.
PrintedTaxFormSet = forms.formset_factory(
    PrintedTaxForm, extra=2, max_num=20, absolute_max=20
)
PRINTED_TAX_PREFIX = "printed_tax"


def printed_tax_formset(data=None, *, initial=()) -> "PrintedTaxFormSet | None":
    """
    The "Printed tax" rows of an invoice form; None for a POST without them
    (an older page, a script), which then enters the single Tax field only.
    """
    if data is None:
        return PrintedTaxFormSet(prefix=PRINTED_TAX_PREFIX, initial=list(initial))
    if f"{PRINTED_TAX_PREFIX}-TOTAL_FORMS" not in data:
        return None
    return PrintedTaxFormSet(data, prefix=PRINTED_TAX_PREFIX)


def printed_tax_rows(formset) -> tuple[list[dict] | None, list[int]]:
    """The rows giving an amount, as the services take them, and their forms."""
    if formset is None:
        return None, []
    rows, positions = [], []
    for position, row in enumerate(formset.forms):
        data = row.cleaned_data
        if data.get("amount") in (None, ""):
            continue
        rows.append({"tax_code": data.get("tax_code"), "amount": data["amount"]})
        positions.append(position)
    return rows or None, positions


def printed_tax_errors(formset, positions: list[int], error) -> None:
    """Put "printed_tax.N.field" errors beside the row they concern."""
    if formset is None:
        return
    for key, message in (getattr(error, "field_errors", {}) or {}).items():
        parts = key.split(".")
        if parts[0] == PRINTED_TAX_PREFIX and len(parts) == 3:
            index = int(parts[1])
            if index < len(positions):
                formset.forms[positions[index]].add_error(parts[2], message)


def tax_fields(form) -> dict:
    """
    The tax an invoice form enters: the printed tax per code when given
    (the Tax field then follows from it), else the single Tax field.
    """
    printed = form.cleaned_data.get("printed_tax")
    if printed:
        return {"tax_amount": None, "printed_tax": printed}
    return {"tax_amount": form.cleaned_data["tax_amount"] or "0", "printed_tax": None}


class InvoiceLineForm(PricedLineForm):
    po_line_number = forms.IntegerField(widget=forms.HiddenInput, required=False)


# Each row with its coding selects (accounting.forms): `form_kwargs={"coding": ...}`.
InvoiceLineFormSet = line_formset(coded_line_form(InvoiceLineForm))


class RecodeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RecodeLineForm(forms.Form):
    """One line of "Recode lines": its number, and (coded_line_form) its selects."""

    line_number = forms.IntegerField(widget=forms.HiddenInput)


RecodeLineFormSet = forms.formset_factory(
    coded_line_form(RecodeLineForm), extra=0, max_num=MAX_LINES, absolute_max=MAX_LINES
)


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses")]
        + [(s.value, s.value.capitalize()) for s in InvoiceStatus],
    )
    vendor = forms.ChoiceField(label="Vendor", required=False, choices=[])
    submitted_from = date_filter_field("Entered from")
    submitted_to = date_filter_field("Entered to")
    held = forms.BooleanField(label="On hold only", required=False)
    awaiting = forms.ChoiceField(
        label="Approval",
        required=False,
        choices=[("", "Any"), ("me", "Awaiting my approval")],
    )
    document_type = forms.ChoiceField(
        label="Document",
        required=False,
        choices=[
            ("", "Invoices and credit notes"),
            (DocumentType.INVOICE.value, "Invoices"),
            (DocumentType.CREDIT_NOTE.value, "Credit notes"),
        ],
    )
    po = TextField(required=False, widget=forms.HiddenInput)
    cursor = TextField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, vendor_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "All vendors")] + list(vendor_choices)


class POSearchForm(forms.Form):
    q = TextField(
        label="PO number", max_length=40, required=False,
        widget=forms.TextInput(attrs={"placeholder": "PO-2026-000123", "autofocus": True}),
    )  # fmt: skip


class POVendorForm(forms.Form):
    vendor = forms.ChoiceField(label="Vendor", required=False, choices=[])
    cursor = TextField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, vendor_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "Choose a vendor")] + list(vendor_choices)


class HoldForm(forms.Form):
    """Put on hold: the reason is checked by the service (core.text.clean_reason)."""

    reason = TextField(
        label="Why is it on hold?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000, "required": True}),
    )
    until = date_field(
        "Hold until", required=False, help_text="Leave empty to hold until released."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReleaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VoidForm(forms.Form):
    reason = TextField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentTypeForm(forms.Form):
    """A new document's kind: an invoice, or a credit note and what it credits."""

    document_type = forms.ChoiceField(
        label="Document",
        choices=[
            (DocumentType.INVOICE.value, "Invoice"),
            (DocumentType.CREDIT_NOTE.value, "Credit note"),
        ],
        initial=DocumentType.INVOICE.value,
        required=False,  # none sent (older pages, scripts): an invoice
        widget=forms.RadioSelect,
    )
    credited_invoice = forms.ChoiceField(
        label="Credits invoice",
        required=False,
        choices=[],
        help_text="For a credit note: the invoice it corrects (returned goods, a "
        "price credit); none for a goodwill credit or a rebate.",
    )

    def __init__(self, *args, invoice_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credited_invoice"].choices = [
            ("", "None (a standalone credit)")
        ] + list(invoice_choices)

    @property
    def is_credit_note(self) -> bool:
        return self.is_valid() and (
            self.cleaned_data["document_type"] == DocumentType.CREDIT_NOTE
        )


class AcceptVarianceForm(forms.Form):
    """Accept a variance: the reason is checked by the service (invoicing.variances)."""

    reason = TextField(
        label="Why is the variance accepted?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000, "required": True}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


ANY_APPROVER = ""


class SendToApprovalForm(forms.Form):
    """Send a rejected invoice to approval: to one approver, or to any."""

    approver = forms.ChoiceField(label="Approver", required=False, choices=[])
    note = TextField(
        label="Note for the approver",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000, "required": True}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, approvers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approver"].choices = [
            (ANY_APPROVER, "Any approver whose limit covers it")
        ] + [(user.get_username(), user.get_username()) for user in approvers]
