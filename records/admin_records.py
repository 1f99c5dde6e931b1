"""
The admin's read-only pages of the business records kept in DynamoDB.

Vendors, POs, invoices, payment runs and audit entries are no ORM models, so
they get no ModelAdmin: `P2PAdminSite` adds these pages to its URLs and lists
them on its index, for the superuser only. Every page reads through the apps'
selectors (index queries paged by cursor, never a scan) and none writes:
changes go through the app's pages, where services validate and audit them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.views.decorators.http import require_safe

from audit.forms import AuditFilterForm
from audit.selectors import audit_entry_get, audit_entry_list, audit_history
from core.errors import ApplicationError, NotFound, PermissionDenied
from invoicing.selectors import invoice_get, invoice_list
from payments.selectors import payment_run_get, payment_run_list
from purchasing.selectors import purchase_order_get, purchase_order_list
from records.forms import (
    InvoiceRecordFilter,
    PaymentRunRecordFilter,
    PurchaseOrderRecordFilter,
    VendorRecordFilter,
)
from vendors.selectors import vendor_get, vendor_list

SECTION_NAME = "Business records (DynamoDB)"
READ_ONLY_NOTE = (
    "Read-only: changes go through the app so they are validated and audited."
)
HISTORY_SHOWN = 10


@dataclass(frozen=True)
class RecordKind:
    """One kind of record the admin shows, and how to read and link it."""

    slug: str  # in the URL, /admin/records/<slug>/, and in template names
    name: str  # plural, as listed: "Purchase orders"
    filter_form: type[forms.Form]  # its fields are the list selector's arguments
    sidebar_filter: str  # the choice field offered as the admin's filter links
    list_page: Callable  # (user, *, cursor, limit, **filters) -> dynamo.Page
    get: Callable  # (user, record_id) -> record | None
    title: Callable  # record -> how pages name it
    app_url: Callable  # record -> the app page where it is acted on
    audit_type: str | None  # its entries' entity type, when it has a history

    @property
    def list_template(self) -> str:
        return f"admin/records/{self.slug}/list.html"

    @property
    def detail_template(self) -> str:
        return f"admin/records/{self.slug}/detail.html"


def _app_url(name: str) -> Callable:
    return lambda record: reverse(name, args=[record.id])


KINDS = {
    kind.slug: kind
    for kind in (
        RecordKind(
            slug="vendors",
            name="Vendors",
            filter_form=VendorRecordFilter,
            sidebar_filter="status",
            list_page=lambda user, **query: vendor_list(**query),
            get=lambda user, record_id: vendor_get(vendor_id=record_id),
            title=lambda vendor: vendor.name,
            app_url=_app_url("vendors:detail"),
            audit_type="vendor",
        ),
        RecordKind(
            slug="purchase-orders",
            name="Purchase orders",
            filter_form=PurchaseOrderRecordFilter,
            sidebar_filter="status",
            list_page=lambda user, **query: purchase_order_list(**query),
            get=lambda user, record_id: purchase_order_get(po_id=record_id),
            title=lambda po: po.po_number,
            app_url=_app_url("purchasing:detail"),
            audit_type="purchase_order",
        ),
        RecordKind(
            slug="invoices",
            name="Invoices",
            filter_form=InvoiceRecordFilter,
            sidebar_filter="status",
            list_page=lambda user, **query: invoice_list(**query),
            get=lambda user, record_id: invoice_get(invoice_id=record_id),
            title=lambda invoice: f"{invoice.invoice_number} of {invoice.vendor_name}",
            app_url=_app_url("invoicing:detail"),
            audit_type="invoice",
        ),
        RecordKind(
            slug="payment-runs",
            name="Payment runs",
            filter_form=PaymentRunRecordFilter,
            sidebar_filter="status",
            list_page=lambda user, **query: payment_run_list(**query),
            get=lambda user, record_id: payment_run_get(run_id=record_id),
            title=lambda run: f"Payment run {run.number}",
            app_url=_app_url("payments:detail"),
            audit_type="payment_run",
        ),
        RecordKind(
            slug="audit-entries",
            name="Audit entries",
            filter_form=AuditFilterForm,
            sidebar_filter="entity_type",
            list_page=lambda user, **query: audit_entry_list(user=user, **query),
            get=lambda user, record_id: audit_entry_get(user=user, entry_id=record_id),
            title=lambda entry: f"{entry.action} of {entry.record_kind.lower()} {entry.record_label}",
            # An entry is acted on nowhere; its record's history is where it belongs.
            app_url=lambda entry: reverse(
                "audit:entity-history", args=[entry.entity_type, entry.entity_id]
            ),
            audit_type=None,
        ),
    )
}
# The admin page of the record an audit entry is about, by its entity type.
KIND_OF_ENTITY = {kind.audit_type: kind for kind in KINDS.values() if kind.audit_type}


def urls(site: admin.AdminSite) -> list:
    """The records' URLs, to put before the site's own (it ends in a catch-all)."""
    return [
        path("records/", _page(site, records_index_view), name="records"),
        path(
            "records/<slug:kind_slug>/",
            _page(site, record_list_view),
            name="records_list",
        ),
        path(
            "records/<slug:kind_slug>/<str:record_id>/",
            _page(site, record_detail_view),
            name="records_detail",
        ),
    ]


def section(site: admin.AdminSite) -> dict:
    """The records as one more application on the admin's index and sidebar."""
    return {
        "name": SECTION_NAME,
        "app_label": "records",
        "app_url": reverse("admin:records", current_app=site.name),
        "has_module_perms": True,
        "models": [
            {
                "model": None,
                "name": kind.name,
                "object_name": kind.slug,
                "perms": {"view": True},
                "admin_url": reverse(
                    "admin:records_list", args=[kind.slug], current_app=site.name
                ),
                "add_url": None,
                "view_only": True,
            }
            for kind in KINDS.values()
        ],
    }


def _page(site: admin.AdminSite, view: Callable) -> Callable:
    """`view` behind the admin's staff login, for the superuser, for GET only."""

    @wraps(view)
    def superuser_only(request, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied(
                "Only the superuser sees the business records in the admin; "
                "each role finds them on the app's pages."
            )
        return view(request, **kwargs)

    page = site.admin_view(require_safe(superuser_only))
    # LoginRequiredMiddleware sends anonymous users to the admin's login, as
    # for the admin's own pages, rather than to the app's.
    page.login_url = reverse_lazy("admin:login", current_app=site.name)
    return page


def _render(
    request, template: str, *, title: str, status: int = 200, **context
) -> TemplateResponse:
    site = admin.site
    request.current_app = site.name
    return TemplateResponse(
        request,
        template,
        {
            **site.each_context(request),
            "title": title,
            "subtitle": None,
            "section_name": SECTION_NAME,
            "read_only_note": READ_ONLY_NOTE,
            **context,
        },
        status=status,
    )


def _kind_or_404(kind_slug: str) -> RecordKind:
    try:
        return KINDS[kind_slug]
    except KeyError:
        raise Http404(f"There are no records called '{kind_slug}'.") from None


def records_index_view(request):
    return _render(
        request,
        "admin/records/index.html",
        title=SECTION_NAME,
        app_list=[section(admin.site)],
        app_label="records",
    )


def record_list_view(request, kind_slug):
    """One page of a kind's records, newest first, through its list selector."""
    kind = _kind_or_404(kind_slug)
    form = kind.filter_form(request.GET or None)
    records, next_query, refusal, status = [], None, None, 200
    if form.is_bound and not form.is_valid():
        status = 400  # a list under other filters than those asked misleads
    else:
        filters = form.cleaned_data if form.is_bound else {}
        try:
            page = kind.list_page(
                request.user,
                cursor=request.GET.get("cursor") or None,
                limit=settings.PAGE_SIZE,
                **{
                    name: value
                    for name, value in filters.items()
                    if name != "cursor" and value not in (None, "")
                },
            )
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            refusal, status = exc.message, 400
        else:
            records = page.items
            if page.next_cursor:
                next_query = _query(request, cursor=page.next_cursor)
    return _render(
        request,
        kind.list_template,
        title=kind.name,
        kind=kind,
        form=form,
        toolbar_fields=[
            form[name]
            for name in form.fields
            if name not in (kind.sidebar_filter, "cursor")
        ],
        sidebar=_sidebar(request, form, kind.sidebar_filter),
        records=records,
        next_query=next_query,
        first_query=_query(request, cursor=None),
        is_first_page=not request.GET.get("cursor"),
        refusal=refusal,
        status=status,
    )


def _sidebar(request, form: forms.Form, name: str) -> dict:
    """The admin's "By status" filter: a link per choice, the other filters kept."""
    current = request.GET.get(name, "")
    return {
        "name": name,
        "title": form.fields[name].label.lower(),
        "value": current,
        "links": [
            {
                "label": label,
                "query": f"?{_query(request, cursor=None, **{name: value or None})}",
                "selected": value == current,
            }
            for value, label in form.fields[name].choices
        ],
    }


def _query(request, **changes: str | None) -> str:
    """This page's query string with `changes` made (None removes a parameter)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def record_detail_view(request, kind_slug, record_id):
    """One record's fields and, when it has a history, its last audit entries."""
    kind = _kind_or_404(kind_slug)
    record = kind.get(request.user, record_id)
    if record is None:
        raise NotFound(f"There is no record with id '{record_id}' among {kind.name}.")
    history = (
        audit_history(
            entity_type=kind.audit_type, entity_id=record.id, limit=HISTORY_SHOWN
        )
        if kind.audit_type
        else None
    )
    return _render(
        request,
        kind.detail_template,
        title=kind.title(record),
        kind=kind,
        record=record,
        app_url=kind.app_url(record),
        history=history,
        record_kind=(
            KIND_OF_ENTITY.get(record.entity_type) if kind.audit_type is None else None
        ),
    )
