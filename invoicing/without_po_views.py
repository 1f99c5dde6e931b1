"""
Pages of invoices without PO (invoicing.without_po) and of recurring
invoices (invoicing.recurring): entry, approve, reject, the approval queue,
and the templates' list and form. Thin: each calls one service.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounting.coding import vendor_defaults
from accounting.forms import coding_initial
from accounts.roles import Role, has_role, require_role
from core.errors import ApplicationError
from core.forms import (
    TextField,
    add_line_errors,
    date_field,
    flash_refusal,
    formset_lines,
    line_formset,
    number_field,
)
from core.paging import page_links
from invoicing import recurring, without_po
from invoicing.forms import tax_fields
from invoicing.selectors import (
    invoices_awaiting_approval_by,
    recurring_invoice_get_or_404,
    recurring_invoice_list,
)
from vendors.selectors import vendor_choices_active, vendor_get

BLANK_LINES = 3


class WithoutPOVendorForm(forms.Form):
    without_po = forms.ChoiceField(label="Vendor billing without PO", choices=[])

    def __init__(self, *args, vendor_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["without_po"].choices = [("", "Choose a vendor")] + list(
            vendor_choices
        )


class DecisionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class RejectForm(DecisionForm):
    reason = TextField(label="Reason for rejecting", required=False)


def approval_context(request, invoice) -> dict:
    """What the invoice page's approval section needs (nothing for a PO invoice)."""
    if invoice.has_po:
        return {}
    return {
        "is_approver": has_role(request.user, Role.APPROVER),
        "decisions": without_po.invoice_decisions(invoice=invoice, user=request.user),
    }


def awaiting_page(request, cursor):
    """The list's "awaiting my approval" page."""
    return invoices_awaiting_approval_by(
        user=request.user, cursor=cursor or None, limit=settings.PAGE_SIZE
    )


def invoice_without_po_entry(request, invoice_form):
    """The entry form of an invoice without PO for `?without_po=<vendor id>`."""
    vendor = vendor_get(vendor_id=request.GET["without_po"])
    if vendor is None:
        messages.error(request, "Choose the vendor of the invoice without PO.")
        return redirect("invoicing:create")
    return invoice_form(
        request,
        po=None,
        vendor=vendor,
        initial={"invoice_date": timezone.localdate(), "tax_amount": "0.00"},
        # The vendor's default codes preselected on each row.
        initial_lines=[{"description": "", **coding_initial(vendor_defaults(vendor))}]
        * BLANK_LINES,
        save=lambda form, lines, attachment: without_po.invoice_without_po_create(
            user=request.user,
            vendor_id=vendor.id,
            invoice_number=form.cleaned_data["invoice_number"],
            invoice_date=form.cleaned_data["invoice_date"],
            lines=lines,
            total_amount=form.cleaned_data["total_amount"] or None,
            attachment=attachment,
            **tax_fields(form),
        ),
        done="Invoice {number} entered without a PO; it awaits approval.",
    )


@require_POST
def invoice_approve_view(request, invoice_id):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("invoicing:detail", invoice_id=invoice_id)
    try:
        invoice = without_po.invoice_approve(
            invoice_id=invoice_id,
            user=request.user,
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        if invoice.status == "approved":
            messages.success(
                request,
                f"Invoice {invoice.invoice_number} approved; the next payment run "
                "may pay it.",
            )
        else:
            messages.success(
                request,
                f"Your approval of invoice {invoice.invoice_number} is recorded "
                f"({len(invoice.approvals)} of {invoice.approvals_required}); it "
                "awaits another approver.",
            )
    return redirect("invoicing:detail", invoice_id=invoice_id)


@require_POST
def invoice_reject_view(request, invoice_id):
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("invoicing:detail", invoice_id=invoice_id)
    try:
        invoice = without_po.invoice_reject(
            invoice_id=invoice_id,
            user=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"Invoice {invoice.invoice_number} rejected.")
    return redirect("invoicing:detail", invoice_id=invoice_id)


# --- Recurring invoices ------------------------------------------------------


class RecurringForm(forms.Form):
    vendor = forms.ChoiceField(label="Vendor", choices=[])
    day_of_month = forms.IntegerField(
        label="Day of the month",
        min_value=1,
        max_value=31,
        help_text="29-31: the last day in shorter months.",
    )
    start_date = date_field("First day")
    end_date = date_field("Last day", required=False, help_text="Empty: no end.")
    tax_amount = number_field("Tax", required=False, initial="0.00")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, vendor_choices=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].choices = [("", "Choose a vendor")] + list(vendor_choices)
        if editing:  # a template stays its vendor's
            del self.fields["vendor"]


RecurringLineFormSet = line_formset()


def recurring_list_view(request):
    require_role(request.user, Role.AP_CLERK, action="maintain recurring invoices")
    page = recurring_invoice_list(
        cursor=request.GET.get("cursor"), limit=settings.PAGE_SIZE
    )
    return render(
        request,
        "invoicing/recurring_list.html",
        {"templates": page.items, **page_links(request, page)},
    )


@require_http_methods(["GET", "POST"])
def recurring_form_view(request, template_id=None):
    require_role(request.user, Role.AP_CLERK, action="maintain recurring invoices")
    template = (
        recurring_invoice_get_or_404(template_id=template_id) if template_id else None
    )
    choices = vendor_choices_active()
    status = 200
    if request.method == "POST":
        form = RecurringForm(
            request.POST, vendor_choices=choices, editing=template is not None
        )
        formset = RecurringLineFormSet(request.POST, prefix="lines")
        if form.is_valid() & formset.is_valid():
            lines, positions = formset_lines(
                formset, ("description", "quantity", "unit_price")
            )
            data = form.cleaned_data
            fields = {
                "lines": lines,
                "day_of_month": data["day_of_month"],
                "start_date": data["start_date"],
                "end_date": data["end_date"],
                "tax_amount": data["tax_amount"] or "0",
            }
            try:
                if template is None:
                    saved = recurring.recurring_invoice_create(
                        user=request.user, vendor_id=data["vendor"], **fields
                    )
                else:
                    saved = recurring.recurring_invoice_update(
                        template_id=template.id,
                        user=request.user,
                        version=data["version"],
                        **fields,
                    )
            except ApplicationError as exc:
                add_line_errors(form, formset, positions, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    f"Recurring invoice of {saved.vendor_name} saved; next invoice "
                    f"{saved.next_date or 'none'}.",
                )
                return redirect("invoicing:recurring")
        else:
            status = 422
    else:
        initial = {"start_date": timezone.localdate(), "tax_amount": "0.00"}
        lines = [{"description": ""}] * BLANK_LINES
        if template is not None:
            initial = {
                "day_of_month": template.day_of_month,
                "start_date": template.start_date,
                "end_date": template.end_date,
                "tax_amount": template.tax_amount,
                "version": template.version,
            }
            lines = [
                {
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                }
                for line in template.items
            ]
        form = RecurringForm(
            initial=initial, vendor_choices=choices, editing=template is not None
        )
        formset = RecurringLineFormSet(prefix="lines", initial=lines)
    return render(
        request,
        "invoicing/recurring_form.html",
        {"form": form, "formset": formset, "template": template},
        status=status,
    )


@require_POST
def recurring_deactivate_view(request, template_id):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("invoicing:recurring")
    try:
        template = recurring.recurring_invoice_deactivate(
            template_id=template_id,
            user=request.user,
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request,
            f"Recurring invoice of {template.vendor_name} deactivated; it raises "
            "no more invoices.",
        )
    return redirect("invoicing:recurring")
