from django import template

from treasury.display import account_number_shown

register = template.Library()


@register.filter
def company_account_for(value, user):
    """The company account's number as `user` may see it (treasury.display)."""
    return account_number_shown(value, user=user)
