"""The run page's lookups of what an approver should see beside a payment."""

from django import template

register = template.Library()


@register.filter
def flag_for(flags: dict, payment):
    """The IbanSharing (vendors.bank_details) of `payment`, None when it has none."""
    return (flags or {}).get(payment.id)
