"""The e-invoice pages' forms: the upload and the inbox item's actions."""

from django import forms

from core.forms import TextField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple) and data:
            return [
                super(MultipleFileField, self).clean(item, initial) for item in data
            ]
        return [super().clean(data or None, initial)]


class EInvoiceUploadForm(forms.Form):
    files = MultipleFileField(
        label="E-invoice files",
        help_text="UBL or CII XML (Peppol, XRechnung), or Factur-X / ZUGFeRD PDF; "
        "several at once.",
        widget=MultipleFileInput(attrs={"accept": ".xml,.pdf"}),
        error_messages={"required": "Choose one or more e-invoice files to import."},
    )


class IntakeActionForm(forms.Form):
    """An inbox item's action, carrying the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class IntakeAssignPOForm(IntakeActionForm):
    po = forms.ChoiceField(label="Purchase order")

    def __init__(self, *args, po_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["po"].choices = [("", "Choose the PO…"), *po_choices]


class IntakeDiscardForm(IntakeActionForm):
    reason = TextField(
        label="Why is it discarded?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the e-invoice is discarded."},
    )
