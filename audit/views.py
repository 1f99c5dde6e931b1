"""Audit pages: one record's full history (kept after the record is deleted)."""

from django.shortcuts import render

from accounts.roles import require_reader
from audit.selectors import audit_history
from p2p_site.errors import NotFound

ENTITY_TYPES = {
    "vendor": "Vendor",
    "purchase_order": "Purchase order",
    "invoice": "Invoice",
    "payment_run": "Payment run",
}


def entity_history_view(request, entity_type, entity_id):
    require_reader(request.user)
    if entity_type not in ENTITY_TYPES:
        raise NotFound(f"There is no history for records of type '{entity_type}'.")
    page = audit_history(
        entity_type=entity_type, entity_id=entity_id, cursor=request.GET.get("cursor")
    )
    return render(
        request,
        "audit/entity_history.html",
        {
            "entity_label": ENTITY_TYPES[entity_type],
            "entity_type": entity_type,
            "entity_id": entity_id,
            "page": page,
        },
    )
