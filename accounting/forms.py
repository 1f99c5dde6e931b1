"""
The coding selects of a document's line rows (tax code, GL account, cost
centre): the PO form's and the invoice forms' lines share them.

The choices are read once per page (`accounting.coding.code_book`) and
handed to every row through the formset's `form_kwargs`; a row's blank
choice says where the code then comes from (the vendor's default, the PO
line), since the service fills it from there.
"""

from django import forms

from accounting.coding import LABELS, CodeBook, code_book, line_coding
from core.forms import formset_lines
from core.lines import CODE_FIELDS


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
