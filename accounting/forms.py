"""
The accounting app's forms: the Admin's code form (its rules live in
`accounting.rules`), and the coding selects of a document's line rows (tax
code, GL account, cost centre) that the PO form's and the invoice forms'
lines share.

The line rows' choices are read once per page (`accounting.coding.code_book`)
and handed to every row through the formset's `form_kwargs`; a row's blank
choice says where the code then comes from (the vendor's default, the PO
line), since the service fills it from there.
"""

from django import forms

from accounting.coding import LABELS, CodeBook, code_book, line_coding
from accounting.models import VAT_CATEGORY_LABELS, VatCategory
from accounting.rules import MAX_CODE_LENGTH, MAX_NAME_LENGTH
from core.forms import TextField, formset_lines, number_field
from core.lines import CODE_FIELDS


class CodeForm(forms.Form):
    """A new code (all fields) or an edit (the code, a tax code's rate and category fixed)."""

    code = TextField(
        label="Code",
        required=False,
        help_text="Letters, digits, dots, dashes and underscores; stored upper-case.",
        widget=forms.TextInput(attrs={"maxlength": MAX_CODE_LENGTH, "required": True}),
    )
    name = TextField(
        label="Name",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_NAME_LENGTH, "required": True}),
    )
    rate = number_field("Rate (%)", required=False, help_text="E.g. 19 or 8.875.")
    category = forms.ChoiceField(
        label="VAT category",
        required=False,
        choices=[("", "Choose a category")]
        + [(c.value, f"{c.value} — {VAT_CATEGORY_LABELS[c]}") for c in VatCategory],
    )
    gl_account = forms.ChoiceField(
        label="Input VAT account", required=False,
        help_text="Where the recoverable tax posts; none when nothing is recoverable.",
    )  # fmt: skip
    reverse_charge_account = forms.ChoiceField(
        label="Reverse-charge account", required=False,
        help_text="Reverse charge and intra-community codes: the output VAT you owe.",
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TAX_ONLY = ("rate", "category", "gl_account", "reverse_charge_account")

    def __init__(self, *args, kind: str, editing: bool, accounts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if kind != "tax_code":
            for field in self.TAX_ONLY:
                del self.fields[field]
        else:
            choices = [("", "None")] + [(a.code, a.label) for a in accounts]
            self.fields["gl_account"].choices = choices
            self.fields["reverse_charge_account"].choices = choices
        if editing:
            self.fields["version"].required = True
            fixed = ("code", "rate", "category") if kind == "tax_code" else ("code",)
            for field in fixed:
                self.fields[field].disabled = True
            if kind == "tax_code":
                self.fields["rate"].help_text = (
                    "Fixed once created: for another rate, create a new code "
                    "and deactivate this one."
                )

    def service_fields(self) -> dict:
        """The fields the service gets: what the form lets the user change."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and not self.fields[name].disabled
        }


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CodeImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma or semicolon separated, with the header row "
        "code,name and optionally active.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class CodeImportConfirmForm(forms.Form):
    # The SHA-256 of the file previewed: the import runs only on that file.
    digest = TextField(widget=forms.HiddenInput, max_length=64)


def coded_line_form(base: type[forms.Form]) -> type[forms.Form]:
    """`base` (a priced line form) with the three coding selects."""

    class CodedLineForm(base):
        def __init__(self, *args, coding: dict | None = None, **kwargs):
            super().__init__(*args, **kwargs)
            coding = coding or {}
            blank = coding.get("blank", "None")
            for name in CODE_FIELDS:
                self.fields[name] = forms.ChoiceField(
                    label=LABELS[name],
                    required=False,
                    choices=[("", blank)] + list(coding.get(name, [])),
                )

    CodedLineForm.__name__ = f"Coded{base.__name__}"
    return CodedLineForm


def coding_choices(*, blank: str, lines=(), book: CodeBook | None = None) -> dict:
    """
    The line rows' `form_kwargs["coding"]`: each select's active codes, with
    those `lines` (a document being edited) have already, and the blank
    choice's label.
    """
    book = book or code_book()
    kept = [line_coding(line) for line in lines]
    return {
        "blank": blank,
        **{
            name: book.choices(name, keep=[codes[name] for codes in kept])
            for name in CODE_FIELDS
        },
    }


def coding_initial(line) -> dict:
    """A stored line's (or a defaults mapping's) codes as a row's initial values."""
    return {name: code or "" for name, code in line_coding(line).items()}


def formset_coded_lines(
    formset, fields: tuple[str, ...]
) -> tuple[list[dict], list[int]]:
    """
    `core.forms.formset_lines` with each kept line's codes: a row whose
    codes alone are filled (preselected defaults) is still a blank row.
    """
    lines, positions = formset_lines(formset, fields)
    for line, position in zip(lines, positions, strict=True):
        data = formset.forms[position].cleaned_data
        for name in CODE_FIELDS:
            if name in data:
                line[name] = data.get(name) or None
    return lines, positions
