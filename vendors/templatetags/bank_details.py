from django import template

from vendors.bank_details import account_shown

register = template.Library()


@register.filter
def account_for(value, user):
    """The account number as `user` may see it (vendors.bank_details)."""
    return account_shown(value, user=user)
