"""How the audit tables show their values."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from audit.anchoring import AnchorState, record_anchor
from audit.changes import entries_changes

register = template.Library()


@register.filter
def wrap_at_underscores(value) -> str:
    """
    Let CONFIRM_BANK_DETAILS wrap after an underscore in a narrow column
    (`<wbr>`: copying the text still gives the action's name).
    """
    return mark_safe("_<wbr>".join(escape(part) for part in str(value).split("_")))


@register.simple_tag
def entries_with_changes(entries):
    """
    Each entry with its changes as a person reads them (audit.changes): the
    records they refer to are read once for the whole list.
    """
    return entries_changes(entries)


@register.inclusion_tag("audit/_anchor.html")
def history_anchor(entry):
    """Whether the history of `entry`'s record is anchored by a signed digest."""
    return {
        "anchor": record_anchor(
            entity_type=entry.entity_type, entity_id=entry.entity_id
        ),
        "states": AnchorState,
    }
