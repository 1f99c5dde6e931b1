"""Vendor pages: thin views over vendors.selectors and vendors.services."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, has_role, require_reader, require_role
from audit.selectors import audit_history
from core import exports
from core.addresses import PostalAddress
from core.csv_import import preview_keep, preview_take
from core.drafts import restores_draft
from core.errors import ApplicationError, ValidationFailed
from core.forms import add_service_errors, flash_refusal
from core.htmx import render_partial
from core.paging import page_links
from vendors import services
from vendors.duplicates import similar_name_warning
from vendors.forms import (
    BANK_DETAILS_AWAITING_ME,
    VendorFilterForm,
    VendorForm,
    VendorImportConfirmForm,
    VendorImportForm,
    VersionForm,
)
from vendors.panels import VENDOR_PAGE
from vendors.selectors import (
    vendor_export,
    vendor_get_or_404,
    vendor_list,
    vendor_warnings,
    vendors_with_similar_name,
)


def _list_filters(request) -> tuple[VendorFilterForm, dict, dict]:
    """The list's filter form, its cleaned values, and the selector's filters."""
    form = VendorFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    bank_details = filters.get("bank_details")
    selection = {
        "status": filters.get("status") or None,
        "name_prefix": filters.get("q") or None,
        "bank_details_awaiting": bool(bank_details),
        "not_changed_by": (
            request.user.get_username()
            if bank_details == BANK_DETAILS_AWAITING_ME
            else None
        ),
    }
    return form, filters, selection


def vendor_list_view(request):
    require_reader(request.user)
    form, filters, selection = _list_filters(request)
    page = None
    # A list under other filters than those asked misleads: refused instead.
    if not form.errors:
        page = vendor_list(
            **selection, cursor=filters.get("cursor") or None, limit=settings.PAGE_SIZE
        )
    return render_partial(
        request,
        "vendors/vendor_list.html",
        {
            "form": form,
            "vendors": page.items if page else [],
            **page_links(request, page),
            "filtered": bool(
                form.errors
                or filters.get("status")
                or filters.get("q")
                or filters.get("bank_details")
            ),
            "export_links": exports.export_links("vendors:list-export", request.GET),
        },
        partial="vendors/_vendor_list.html",
        status=400 if form.errors else 200,
    )


def vendor_list_export_view(request, fmt):
    require_reader(request.user)
    form, _, selection = _list_filters(request)
    exports.check_filters(form)
    return exports.export_response(vendor_export(**selection), fmt=fmt)


def vendor_detail_view(request, vendor_id):
    require_reader(request.user)
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    history = audit_history(entity_type="vendor", entity_id=vendor.id, limit=20)
    can_confirm = (
        vendor.bank_details_awaiting_confirmation
        and has_role(request.user, Role.AP_CLERK)
        and vendor.bank_details_changed_by != request.user.get_username()
    )
    return render(
        request,
        "vendors/vendor_detail.html",
        {
            "vendor": vendor,
            "history": history,
            "can_confirm_bank_details": can_confirm,
            "panels": VENDOR_PAGE.shown(vendor, request.user),
            "warnings": vendor_warnings(vendor=vendor),
            "address": PostalAddress.of(vendor),
        },
    )


@require_http_methods(["GET", "POST"])
@restores_draft
def vendor_create_view(request):
    require_role(request.user, Role.AP_CLERK, action="create vendors")
    form = VendorForm(request.POST or None, initial=new_vendor_initial())
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_create(
                user=request.user, fields=form.service_fields()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
            duplicates = exc.extra.get("duplicates", [])
        else:
            messages.success(request, f"Vendor “{vendor.name}” created.")
            if vendor.bank_details_awaiting_confirmation:
                messages.info(request, CONFIRMATION_NEEDED)
            _flash_warnings(request, vendor)
            return redirect("vendors:detail", vendor_id=vendor.id)
    status = 422 if form.errors else 200
    return render(
        request,
        "vendors/vendor_form.html",
        {"form": form, "duplicates": duplicates},
        status=status,
    )


def _flash_warnings(request, vendor) -> None:
    """Say, after a save, that the vendor's page lists what to check."""
    if count := len(vendor_warnings(vendor=vendor)):
        messages.warning(
            request, f"Saved with {count} warning(s): see “Check before paying”."
        )


def new_vendor_initial():
    return {
        "status": "pending",
        "currency": settings.DEFAULT_CURRENCY,
        "payment_terms": settings.DEFAULT_PAYMENT_TERMS,
        "remittance_advice": True,
    }


CONFIRMATION_NEEDED = "New bank details must be confirmed by another AP clerk before this vendor can be paid."


@require_http_methods(["GET", "POST"])
@restores_draft
def vendor_edit_view(request, vendor_id):
    require_role(request.user, Role.AP_CLERK, action="edit vendors")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    initial = {**services.vendor_snapshot(vendor), "version": vendor.version}
    form = VendorForm(
        request.POST or None,
        initial=initial,
        current_status=vendor.status,
        vendor_id=vendor.id,
    )
    status = 200
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_update(
                vendor_id=vendor.id,
                user=request.user,
                changes=form.service_fields(),
                version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = exc.status_code
            duplicates = exc.extra.get("duplicates", [])
        else:
            messages.success(request, f"Vendor “{vendor.name}” saved.")
            bank_changed = any(f in form.changed_data for f in form.bank_fields)
            if bank_changed and vendor.bank_details_awaiting_confirmation:
                messages.info(request, CONFIRMATION_NEEDED)
            _flash_warnings(request, vendor)
            return redirect("vendors:detail", vendor_id=vendor.id)
    if form.errors and status == 200:
        status = 422
    return render(
        request,
        "vendors/vendor_form.html",
        {
            "form": form,
            "vendor": vendor,
            "duplicates": duplicates,
            "warnings": vendor_warnings(vendor=vendor),
        },
        status=status,
    )


def vendor_similar_names_view(request):
    """The vendor form's live check: vendors whose name is like the one typed."""
    require_role(request.user, Role.AP_CLERK, action="create vendors")
    name = request.GET.get("name", "")[:200]
    others = vendors_with_similar_name(
        name=name, vendor_id=request.GET.get("vendor") or None
    )
    warning = similar_name_warning(others)
    return render(
        request,
        "vendors/_similar_names.html",
        {"warnings": [warning] if warning else []},
    )


@require_http_methods(["GET", "POST"])
def vendor_delete_view(request, vendor_id):
    require_role(request.user, Role.AP_CLERK, action="delete vendors")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    form = VersionForm(request.POST or None, initial={"version": vendor.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.vendor_delete(
                vendor_id=vendor.id,
                user=request.user,
                version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = exc.status_code
        else:
            history_url = reverse("audit:entity-history", args=["vendor", vendor.id])
            messages.success(
                request,
                format_html(
                    'Vendor “{}” deleted. <a href="{}">See its history</a>.',
                    vendor.name,
                    history_url,
                ),
            )
            return redirect("vendors:list")
    return render(
        request, "vendors/vendor_confirm_delete.html", {"vendor": vendor, "form": form},
        status=status,
    )  # fmt: skip


@require_POST
def vendor_confirm_bank_details_view(request, vendor_id):
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Reload the page and confirm the bank details shown there."
        )
        return redirect(reverse("vendors:detail", kwargs={"vendor_id": vendor_id}))
    try:
        vendor = services.vendor_bank_details_confirm(
            vendor_id=vendor_id, user=request.user, version=form.cleaned_data["version"]
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"Bank details of “{vendor.name}” confirmed.")
    return redirect(reverse("vendors:detail", kwargs={"vendor_id": vendor_id}))


# Where the file previewed is kept for the confirm step (core.csv_import).
_IMPORT_SESSION_KEY = "vendor_import"


@require_http_methods(["GET", "POST"])
def vendor_import_view(request):
    """Step 1: upload a CSV file (GET); step 2: its preview, nothing written (POST)."""
    require_role(request.user, Role.AP_CLERK, action="import vendors")
    form = VendorImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "max_rows": settings.VENDOR_IMPORT_MAX_ROWS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte past the limit is enough to refuse a file as too large.
        content = upload.read(settings.VENDOR_IMPORT_MAX_BYTES + 1)
        try:
            preview = services.vendors_import(
                user=request.user, content=content, filename=upload.name, dry_run=True
            )
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        else:
            context.update(preview=preview, filename=upload.name)
            if preview.valid_count:
                digest = preview_keep(
                    request.session,
                    _IMPORT_SESSION_KEY,
                    content=content,
                    filename=upload.name,
                )
                context["confirm_form"] = VendorImportConfirmForm(
                    initial={"digest": digest}
                )
    status = 422 if form.errors else 200
    return render(request, "vendors/vendor_import.html", context, status=status)


@require_POST
def vendor_import_confirm_view(request):
    """Step 3: import the valid rows of the file previewed, checked again."""
    require_role(request.user, Role.AP_CLERK, action="import vendors")
    form = VendorImportConfirmForm(request.POST)
    stored = preview_take(
        request.session,
        _IMPORT_SESSION_KEY,
        digest=form.cleaned_data["digest"] if form.is_valid() else None,
    )
    if stored is None:
        messages.error(
            request,
            "That preview is no longer current (the file was imported, or another "
            "file was previewed since). Upload the file again to see its preview.",
        )
        return redirect("vendors:import")
    result = services.vendors_import(
        user=request.user,
        content=stored["content"].encode(),
        filename=stored["filename"],
    )
    return render(
        request,
        "vendors/vendor_import_done.html",
        {
            "result": result,
            "filename": stored["filename"],
            "awaiting_confirmation": sum(
                v.bank_details_awaiting_confirmation for v in result.imported.values()
            ),
        },
    )
