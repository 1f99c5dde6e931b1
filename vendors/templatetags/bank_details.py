from django import template

from vendors.bank_details import mask_account

register = template.Library()


@register.filter
def masked(value):
    """An account number with all but its last four characters hidden."""
    return mask_account(value)
