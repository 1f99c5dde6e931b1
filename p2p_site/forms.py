"""Form plumbing shared by every app's pages."""

from django import forms

from p2p_site.errors import ApplicationError, ValidationFailed


def add_service_errors(form: forms.Form, error: ApplicationError) -> None:
    """Show a service's refusal on the form: beside each field it names, else on top."""
    field_errors = error.field_errors if isinstance(error, ValidationFailed) else {}
    for field, message in field_errors.items():
        form.add_error(field if field in form.fields else None, message)
    if not field_errors:
        form.add_error(None, error.message)
