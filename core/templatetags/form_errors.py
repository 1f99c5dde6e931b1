from django import template

register = template.Library()


@register.filter
def has_visible_errors(form) -> bool:
    """True if a field the user can see has an error."""
    return any(field.errors for field in form.visible_fields())


@register.filter
def has_hidden_errors(form) -> bool:
    """True if a hidden field (the record's version) is missing or wrong."""
    return any(field.errors for field in form.hidden_fields())
