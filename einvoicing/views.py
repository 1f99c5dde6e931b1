"""
The e-invoice pages: the upload (several files at once), the intake inbox
and an inbox item with its actions. Thin views over einvoicing.batch,
selectors and services.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, has_role, require_reader, require_role
from core.errors import ApplicationError, ValidationFailed
from core.forms import add_service_errors
from core.forms import flash_refusal as flash_message
from core.htmx import render_partial
from core.paging import page_links
from einvoicing import batch, services
from einvoicing.forms import (
    EInvoiceUploadForm,
    IntakeActionForm,
    IntakeAssignPOForm,
    IntakeDiscardForm,
)
from einvoicing.models import IntakeStatus
from einvoicing.selectors import (
    intake_einvoice,
    intake_get_or_404,
    intake_list,
    intake_vendor_initial,
)
from purchasing.selectors import purchase_orders_invoiceable
from vendors import services as vendor_services
from vendors.forms import VendorForm
from vendors.views import CONFIRMATION_NEEDED, new_vendor_initial

# How many of the vendor's invoiceable POs "Pick the PO" offers.
PO_CHOICES_LIMIT = 100


@require_http_methods(["GET", "POST"])
def einvoice_import_view(request):
    """Import one or more e-invoice files; list what became of each."""
    require_role(request.user, Role.AP_CLERK, action="import e-invoices")
    if request.method == "GET":
        form = EInvoiceUploadForm()
        return render(request, "einvoicing/import.html", {"form": form})
    form = EInvoiceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "einvoicing/import.html", {"form": form}, status=400)
    outcomes = []
    for upload in form.cleaned_data["files"]:
        # One byte past the limit is enough to refuse a file as too large.
        content = upload.read(batch.max_bytes() + 1)
        outcomes.append(
            batch.file_import(user=request.user, filename=upload.name, content=content)
        )
    return render(
        request,
        "einvoicing/import.html",
        {"form": EInvoiceUploadForm(), "outcomes": outcomes},
    )


def inbox_view(request):
    """The e-invoices waiting for a vendor or PO (or, `?show=all`, every one)."""
    require_reader(request.user)
    show_all = request.GET.get("show") == "all"
    page = intake_list(
        waiting_only=not show_all,
        cursor=request.GET.get("cursor") or None,
        limit=settings.PAGE_SIZE,
    )
    return render_partial(
        request,
        "einvoicing/inbox.html",
        {"items": page.items, "show_all": show_all, **page_links(request, page)},
        partial="einvoicing/_inbox_list.html",
    )


def _po_choices(intake) -> list[tuple[str, str]]:
    if not intake.vendor_id:
        return []
    page = purchase_orders_invoiceable(
        vendor_id=intake.vendor_id, limit=PO_CHOICES_LIMIT
    )
    return [
        (po.id, f"{po.po_number} · {po.currency} {po.total_amount} · {po.status}")
        for po in page.items
    ]


def intake_detail_view(request, intake_id, *, assign_form=None, discard_form=None):
    require_reader(request.user)
    intake = intake_get_or_404(intake_id=intake_id)
    can_act = has_role(request.user, Role.AP_CLERK) and intake.waiting
    try:
        einvoice = intake_einvoice(intake=intake)
    except ApplicationError:
        einvoice = None  # the facts stored on the item are shown all the same
    needs_po = intake.status == IntakeStatus.NEEDS_PO
    initial = {"version": intake.version}
    status = 200
    if assign_form is not None or discard_form is not None:
        status = 422
    return render(
        request,
        "einvoicing/intake_detail.html",
        {
            "intake": intake,
            "einvoice": einvoice,
            "can_act": can_act,
            "needs_vendor": intake.status == IntakeStatus.NEEDS_VENDOR,
            "needs_po": needs_po,
            "action_form": IntakeActionForm(initial=initial),
            "assign_form": assign_form
            or IntakeAssignPOForm(
                initial=initial,
                po_choices=_po_choices(intake) if can_act and needs_po else (),
            ),
            "discard_form": discard_form or IntakeDiscardForm(initial=initial),
            "discard_open": discard_form is not None,
        },
        status=status,
    )


def _became(request, intake_id, outcome):
    """Say what the item became and open it: the invoice, or the item again."""
    if outcome.invoice is not None:
        messages.success(request, batch.invoice_message(outcome.invoice) + ".")
        return redirect("invoicing:detail", invoice_id=outcome.invoice.id)
    if outcome.intake is not None and outcome.intake.reason:
        messages.warning(request, f"Still in the inbox: {outcome.intake.reason}")
    return redirect("einvoicing:detail", intake_id=intake_id)


def flash_refusal(request, exc: ApplicationError) -> None:
    """A refusal as a flash message, with every field error the service named."""
    flash_message(request, exc)
    if isinstance(exc, ValidationFailed):
        details = [
            message
            for message in dict.fromkeys((exc.field_errors or {}).values())
            if message != exc.message
        ]
        if details:
            more = len(details) - 3
            messages.error(
                request,
                " ".join(details[:3]) + (f" … and {more} more." if more > 0 else ""),
            )


_STALE_FORM = "This page is out of date: reload it and try again."


def _versioned_action(request, intake_id, service):
    """Run `service` (an action taking only the item's version) and answer."""
    form = IntakeActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _STALE_FORM)
        return redirect("einvoicing:detail", intake_id=intake_id)
    try:
        result = service(
            intake_id=intake_id,
            user=request.user,
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
        return redirect("einvoicing:detail", intake_id=intake_id)
    return _resolved(request, intake_id, result)


@require_POST
def intake_retry_view(request, intake_id):
    return _versioned_action(request, intake_id, services.intake_retry)


@require_POST
def intake_assign_po_view(request, intake_id):
    intake = intake_get_or_404(intake_id=intake_id)
    form = IntakeAssignPOForm(request.POST, po_choices=_po_choices(intake))
    if not form.is_valid():
        return intake_detail_view(request, intake_id, assign_form=form)
    try:
        invoice = services.intake_assign_po(
            intake_id=intake_id,
            user=request.user,
            po_id=form.cleaned_data["po"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
        return redirect("einvoicing:detail", intake_id=intake_id)
    return _resolved(request, intake_id, invoice)


@require_POST
def intake_without_po_view(request, intake_id):
    return _versioned_action(request, intake_id, services.intake_without_po)


def _resolved(request, intake_id, result):
    """A resolution's answer: an ImportOutcome or the invoice itself."""
    if isinstance(result, services.ImportOutcome):
        return _became(request, intake_id, result)
    messages.success(request, batch.invoice_message(result) + ".")
    return redirect("invoicing:detail", invoice_id=result.id)


@require_POST
def intake_discard_view(request, intake_id):
    form = IntakeDiscardForm(request.POST)
    if not form.is_valid():
        return intake_detail_view(request, intake_id, discard_form=form)
    try:
        intake = services.intake_discard(
            intake_id=intake_id,
            user=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request, f"{intake.invoice_number} is discarded: out of the inbox."
        )
    return redirect("einvoicing:detail", intake_id=intake_id)


@require_http_methods(["GET", "POST"])
def intake_vendor_view(request, intake_id):
    """The vendor form prefilled from the seller; saving it looks again."""
    require_role(request.user, Role.AP_CLERK, action="create vendors")
    intake = intake_get_or_404(intake_id=intake_id)
    if not intake.waiting:
        messages.info(request, "This e-invoice is no longer in the inbox.")
        return redirect("einvoicing:detail", intake_id=intake_id)
    initial = {**new_vendor_initial(), **intake_vendor_initial(intake=intake)}
    form = VendorForm(request.POST or None, initial=initial)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            vendor = vendor_services.vendor_create(
                user=request.user, fields=form.service_fields()
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
            duplicates = exc.extra.get("duplicates", [])
        else:
            messages.success(request, f"Vendor “{vendor.name}” created.")
            if vendor.bank_details_awaiting_confirmation:
                messages.info(request, CONFIRMATION_NEEDED)
            try:
                version = int(request.POST.get("intake_version", intake.version))
                outcome = services.intake_retry(
                    intake_id=intake_id, user=request.user, version=version
                )
            except (ApplicationError, ValueError) as exc:
                if isinstance(exc, ApplicationError):
                    flash_refusal(request, exc)
                return redirect("einvoicing:detail", intake_id=intake_id)
            return _became(request, intake_id, outcome)
    return render(
        request,
        "vendors/vendor_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "form_note": f"From the e-invoice {intake.invoice_number} of "
            f"{intake.seller_name} ({intake.file_name}): check the seller's "
            "details before saving.",
            "carried_fields": [("intake_version", intake.version)],
        },
        status=422 if form.errors else 200,
    )
