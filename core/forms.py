"""Form plumbing shared by every app's pages."""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy

from core import number_format
from core.errors import ApplicationError, ValidationFailed
from core.lines import MAX_LINES
from core.money import MoneyError
from core.text import text_problem


def validate_text(value: str) -> None:
    """Refuse text no record may hold (core.text), beside the field."""
    if problem := text_problem(value):
        raise ValidationError(problem, code="invalid_text")


class TextField(forms.CharField):
    """A CharField refusing what `core.text` refuses: every form's text field."""

    default_validators = [validate_text]


class NumberInput(forms.TextInput):
    """A number typed as text; without a placeholder of its own it shows the format."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Read at each render: the active format is the user's.
        context["widget"]["attrs"].setdefault(
            "placeholder", number_format.active().example
        )
        return context


class _Typed(str):
    """Text as the user typed it, shown back unchanged (see NumberField)."""


# An amount or quantity as the code holds it, e.g. in a form's initial data.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class NumberField(TextField):
    """
    A number typed in the user's number format (`core.number_format`),
    cleaned to the plain `1234.56` that `core.money.parse_decimal` reads in
    the service; text in no format is refused here, naming the expected one.

    Initial values (Decimals, or plain text such as "0.00") are shown in the
    user's format, typed text exactly as typed: "1.500" means 1500 to a
    `1.234,56` user, so a quantity of 1.5 is prefilled as "1,5".
    Not stripped here: CharField would strip a no-break space too, which
    parse_decimal refuses (only ASCII spaces pad a number).
    """

    widget = NumberInput

    def __init__(self, **options):
        super().__init__(strip=False, **options)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return number_format.to_plain(text)
        except MoneyError as exc:
            raise ValidationError(str(exc), code="number_format") from None

    def bound_data(self, data, initial):
        return _Typed(data) if isinstance(data, str) else data

    def prepare_value(self, value):
        if isinstance(value, _Typed) or isinstance(value, bool):
            return str(value)
        if isinstance(value, Decimal | int):
            return number_format.to_text(value)
        if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value):
            return number_format.to_text(Decimal(value))
        return value


def _with_format(help_text: str):
    """The help text, then the active number format (read when shown)."""
    return format_lazy(
        "{} Numbers as {}.",
        help_text,
        lazy(lambda: number_format.active().example, str)(),
    )


def number_field(label: str, *, help_text: str = "", **options) -> NumberField:
    """A number typed as text in the user's number format; see NumberField."""
    if help_text:
        options["help_text"] = _with_format(help_text)
    return NumberField(label=label, **options)


class PricedLineForm(forms.Form):
    """One line of a PO or an invoice; the rules are in `core.lines`."""

    description = TextField(
        label="Description",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 500}),
    )
    quantity = number_field("Quantity", required=False)
    unit_price = number_field("Unit price", required=False)


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


class LineFormSet(forms.BaseFormSet):
    """
    Lines as posted, refused whole when the management form announces more
    than `absolute_max`: Django would still build `absolute_max` forms before
    saying so, here none is built.
    """

    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": "At most %(num)d lines can be sent at once.",
    }

    def _too_many_announced(self) -> bool:
        management = self.management_form
        return management.is_valid() and (
            management.cleaned_data[forms.formsets.TOTAL_FORM_COUNT] > self.absolute_max
        )

    def total_form_count(self):
        if self.is_bound and self._too_many_announced():
            return 0
        return super().total_form_count()


def line_formset(form_class=PricedLineForm):
    """A formset of lines: rows removable without JavaScript, up to MAX_LINES."""
    return forms.formset_factory(
        form_class,
        formset=LineFormSet,
        extra=0,
        can_delete=True,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
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
