"""The "Recode lines" page of an invoice: thin, over invoicing.coding.invoice_recode."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounting.forms import coding_choices, coding_initial
from accounts.roles import Role, require_role
from core.errors import ApplicationError
from core.forms import add_line_errors, flash_refusal
from invoicing import coding
from invoicing.forms import RecodeForm, RecodeLineFormSet
from invoicing.selectors import invoice_get_or_404


@require_http_methods(["GET", "POST"])
def invoice_recode_view(request, invoice_id):
    """Each line's tax code, GL account and cost centre, changed before matching."""
    require_role(request.user, Role.AP_CLERK, action="recode invoices")
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    refusal = coding.recode_refusal(invoice)
    if refusal and request.method == "GET":
        flash_refusal(request, ApplicationError(refusal))
        return redirect("invoicing:detail", invoice_id=invoice.id)
    choices = {"coding": coding_choices(blank="None", lines=invoice.items)}
    initial = [
        {"line_number": line.line_number, **coding_initial(line)}
        for line in invoice.items
    ]
    status = 200
    if request.method == "POST":
        form = RecodeForm(request.POST)
        formset = RecodeLineFormSet(
            request.POST, prefix="lines", initial=initial, form_kwargs=choices
        )
        if form.is_valid() and formset.is_valid():
            lines = [row.cleaned_data for row in formset.forms if row.cleaned_data]
            try:
                coding.invoice_recode(
                    invoice=invoice,
                    user=request.user,
                    lines=lines,
                    version=form.cleaned_data["version"],
                )
            except ApplicationError as exc:
                add_line_errors(form, formset, list(range(len(lines))), exc)
                status = exc.status_code
            else:
                messages.success(request, f"Lines of {invoice.invoice_number} recoded.")
                return redirect("invoicing:detail", invoice_id=invoice.id)
        else:
            status = 422
    else:
        form = RecodeForm(initial={"version": invoice.version})
        formset = RecodeLineFormSet(
            prefix="lines", initial=initial, form_kwargs=choices
        )
    rows = list(zip(invoice.items, formset.forms, strict=True))
    return render(
        request,
        "invoicing/invoice_recode.html",
        {"invoice": invoice, "form": form, "formset": formset, "rows": rows},
        status=status,
    )
