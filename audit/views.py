"""Audit pages: the trail browser and one record's full history (kept after the record is deleted)."""

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render

from accounts.roles import Role, require_reader, require_role
from audit.forms import AuditFilterForm
from audit.registry import record_kinds
from audit.selectors import (
    audit_entry_export,
    audit_entry_list,
    audit_history,
    audit_history_export,
)
from core import exports
from core.errors import ApplicationError, NotFound
from core.forms import add_service_errors
from core.htmx import render_partial
from core.paging import page_links


def audit_browser_view(request):
    """Every entry, filtered by record, user, action and dates (Auditor)."""
    require_role(request.user, Role.AUDITOR, action="browse the audit trail")
    form = AuditFilterForm(request.GET or None)
    page, status = None, 200
    if not request.GET or form.is_valid():
        filters = form.cleaned_data if request.GET else {}
        try:
            page = audit_entry_list(
                user=request.user,
                **_browser_selection(filters),
                cursor=filters.get("cursor") or None,
                limit=settings.PAGE_SIZE,
            )
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            add_service_errors(form, exc)
            status = 400
    else:
        status = 400
    return render_partial(
        request,
        "audit/audit_browser.html",
        {
            "form": form,
            "page": page,
            **page_links(request, page),
            "filtered": any(v for k, v in request.GET.items() if k != "cursor"),
            "export_links": exports.export_links("audit:browser-export", request.GET),
        },
        partial="audit/_audit_browser.html",
        status=status,
    )


def _browser_selection(filters: dict) -> dict:
    """The audit_entry_list filters the browser's cleaned form asks for."""
    return {
        "entity_type": filters.get("entity_type") or None,
        "entity_id": (filters.get("entity_id") or "").strip() or None,
        "user_id": (filters.get("user_id") or "").strip() or None,
        "action": filters.get("action") or None,
        "date_from": filters.get("date_from"),
        "date_to": filters.get("date_to"),
    }


def audit_browser_export_view(request, fmt):
    require_role(request.user, Role.AUDITOR, action="export the audit trail")
    form = AuditFilterForm(request.GET or None)
    exports.check_filters(form)
    filters = form.cleaned_data if form.is_bound else {}
    export = audit_entry_export(user=request.user, **_browser_selection(filters))
    return exports.export_response(export, fmt=fmt)


def _check_entity_type(entity_type: str) -> None:
    if entity_type not in record_kinds():
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
            "entity_label": record_kinds()[entity_type],
            "entity_type": entity_type,
            "entity_id": entity_id,
            # Named as its newest entry names it, on every page.
            "record": _newest(page, entity_type, entity_id, request.GET.get("cursor")),
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


def _newest(page, entity_type: str, entity_id: str, cursor: str | None):
    """The record's newest entry: this page's first, or read when paging on."""
    if not cursor:
        return page.items[0] if page.items else None
    newest = audit_history(entity_type=entity_type, entity_id=entity_id, limit=1)
    return newest.items[0] if newest.items else None
