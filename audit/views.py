"""Audit pages: one record's full history (kept after the record is deleted)."""

from django.http import QueryDict
from django.shortcuts import render

from accounts.roles import require_reader
from audit.selectors import audit_history, audit_history_export
from p2p_site import exports
from p2p_site.errors import NotFound

ENTITY_TYPES = {
    "vendor": "Vendor",
    "purchase_order": "Purchase order",
    "invoice": "Invoice",
    "payment_run": "Payment run",
}


def _check_entity_type(entity_type: str) -> None:
    if entity_type not in ENTITY_TYPES:
        raise NotFound(f"There is no history for records of type '{entity_type}'.")


def entity_history_view(request, entity_type, entity_id):
    require_reader(request.user)
    _check_entity_type(entity_type)
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
            "export_links": exports.export_links(
                "audit:entity-history-export",
                QueryDict(),
                entity_type=entity_type,
                entity_id=entity_id,
            ),
        },
    )


def entity_history_export_view(request, entity_type, entity_id, fmt):
    require_reader(request.user)
    _check_entity_type(entity_type)
    export = audit_history_export(entity_type=entity_type, entity_id=entity_id)
    return exports.export_response(export, fmt=fmt)
