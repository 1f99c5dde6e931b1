"""Vendor pages: thin views over vendors.selectors and vendors.services."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, has_role, require_reader, require_role
from audit.selectors import audit_history
from p2p_site.errors import ApplicationError, ValidationFailed
from p2p_site.forms import add_service_errors
from purchasing.selectors import purchase_order_list
from vendors import services
from vendors.forms import VendorFilterForm, VendorForm, VersionForm
from vendors.selectors import can_see_bank_details, vendor_get_or_404, vendor_list


def vendor_list_view(request):
    require_reader(request.user)
    form = VendorFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = vendor_list(
        status=filters.get("status") or None,
        name_prefix=filters.get("q") or None,
        cursor=filters.get("cursor") or None,
        limit=settings.PAGE_SIZE,
    )
    next_query = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_query = query.urlencode()
    return render(
        request,
        "vendors/vendor_list.html",
        {
            "form": form,
            "vendors": page.items,
            "next_query": next_query,
            "is_first_page": not filters.get("cursor"),
            "filtered": bool(filters.get("status") or filters.get("q")),
        },
    )


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
            "can_see_bank_details": can_see_bank_details(request.user),
            "purchase_orders": purchase_order_list(vendor_id=vendor.id, limit=10),
        },
    )


@require_http_methods(["GET", "POST"])
def vendor_create_view(request):
    require_role(request.user, Role.AP_CLERK, action="create vendors")
    form = VendorForm(request.POST or None, initial=_new_vendor_initial())
    if request.method == "POST" and form.is_valid():
        try:
            vendor = services.vendor_create(
                user=request.user, fields=form.service_fields()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Vendor “{vendor.name}” created.")
            if vendor.bank_details_awaiting_confirmation:
                messages.info(request, _CONFIRMATION_NEEDED)
            return redirect("vendors:detail", vendor_id=vendor.id)
    status = 422 if form.errors else 200
    return render(request, "vendors/vendor_form.html", {"form": form}, status=status)


def _new_vendor_initial():
    return {
        "status": "pending",
        "currency": settings.DEFAULT_CURRENCY,
        "payment_terms": settings.DEFAULT_PAYMENT_TERMS,
    }


_CONFIRMATION_NEEDED = "New bank details must be confirmed by another AP clerk before this vendor can be paid."


@require_http_methods(["GET", "POST"])
def vendor_edit_view(request, vendor_id):
    require_role(request.user, Role.AP_CLERK, action="edit vendors")
    vendor = vendor_get_or_404(vendor_id=vendor_id)
    initial = {**services.vendor_snapshot(vendor), "version": vendor.version}
    form = VendorForm(
        request.POST or None, initial=initial, current_status=vendor.status
    )
    status = 200
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
        else:
            messages.success(request, f"Vendor “{vendor.name}” saved.")
            bank_changed = any(f in form.changed_data for f in form.bank_fields)
            if bank_changed and vendor.bank_details_awaiting_confirmation:
                messages.info(request, _CONFIRMATION_NEEDED)
            return redirect("vendors:detail", vendor_id=vendor.id)
    if form.errors and status == 200:
        status = 422
    return render(
        request,
        "vendors/vendor_form.html",
        {"form": form, "vendor": vendor},
        status=status,
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
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Bank details of “{vendor.name}” confirmed.")
    return redirect(reverse("vendors:detail", kwargs={"vendor_id": vendor_id}))
