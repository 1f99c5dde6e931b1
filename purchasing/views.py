"""Purchase order pages: thin views over purchasing.selectors and purchasing.services."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from accounting.coding import vendor_defaults
from accounting.forms import coding_choices, coding_initial, formset_coded_lines
from accounts.roles import Role, has_role, require_reader, require_role
from accounts.selectors import approval_limit_get
from audit.selectors import audit_history
from comments.views import comment_thread
from core import exports
from core.errors import ApplicationError, ValidationFailed
from core.forms import (
    add_line_errors,
    add_service_errors,
    flash_refusal,
)
from core.htmx import render_partial
from core.paging import page_links
from exchange_rates.rules import base_currency
from purchasing import rules, services
from purchasing.forms import (
    CloseForm,
    DecisionForm,
    PurchaseOrderFilterForm,
    PurchaseOrderForm,
    PurchaseOrderLineFormSet,
    ReasonForm,
    ReceiptForm,
)
from purchasing.invoices_waiting import invoices_waiting_count
from purchasing.panels import PURCHASE_ORDER_PAGE
from purchasing.selectors import (
    purchase_order_actions,
    purchase_order_export,
    purchase_order_get_or_404,
    purchase_order_list,
    purchase_order_value,
    purchase_orders_awaiting_approval,
    purchase_orders_rejected,
)
from vendors.selectors import vendor_choices_active, vendor_get


def _list_filters(request) -> tuple[PurchaseOrderFilterForm, dict, dict]:
    """The list's filter form, its cleaned values, and the selector's filters."""
    form = PurchaseOrderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    selection = {
        "status": filters.get("status") or None,
        "vendor_id": filters.get("vendor") or None,
        "requester": request.user.get_username() if filters.get("mine") else None,
        "created_from": filters.get("created_from"),
        "created_to": filters.get("created_to"),
    }
    return form, filters, selection


def purchase_order_list_view(request):
    require_reader(request.user)
    form, filters, selection = _list_filters(request)
    vendor = vendor_get(vendor_id=filters["vendor"]) if filters.get("vendor") else None
    if filters.get("vendor") and vendor is None:
        form.add_error(
            None, "No vendor has the id in this link; open the vendor's own page."
        )
    page = None
    # A list under other filters than those asked misleads: refused instead.
    if not form.errors:
        page = purchase_order_list(
            **selection, cursor=filters.get("cursor") or None, limit=settings.PAGE_SIZE
        )
    return render_partial(
        request,
        "purchasing/purchase_order_list.html",
        {
            "form": form,
            "purchase_orders": page.items if page else [],
            "vendor": vendor,
            **page_links(request, page),
            "filtered": bool(form.errors)
            or any(
                filters.get(k)
                for k in ("status", "vendor", "mine", "created_from", "created_to")
            ),
            "export_links": exports.export_links("purchasing:list-export", request.GET),
        },
        partial="purchasing/_purchase_order_list.html",
        status=400 if form.errors else 200,
    )


def purchase_order_list_export_view(request, fmt):
    require_reader(request.user)
    form, _, selection = _list_filters(request)
    exports.check_filters(form)
    return exports.export_response(purchase_order_export(**selection), fmt=fmt)


def purchase_order_awaiting_view(request):
    require_role(request.user, Role.APPROVER, action="approve purchase orders")
    page = purchase_orders_awaiting_approval(
        user=request.user, cursor=request.GET.get("cursor"), limit=settings.PAGE_SIZE
    )
    return render(
        request,
        "purchasing/purchase_order_awaiting.html",
        {
            "purchase_orders": page.items,
            "next_cursor": page.next_cursor,
            "base_currency": base_currency(),
            "limit": approval_limit_get(user=request.user),
        },
    )


def purchase_order_rejected_view(request):
    """The requester's rejected POs with their reasons, each to copy to a new PO."""
    require_role(request.user, Role.REQUESTER, action="raise purchase orders")
    page = purchase_orders_rejected(
        requester=request.user.get_username(),
        cursor=request.GET.get("cursor"),
        limit=settings.PAGE_SIZE,
    )
    return render(
        request,
        "purchasing/purchase_order_rejected.html",
        {"purchase_orders": page.items, **page_links(request, page)},
    )


def purchase_order_detail_view(request, po_id):
    require_reader(request.user)
    po = purchase_order_get_or_404(po_id=po_id)
    value = purchase_order_value(po=po)
    return render(
        request,
        "purchasing/purchase_order_detail.html",
        {
            "po": po,
            "actions": purchase_order_actions(po=po, user=request.user, value=value),
            "history": audit_history(
                entity_type="purchase_order", entity_id=po.id, limit=20
            ),
            "reject_form": ReasonForm(initial={"version": po.version}),
            "panels": PURCHASE_ORDER_PAGE.shown(po, request.user),
            "today": timezone.localdate(),
            "value": value,
            "base_currency": base_currency(),
            "comments": comment_thread(
                request, entity_type="purchase_order", record_id=po.id
            ),
        },
    )


LINE_FIELDS = ("description", "quantity", "unit_price")
# A line row's blank coding choice: the service then takes the vendor's default.
VENDOR_DEFAULT = "The vendor's default"


def _coding(lines=()) -> dict:
    """The line rows' coding selects, with the codes `lines` have already."""
    return {"coding": coding_choices(blank=VENDOR_DEFAULT, lines=lines)}


def _with_extra_line(data):
    data = data.copy()
    total = data.get("lines-TOTAL_FORMS", "0")
    # A short run of ASCII digits only: str.isdigit() admits "²", which int()
    # refuses, and 4,300 digits meet int()'s limit (the formset refuses more
    # than MAX_LINES anyway).
    count = int(total) if total.isascii() and total.isdigit() and len(total) < 10 else 0
    data["lines-TOTAL_FORMS"] = str(count + 1)
    return data


def _with_vendor_defaults(data, vendor_id: str, choices):
    """`data` with each line row's codes set to the chosen vendor's defaults."""
    vendor = vendor_get(vendor_id=vendor_id) if vendor_id in dict(choices) else None
    if vendor is None:
        return data
    data = data.copy()
    rows = [
        key.removesuffix("-description") for key in data if key.endswith("-description")
    ]
    for name, code in vendor_defaults(vendor).items():
        for row in rows:
            if code:
                data[f"{row}-{name}"] = code
    return data


def _copy_context(po_id: str | None, choices) -> dict:
    """
    What the PO form says about the rejected PO it is a copy of: the PO, and
    why its vendor is not offered, if it is not (no longer active).
    """
    if not po_id:
        return {}
    source = purchase_order_get_or_404(po_id=po_id)
    context = {"copy_of": source}
    if source.vendor_id not in dict(choices):
        vendor = vendor_get(vendor_id=source.vendor_id)
        context["copy_vendor_gone"] = (
            f"{vendor.name} is {vendor.status}; choose another vendor for the copy."
            if vendor
            else f"{source.vendor_name} no longer exists; choose another vendor for "
            "the copy."
        )
    return context


@require_http_methods(["GET", "POST"])
def purchase_order_create_view(request):
    """
    Raise a PO; `?copy=<id>` starts from a rejected PO's vendor, currency,
    matching and lines ("Copy to a new PO"), nothing saved until raised.
    """
    require_role(request.user, Role.REQUESTER, action="raise purchase orders")
    choices = vendor_choices_active()
    copying = {}
    redraw = False
    if request.method == "POST":
        copying = _copy_context(request.POST.get("copied_from"), choices)
        # "Add line", or a vendor chosen (htmx): the lines drawn again, not saved.
        redraw = "add_line" in request.POST or "vendor_changed" in request.POST
        data = request.POST
        if "add_line" in data:
            data = _with_extra_line(data)
        elif "vendor_changed" in data:
            data = _with_vendor_defaults(data, data.get("vendor_id", ""), choices)
        form = PurchaseOrderForm(data, vendor_choices=choices)
        formset = PurchaseOrderLineFormSet(data, prefix="lines", form_kwargs=_coding())
        if not redraw and form.is_valid() and formset.is_valid():
            lines, positions = formset_coded_lines(formset, LINE_FIELDS)
            try:
                po = services.purchase_order_create(
                    user=request.user,
                    vendor_id=form.cleaned_data["vendor_id"],
                    lines=lines,
                    currency=form.cleaned_data["currency"] or None,
                    match_type=form.cleaned_data["match_type"],
                    expected_delivery=form.cleaned_data["expected_delivery"],
                    notes=form.cleaned_data["notes"],
                    copied_from=form.cleaned_data["copied_from"] or None,
                )
            except (ValidationFailed, ApplicationError) as exc:
                add_line_errors(form, formset, positions, exc)
            else:
                messages.success(
                    request, f"{po.po_number} raised; it now awaits approval."
                )
                return redirect("purchasing:detail", po_id=po.id)
    elif request.GET.get("copy"):
        copying = _copy_context(request.GET["copy"], choices)
        source = copying["copy_of"]
        try:
            rules.check_can_copy(source)
        except ApplicationError as exc:
            flash_refusal(request, exc)
            return redirect("purchasing:detail", po_id=source.id)
        form = PurchaseOrderForm(
            initial={
                "vendor_id": source.vendor_id,
                "currency": source.currency,
                "match_type": source.match_type,
                "copied_from": source.id,
            },
            vendor_choices=choices,
        )
        formset = PurchaseOrderLineFormSet(
            prefix="lines",
            initial=_line_initial(source),
            form_kwargs=_coding(source.items),
        )
    else:
        vendor_id = request.GET.get("vendor", "")
        form = PurchaseOrderForm(
            initial={"vendor_id": vendor_id}, vendor_choices=choices
        )
        # A vendor chosen already: its default codes preselected on each row.
        vendor = vendor_get(vendor_id=vendor_id) if vendor_id in dict(choices) else None
        defaults = coding_initial(vendor_defaults(vendor)) if vendor else {}
        formset = PurchaseOrderLineFormSet(
            prefix="lines", initial=[defaults] * 3, form_kwargs=_coding()
        )
    status = 422 if request.method == "POST" and not redraw else 200
    refused = form.errors or any(formset.errors) or formset.non_form_errors()
    if not refused and status == 422:
        status = 200
    # Choosing the vendor preselects its default codes on the lines.
    form.fields["vendor_id"].widget.attrs.update(
        {
            "hx-post": "",
            "hx-trigger": "change",
            "hx-target": "#po-lines",
            "hx-swap": "outerHTML",
            "hx-vals": '{"vendor_changed": "1"}',
        }
    )
    # What was typed into the lines while that request was on its way stays:
    # htmx keeps these inputs (by id) when the lines are swapped, and only
    # the coding selects take the vendor's defaults.
    for line in formset.forms:
        for name in ("description", "quantity", "unit_price", "DELETE"):
            if name in line.fields:
                line.fields[name].widget.attrs["hx-preserve"] = "true"
    return _form_page(
        request,
        {"form": form, "formset": formset, "no_vendors": not choices, **copying},
        status=status,
    )


def _line_initial(po) -> list[dict]:
    """The PO's lines as the line formset's initial rows."""
    return [
        {
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            **coding_initial(line),
        }
        for line in po.items
    ]


@require_http_methods(["GET", "POST"])
def purchase_order_edit_view(request, po_id):
    require_role(request.user, Role.REQUESTER, action="edit purchase orders")
    po = purchase_order_get_or_404(po_id=po_id)
    choices = [(po.vendor_id, po.vendor_name)]
    initial = {
        "vendor_id": po.vendor_id,
        "currency": po.currency,
        "match_type": po.match_type,
        "expected_delivery": po.expected_delivery,
        "notes": po.notes,
        "version": po.version,
    }
    status = 200
    if request.method == "POST":
        data = (
            _with_extra_line(request.POST)
            if "add_line" in request.POST
            else request.POST
        )
        form = PurchaseOrderForm(
            data, initial=initial, vendor_choices=choices, editing=True
        )
        formset = PurchaseOrderLineFormSet(
            data, prefix="lines", form_kwargs=_coding(po.items)
        )
        if "add_line" not in request.POST and form.is_valid() and formset.is_valid():
            lines, positions = formset_coded_lines(formset, LINE_FIELDS)
            try:
                services.purchase_order_update(
                    po_id=po.id,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    lines=lines,
                    currency=form.cleaned_data["currency"] or None,
                    match_type=form.cleaned_data["match_type"],
                    expected_delivery=form.cleaned_data["expected_delivery"],
                    notes=form.cleaned_data["notes"],
                )
            except ApplicationError as exc:
                add_line_errors(form, formset, positions, exc)
                status = exc.status_code
            else:
                messages.success(request, f"{po.po_number} saved.")
                return redirect("purchasing:detail", po_id=po.id)
        elif "add_line" not in request.POST:
            status = 422
    else:
        form = PurchaseOrderForm(initial=initial, vendor_choices=choices, editing=True)
        formset = PurchaseOrderLineFormSet(
            prefix="lines", initial=_line_initial(po), form_kwargs=_coding(po.items)
        )
    return _form_page(
        request, {"form": form, "formset": formset, "po": po}, status=status
    )


def _form_page(request, context, *, status):
    """The PO form; "Add line" through htmx gets the lines alone, one row longer."""
    return render_partial(
        request,
        "purchasing/purchase_order_form.html",
        context,
        partial="purchasing/_po_lines.html",
        status=status,
    )


@require_http_methods(["GET", "POST"])
def purchase_order_delete_view(request, po_id):
    require_role(request.user, Role.REQUESTER, action="delete purchase orders")
    po = purchase_order_get_or_404(po_id=po_id)
    form = DecisionForm(request.POST or None, initial={"version": po.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.purchase_order_delete(
                po_id=po.id, user=request.user, version=form.cleaned_data["version"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = exc.status_code
        else:
            history_url = reverse(
                "audit:entity-history", args=["purchase_order", po.id]
            )
            messages.success(
                request,
                format_html(
                    '{} deleted. <a href="{}">See its history</a>.',
                    po.po_number,
                    history_url,
                ),
            )
            return redirect("purchasing:list")
    return render(
        request, "purchasing/purchase_order_confirm_delete.html", {"po": po, "form": form},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def purchase_order_close_view(request, po_id):
    """Close after confirming, with what is still outstanding and a reason."""
    require_role(
        request.user,
        Role.REQUESTER,
        Role.AP_CLERK,
        Role.BUYER,
        action="close purchase orders",
    )
    po = purchase_order_get_or_404(po_id=po_id)
    form = CloseForm(request.POST or None, initial={"version": po.version})
    status = 200
    reason_needed = rules.close_reason_needed(
        po, invoices_waiting=invoices_waiting_count(po_id=po.id)
    )
    if reason_needed:  # the service refuses the close without one
        form.fields["reason"].label = "Reason"
    if request.method == "GET":
        try:
            rules.check_can_close(po)
            rules.check_closer(
                po,
                username=request.user.get_username(),
                is_buyer=has_role(request.user, Role.BUYER),
                is_clerk=has_role(request.user, Role.AP_CLERK),
                is_admin=request.user.is_superuser,
            )
        except ApplicationError as exc:
            flash_refusal(request, exc)
            return redirect("purchasing:detail", po_id=po.id)
    elif form.is_valid():
        try:
            closed = services.purchase_order_close(
                po_id=po.id,
                user=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, f"{closed.po_number} closed.")
            return redirect("purchasing:detail", po_id=po.id)
    else:
        status = 422
    return render(
        request,
        "purchasing/purchase_order_confirm_close.html",
        {
            "po": po,
            "form": form,
            "outstanding": rules.outstanding(po.items),
            "reason_needed": reason_needed,
        },
        status=status,
    )


_DECISIONS = {
    "approve": (services.purchase_order_approve, "{number} approved."),
    "send": (services.purchase_order_send, "{number} marked as sent to the vendor."),
}


@require_POST
def purchase_order_decide_view(request, po_id, decision):
    """Approve or send: one button each, the service decides."""
    service, done = _DECISIONS[decision]
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("purchasing:detail", po_id=po_id)
    try:
        po = service(
            po_id=po_id, user=request.user, version=form.cleaned_data["version"]
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        message = done.format(number=po.po_number)
        if decision == "approve" and po.status == "pending":
            message = (
                f"Your approval of {po.po_number} is recorded "
                f"({len(po.approvals)} of {po.approvals_required}); it awaits another approver."
            )
        messages.success(request, message)
    return redirect("purchasing:detail", po_id=po_id)


@require_POST
def purchase_order_reason_view(request, po_id, decision):
    """Reject (reason required) or cancel (reason optional)."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("purchasing:detail", po_id=po_id)
    service = {
        "reject": services.purchase_order_reject,
        "cancel": services.purchase_order_cancel,
    }[decision]
    try:
        po = service(
            po_id=po_id,
            user=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"{po.po_number} {po.status}.")
    return redirect("purchasing:detail", po_id=po_id)


@require_http_methods(["GET", "POST"])
def purchase_order_receive_view(request, po_id):
    require_role(request.user, Role.AP_CLERK, action="record goods receipts")
    po = purchase_order_get_or_404(po_id=po_id)
    form = ReceiptForm(
        request.POST or None,
        po=po,
        initial={"received_on": timezone.localdate(), "version": po.version},
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.purchase_order_receive(
                po_id=po.id,
                user=request.user,
                quantities=form.quantities(),
                received_on=form.cleaned_data["received_on"],
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            for key, message in getattr(exc, "field_errors", {}).items():
                field = "line_" + key.split(".")[1] if key.startswith("lines.") else key
                form.add_error(field if field in form.fields else None, message)
            if not getattr(exc, "field_errors", None):
                form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, f"Receipt recorded on {po.po_number}.")
            return redirect("purchasing:detail", po_id=po.id)
    elif request.method == "POST":
        status = 422
    return render(
        request, "purchasing/purchase_order_receive.html", {"po": po, "form": form},
        status=status,
    )  # fmt: skip
