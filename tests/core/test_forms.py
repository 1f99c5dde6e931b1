"""Form plumbing shared by every app: dates state their one format."""

import inspect

import pytest
from django import forms

import accounts.forms
import audit.forms
import invoicing.forms
import payments.forms
import purchasing.forms
import vendors.forms

FORM_MODULES = [
    accounts.forms,
    audit.forms,
    invoicing.forms,
    payments.forms,
    purchasing.forms,
    vendors.forms,
]


def date_fields():
    """(form, field name, field) for every date field of the app's forms."""
    for module in FORM_MODULES:
        for name, form_class in inspect.getmembers(module, inspect.isclass):
            if form_class.__module__ != module.__name__ or not hasattr(
                form_class, "base_fields"
            ):
                continue
            for field_name, field in form_class.base_fields.items():
                if isinstance(field, forms.DateField):
                    yield f"{name}.{field_name}", field


DATE_FIELDS = dict(date_fields())


def test_the_app_has_date_fields_to_check():
    assert {"ProposalForm.payment_date", "AuditFilterForm.date_from"} <= set(
        DATE_FIELDS
    )


@pytest.mark.parametrize("name", sorted(DATE_FIELDS))
def test_every_date_field_states_the_iso_format_the_app_prints(name):
    field = DATE_FIELDS[name]
    assert field.help_text.startswith("YYYY-MM-DD")
    assert field.widget.input_type == "date"
