"""Form plumbing shared by every app's pages."""

from django import forms
from django.contrib import messages

from core.errors import ApplicationError, ValidationFailed


class PricedLineForm(forms.Form):
    """One line of a PO or an invoice; the rules are in `core.lines`."""

    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 500}),
    )
    quantity = forms.CharField(
        label="Quantity",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit_price = forms.CharField(
        label="Unit price",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


# The browser's date picker shows dates in its own locale (11/28/2026), the
# app prints them as ISO dates: every date field states the one format.
DATE_HINT = "YYYY-MM-DD"


def date_field(
    label: str, *, required: bool = True, help_text: str = ""
) -> forms.DateField:
    """A date entered with the browser's date picker, its format stated below it."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=f"{DATE_HINT}. {help_text}" if help_text else DATE_HINT,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def date_filter_field(label: str) -> forms.DateField:
    """An optional date filtering a list."""
    return date_field(label, required=False)


def line_formset(form_class=PricedLineForm):
    """A formset of lines: rows removable without JavaScript, up to 1,000 posted."""
    return forms.formset_factory(
        form_class, extra=0, can_delete=True, max_num=1000, absolute_max=1000
    )


def flash_refusal(request, error: ApplicationError) -> None:
    """Show a service's refusal as a flash message; a missing record stays a 404."""
    if error.status_code == 404:
        raise error
    messages.error(request, error.message)


def add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: beside each field it names, else on top."""
    field_errors = error.field_errors if isinstance(error, ValidationFailed) else {}
    for field, message in field_errors.items():
        form.add_error(field if field in form.fields else None, message)
    if not field_errors:
        form.add_error(None, error.message)


def formset_lines(formset, fields: tuple[str, ...]) -> tuple[list[dict], list[int]]:
    """
    Return the kept, non-blank lines of a (valid) formset and the formset index
    of each, so a service's "items.N.field" error finds its row again.
    """
    lines, positions = [], []
    for index, form in enumerate(formset.forms):
        data = form.cleaned_data
        if data.get("DELETE") or not any(
            str(data.get(f) or "").strip() for f in fields
        ):
            continue
        lines.append({field: data.get(field) for field in fields})
        positions.append(index)
    return lines, positions


def add_line_errors(
    form, formset, positions: list[int], error: ApplicationError
) -> None:
    """Put "items.N.field" errors beside the line they concern, the rest on the form."""
    field_errors = getattr(error, "field_errors", {}) or {}
    top = []
    for key, message in field_errors.items():
        parts = key.split(".")
        if parts[0] == "items" and len(parts) == 3 and int(parts[1]) < len(positions):
            formset.forms[positions[int(parts[1])]].add_error(parts[2], message)
        elif key in form.fields:
            form.add_error(key, message)
        else:
            top.append(message)
    if top or not field_errors:
        form.add_error(None, " ".join(top) or error.message)
