"""Forms of the payment run pages."""

from django import forms

from core.forms import TextField, date_field
from core.money import CURRENCY_CHOICES
from payments.models import PaymentRunStatus


class ProposalForm(forms.Form):
    payment_date = date_field("Payment date")
    currency = forms.ChoiceField(
        label="Currency",
        required=False,
        choices=[("", "All currencies")] + [(c, c) for c in CURRENCY_CHOICES],
    )


class BuildForm(ProposalForm):
    invoice_ids = forms.MultipleChoiceField(required=False)
    idempotency_key = TextField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, invoice_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice_ids"].choices = [(i, i) for i in invoice_choices]


class RunFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status")]
        + [(s.value, s.value.capitalize()) for s in PaymentRunStatus],
    )
    cursor = TextField(required=False, widget=forms.HiddenInput)


class RunDecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RunCancelForm(RunDecisionForm):
    reason = TextField(
        label="Reason for cancelling", widget=forms.Textarea(attrs={"rows": 2})
    )


class RunReturnForm(RunDecisionForm):
    reason = TextField(
        label="Why it goes back to its builder",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BankStatementUploadForm(forms.Form):
    file = forms.FileField(
        label="Bank file",
        help_text="A pain.002 status report, camt.054 notification or camt.053 "
        "statement (ISO 20022 XML) from the bank.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml"}),
    )
