"""Invoice pages: thin views over invoicing.selectors, services and reconciliation."""

import logging
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods, require_POST

from accounting.forms import coding_choices, coding_initial, formset_coded_lines
from accounting.models import VAT_CATEGORY_LABELS
from accounting.tax import self_assessed_amount, tax_total
from accounts.roles import Role, has_role, require_reader, require_role
from accounts.selectors import approvers_list
from audit.selectors import audit_history
from comments.views import comment_thread
from core import documents, exports
from core.errors import ApplicationError, Duplicate, ValidationFailed
from core.forms import (
    add_line_errors,
    add_service_errors,
    flash_refusal,
)
from core.htmx import redirect_page, render_partial, wants_partial
from core.lines import goods_lines
from core.paging import page_links
from invoicing import (
    attachments,
    coding,
    credit_notes,
    holds,
    matching,
    reconciliation,
    services,
    variances,
    without_po_views,
)
from invoicing.forms import (
    AcceptVarianceForm,
    DocumentTypeForm,
    HoldForm,
    InvoiceFilterForm,
    InvoiceForm,
    InvoiceLineFormSet,
    POSearchForm,
    POVendorForm,
    ReleaseForm,
    SendToApprovalForm,
    VoidForm,
    printed_tax_errors,
    printed_tax_formset,
    printed_tax_rows,
    tax_fields,
)
from invoicing.selectors import (
    invoice_export,
    invoice_get_or_404,
    invoice_list,
    invoice_list_for_po,
    invoices_creditable,
    invoices_similar,
    invoices_variances_sent_to,
)
from invoicing.validation import document_tax_lines
from purchasing.selectors import (
    purchase_order_get,
    purchase_order_get_by_number,
    purchase_order_list,
    purchase_orders_invoiceable,
)
from vendors.selectors import vendor_choices, vendor_get

logger = logging.getLogger(__name__)


def _list_filters(request) -> tuple[InvoiceFilterForm, dict, dict]:
    """The list's filter form, its cleaned values, and the selector's filters."""
    form = InvoiceFilterForm(request.GET or None, vendor_choices=vendor_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    selection = {
        "status": filters.get("status") or None,
        "po_id": filters.get("po") or None,
        "vendor_id": filters.get("vendor") or None,
        "submitted_from": filters.get("submitted_from"),
        "submitted_to": filters.get("submitted_to"),
        "held": bool(filters.get("held")),
        "document_type": filters.get("document_type") or None,
    }
    return form, filters, selection


def invoice_list_view(request, *, exceptions: bool = False):
    require_reader(request.user)
    form, filters, selection = _list_filters(request)
    if exceptions:
        selection["status"] = "rejected"
    page, http_status = None, 200
    if form.errors:
        http_status = 400  # a list under other filters than those asked misleads
    elif filters.get("awaiting"):
        page = without_po_views.awaiting_page(request, filters.get("cursor"))
    else:
        try:
            page = invoice_list(
                **selection,
                cursor=filters.get("cursor") or None,
                limit=settings.PAGE_SIZE,
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
            http_status = 400
    export_query = request.GET.copy()
    if exceptions:
        export_query["status"] = "rejected"
    return render_partial(
        request,
        "invoicing/invoice_list.html",
        {
            "form": form,
            "invoices": page.items if page else [],
            **page_links(request, page),
            "exceptions": exceptions,
            # "Awaiting my approval" only for those who approve.
            "approval_filter": has_role(request.user, Role.APPROVER),
            "filtered": bool(form.errors)
            or any(
                filters.get(name)
                for name in (
                    "status",
                    "po",
                    "vendor",
                    "submitted_from",
                    "submitted_to",
                    "held",
                    "awaiting",
                    "document_type",
                )
            ),
            "export_links": exports.export_links("invoicing:list-export", export_query),
        },
        partial="invoicing/_invoice_list.html",
        status=http_status,
    )


def invoice_list_export_view(request, fmt):
    require_reader(request.user)
    form, _, selection = _list_filters(request)
    exports.check_filters(form)
    return exports.export_response(invoice_export(**selection), fmt=fmt)


def invoice_detail_view(request, invoice_id, *, hold_form=None, status=200):
    require_reader(request.user)
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    context = _detail(request, invoice)
    # Only the whole page shows the possible-duplicate banner and the thread.
    context["similar"] = invoices_similar(invoice=invoice)
    context["comments"] = comment_thread(
        request, entity_type="invoice", record_id=invoice.id
    )
    if hold_form is not None:
        context["hold_form"], context["hold_open"] = hold_form, True
    return render(request, "invoicing/invoice_detail.html", context, status=status)


def _detail(request, invoice) -> dict:
    """
    What the invoice page and its reconcile fragment show: the invoice, its
    PO, the report, the history and the buttons.
    """
    po = purchase_order_get(po_id=invoice.po_id)
    is_clerk = has_role(request.user, Role.AP_CLERK)
    return {
        "invoice": invoice,
        "po": po,
        "rows": _comparison_rows(invoice, po),
        "report": invoice.report,
        "history": audit_history(entity_type="invoice", entity_id=invoice.id, limit=20),
        "can_reconcile": is_clerk and invoice.status == "received",
        "can_correct": is_clerk
        and invoice.status in ("received", "rejected")
        and not invoice.is_credit_note,  # void and enter again (credit_notes)
        "can_recode": is_clerk and coding.recode_refusal(invoice) is None,
        "can_credit": is_clerk
        and invoice.has_po
        and credit_notes.creditable_refusal(invoice) is None,
        "can_void": is_clerk
        and invoice.status
        in ("received", "rejected", "matched", "awaiting_approval", "approved"),
        "void_form": VoidForm(initial={"version": invoice.version}),
        **_hold_buttons(request, invoice),
        **without_po_views.approval_context(request, invoice),
        **_variance_buttons(request, invoice),
        **_tax_breakdown(invoice),
    }


def _tax_breakdown(invoice) -> dict:
    """
    The VAT breakdown table; for an invoice without PO (approved, not
    matched) the tax rules' findings as a warning to its approvers.
    """
    if not invoice.tax_lines:
        return {}
    lines = document_tax_lines(invoice)
    findings = (invoice.report or {}).get("findings", [])
    flagged = {f["line"] for f in findings if f["code"].startswith("TAX_")}
    warnings = []
    if not invoice.has_po:
        warnings = matching.tax_check(lines, invoice.tax_amount, settings.TAX_TOLERANCE)
        flagged |= {f.line for f in warnings}
    return {
        "tax_rows": [
            {
                "line": line,
                "category": VAT_CATEGORY_LABELS.get(line.category, line.category),
                "finding": line.tax_code in flagged,
            }
            for line in lines
        ],
        "tax_computed": tax_total(lines),
        "tax_warnings": warnings,
        "self_assessed": sum(
            (self_assessed_amount(line, invoice.currency) for line in lines),
            Decimal("0"),
        ),
    }


def _hold_buttons(request, invoice) -> dict:
    """The hold and release forms, for those who may hold invoices."""
    may_hold = has_role(request.user, *holds.HOLD_ROLES)
    refusal = holds.hold_refusal(invoice)
    return {
        "can_hold": may_hold and refusal is None,
        "can_release": may_hold and invoice.held is not None,
        "hold_form": HoldForm(initial={"version": invoice.version}),
        "release_form": ReleaseForm(initial={"version": invoice.version}),
    }


def _variance_buttons(request, invoice) -> dict:
    """
    On a rejected PO invoice: "Accept variance…" for approvers and "Send to
    approval…" for clerks, each with the reason it is refused instead when
    the service would refuse it (invoicing.variances' own rules).
    """
    if invoice.status != "rejected" or not invoice.has_po:
        return {}
    context = {"variance_open": True}
    if has_role(request.user, *variances.ACCEPT_ROLES):
        value = variances.invoice_value(invoice)
        context["accept_refusal"] = variances.acceptance_refusal(
            invoice, user=request.user, value=value
        )
        context["may_accept"] = True
    if has_role(request.user, *variances.SEND_ROLES):
        context["send_refusal"] = variances.sending_refusal(invoice, user=request.user)
        context["may_send"] = True
    return context


def _findings_by_line(invoice) -> tuple[dict, dict]:
    """The report's findings by PO line number, and by invoice line position."""
    by_po_line, by_position = {}, {}
    for finding in (invoice.report or {}).get("findings", []):
        # UNMATCHED_LINE names the invoice line's position; the rest a PO line.
        target = by_position if finding["code"] == "UNMATCHED_LINE" else by_po_line
        target.setdefault(finding["line"], []).append(finding)
    return by_po_line, by_position


def _comparison_rows(invoice, po):
    """PO vs invoice, line by line, with the line's findings beside it."""
    by_po_line, by_position = _findings_by_line(invoice)
    po_lines = {line.line_number: line for line in po.items} if po else {}
    goods = goods_lines(invoice.items)
    # An e-invoice's allowance and charge lines come last and pair with no PO line.
    numbers = matching.paired_po_line_numbers(
        [line.po_line_number for line in goods], list(po_lines)
    ) + [None] * (len(invoice.items) - len(goods))
    rows = []
    for position, (line, number) in enumerate(zip(invoice.items, numbers, strict=True)):
        po_line = po_lines.get(number)
        row_findings = by_po_line.get(number, []) if po_line else []
        row_findings = row_findings + by_position.get(position + 1, [])
        rows.append({"invoice": line, "po": po_line, "findings": row_findings})
    return rows


@require_http_methods(["GET", "POST"])
def invoice_create_view(request):
    require_role(request.user, Role.AP_CLERK, action="enter invoices")
    po = (
        purchase_order_get(po_id=request.GET.get("po", ""))
        if request.GET.get("po")
        else None
    )
    if po is None and request.GET.get("without_po"):
        return without_po_views.invoice_without_po_entry(request, _invoice_form)
    if po is None:
        return _choose_po(request)
    document = _document_form(request, po)
    initial_lines, billing_note = _lines_to_bill(po)
    if document.is_credit_note:  # what it credits was billed: no warning
        initial_lines, billing_note = _lines_to_credit(po), ""

    def save(form, lines, attachment):
        entered = dict(
            user=request.user,
            invoice_number=form.cleaned_data["invoice_number"],
            invoice_date=form.cleaned_data["invoice_date"],
            lines=lines,
            total_amount=form.cleaned_data["total_amount"] or None,
            attachment=attachment,
            **tax_fields(form),
        )
        if document.is_credit_note:
            return credit_notes.credit_note_create(
                po_id=po.id,
                credited_invoice_id=document.cleaned_data["credited_invoice"] or None,
                **entered,
            )
        return services.invoice_create(po_id=po.id, **entered)

    return _invoice_form(
        request,
        po=po,
        initial={"invoice_date": timezone.localdate(), "tax_amount": "0.00"},
        initial_lines=initial_lines,
        billing_note=billing_note,
        document_form=document,
        save=save,
        done=(
            "Credit note {number} entered; reconcile it now or let the scheduled "
            "job do it."
            if document.is_credit_note
            else "Invoice {number} entered; reconcile it now or let the scheduled "
            "job do it."
        ),
    )


def _document_form(request, po) -> DocumentTypeForm:
    """
    Invoice or credit note, and the PO's invoice a credit note credits; a
    link (`?type=credit_note&credits=<id>`) may choose them beforehand.
    """
    choices = [
        (invoice.id, f"{invoice.invoice_number} ({invoice.status})")
        for invoice in invoices_creditable(po_id=po.id)
    ]
    if request.method == "POST":
        data = request.POST
    else:
        data = {
            "document_type": request.GET.get("type") or "invoice",
            "credited_invoice": request.GET.get("credits", ""),
        }
    form = DocumentTypeForm(data, invoice_choices=choices)
    form.is_valid()  # an unknown choice shows as the field's error
    return form


def _lines_to_credit(po) -> list[dict]:
    """A credit note starts from the PO's lines, without quantities to type over."""
    return [
        {
            "po_line_number": line.line_number,
            "description": line.description,
            "quantity": None,
            "unit_price": line.unit_price,
            **coding_initial(line),
        }
        for line in po.items
        if line.invoiced_quantity
    ]


def _lines_to_bill(po) -> tuple[list[dict], str]:
    """
    The lines a new invoice of the PO starts from, and what the form warns of
    when the PO leaves nothing to bill: "" (nothing), "not_received" or
    "received" (a 3-way PO billed for all it received, if any), "invoiced" or
    "paid" (fully invoiced).

    Each line offers what remains to bill by reconciliation's own measure
    (ordered, on a 3-way PO received too, minus what matched invoices bill);
    lines billed in full are left out, since a vendor rarely bills them again.
    """
    left = reconciliation.po_left_to_bill(po)

    def lines(quantities: dict | None) -> list[dict]:
        return [
            {
                "po_line_number": line.line_number,
                "description": line.description,
                "quantity": quantities[line.line_number] if quantities else None,
                "unit_price": line.unit_price,
                **coding_initial(line),
            }
            for line in po.items
            if quantities is None or quantities[line.line_number]
        ]

    if any(left.billable.values()):
        return lines(left.billable), ""
    if not left.fully_invoiced:  # a 3-way PO billed for all it received so far
        nothing_yet = not any(line.received_quantity for line in po.items)
        return lines(left.ordered), "not_received" if nothing_yet else "received"
    # Nothing is left: the lines stay, to type what the vendor printed, but
    # without quantities, so that nothing is billed twice by pressing Enter.
    return lines(None), "paid" if _all_paid(po) else "invoiced"


def _all_paid(po) -> bool:
    """Whether every invoice billing the PO is paid (one page of them, as shown)."""
    page = invoice_list_for_po(po_id=po.id, limit=settings.PAGE_SIZE)
    billing = [
        invoice
        for invoice in page.items
        if invoice.status in ("matched", "scheduled", "paid")
    ]
    return (
        bool(billing)
        and not page.next_cursor
        and all(invoice.status == "paid" for invoice in billing)
    )


def _choose_po(request):
    search = POSearchForm(request.GET or None)
    if search.is_valid() and search.cleaned_data["q"]:
        found = purchase_order_get_by_number(po_number=search.cleaned_data["q"])
        if found:
            return redirect_page(
                request, f"{reverse('invoicing:create')}?po={found.id}"
            )
    by_vendor = POVendorForm(request.GET or None, vendor_choices=vendor_choices())
    vendor_id = by_vendor.cleaned_data["vendor"] if by_vendor.is_valid() else None
    context = {
        "search": search,
        "not_found": search.is_valid() and search.cleaned_data["q"],
        "by_vendor": by_vendor,
        "without_po": without_po_views.WithoutPOVendorForm(
            vendor_choices=by_vendor.fields["vendor"].choices[1:]
        ),
    }
    if vendor_id:
        page = purchase_orders_invoiceable(
            vendor_id=vendor_id,
            cursor=by_vendor.cleaned_data["cursor"] or None,
            limit=settings.PAGE_SIZE,
        )
        context.update(
            vendor_name=dict(by_vendor.fields["vendor"].choices)[vendor_id],
            vendor_pos=page.items,
            **page_links(request, page),
        )
    else:
        context["recent"] = (
            purchase_order_list(status="approved", limit=20).items
            + purchase_order_list(status="sent", limit=20).items
        )
    return render_partial(
        request,
        "invoicing/invoice_choose_po.html",
        context,
        partial="invoicing/_po_picker.html",
    )


@require_http_methods(["GET", "POST"])
def invoice_correct_view(request, invoice_id):
    require_role(request.user, Role.AP_CLERK, action="correct invoices")
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    po = purchase_order_get(po_id=invoice.po_id)
    return _invoice_form(
        request,
        po=po,
        vendor=None if invoice.has_po else vendor_get(vendor_id=invoice.vendor_id),
        invoice=invoice,
        initial={
            "invoice_number": invoice.invoice_number,
            "invoice_date": invoice.invoice_date,
            "tax_amount": invoice.tax_amount,
            # The total printed on the vendor's document stays to check against.
            "total_amount": invoice.total_amount,
            "version": invoice.version,
        },
        initial_lines=[
            {
                "po_line_number": line.po_line_number,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                **coding_initial(line),
            }
            for line in invoice.items
        ],
        save=lambda form, lines, attachment: services.invoice_resubmit(
            invoice_id=invoice.id,
            user=request.user,
            version=form.cleaned_data["version"],
            invoice_number=form.cleaned_data["invoice_number"],
            invoice_date=form.cleaned_data["invoice_date"],
            lines=lines,
            total_amount=form.cleaned_data["total_amount"] or None,
            attachment=attachment,
            **tax_fields(form),
        ),
        done="Invoice {number} corrected and back in the reconciliation queue."
        if invoice.has_po
        else "Invoice {number} corrected and back awaiting approval.",
    )


def _invoice_form(
    request,
    *,
    po,
    initial,
    initial_lines,
    save,
    done,
    invoice=None,
    billing_note="",
    vendor=None,
    document_form=None,
):
    """
    The invoice form of an entry or a correction; `save(form, lines,
    attachment)` writes it. A file (an entry's document, a correction's
    revised one) sent with a refused invoice is held and offered again, so
    the clerk does not lose it by fixing a total. A correction shows, beside
    each line, its PO line and the findings it corrects.
    """
    status, held = 200, None
    takes_files = True
    # Each row's coding selects; blank, a PO invoice's line takes its PO line's.
    row_coding = {
        "coding": coding_choices(
            blank="Choose" if po is None else "From the PO line",
            lines=invoice.items if invoice else (),
        )
    }
    if request.method == "POST":
        form = InvoiceForm(request.POST, request.FILES, initial=initial)
        form.fields["version"].required = invoice is not None
        formset = InvoiceLineFormSet(
            request.POST, prefix="lines", form_kwargs=row_coding
        )
        printed = printed_tax_formset(request.POST)
        valid = form.is_valid() & formset.is_valid()  # both: every error is shown
        valid &= printed is None or printed.is_valid()
        valid &= document_form is None or document_form.is_valid()
        upload = request.FILES.get("attachment") if takes_files else None
        if takes_files:
            held = _held_attachment(request, form, replaced=upload is not None)
        if valid and not form.errors:
            lines, positions = formset_coded_lines(
                formset, ("po_line_number", "description", "quantity", "unit_price")
            )
            form.cleaned_data["printed_tax"], printed_positions = printed_tax_rows(
                printed
            )
            try:
                attachment = upload
                if held is not None:
                    attachment = attachments.attachment_held_file(held)
                saved = save(form, lines, attachment)
            except Duplicate as exc:
                existing = reverse(
                    "invoicing:detail", args=[exc.extra["existing_invoice_id"]]
                )
                form.add_error(
                    "invoice_number",
                    format_html(
                        '{} <a href="{}">Open the existing invoice</a>.',
                        exc.message,
                        existing,
                    ),
                )
                status = 409
            except ApplicationError as exc:
                add_line_errors(form, formset, positions, exc)
                printed_tax_errors(printed, printed_positions, exc)
                status = exc.status_code
            else:
                if held is not None:
                    _release(held)
                messages.success(request, done.format(number=saved.invoice_number))
                return redirect("invoicing:detail", invoice_id=saved.id)
        else:
            status = 422
        if upload is not None and "attachment" not in form.errors:
            held = _hold(request, form, upload)
        if held is not None and "attachment" in form.errors:
            _release(held)  # the kept file itself was refused: choose another
            held = None
    else:
        form = InvoiceForm(initial=initial)
        formset = InvoiceLineFormSet(
            prefix="lines", initial=initial_lines, form_kwargs=row_coding
        )
        printed = printed_tax_formset(initial=_printed_initial(invoice, po))
    if invoice is not None and po is not None:
        _correction_hints(invoice, po, formset)
    return render(
        request,
        "invoicing/invoice_form.html",
        {
            "form": form,
            "formset": formset,
            "po": po,
            "vendor": vendor,  # an invoice without PO's
            "invoice": invoice,
            "billing_note": billing_note,
            "held": held,
            "document_form": document_form,
            "printed_tax": printed,
        },
        status=status,
    )


def _printed_initial(invoice, po) -> list[dict]:
    """A correction's tax codes and printed tax; an entry's codes of its PO's lines."""
    if invoice is not None:
        return [
            {"tax_code": line.tax_code, "amount": line.printed}
            for line in invoice.tax_lines or ()
        ]
    codes = dict.fromkeys(
        getattr(line, "tax_code", None) for line in (po.items if po else ())
    )
    return [{"tax_code": code} for code in codes if code]


def _correction_hints(invoice, po, formset) -> None:
    """
    Give each line of a correction `po_hint`: the PO line it pairs with (its
    ordered quantity and unit price), what that line leaves to bill, and the
    last report's findings on it, so the clerk corrects keying errors only.
    """
    left = reconciliation.po_left_to_bill(po)
    po_lines = {line.line_number: line for line in po.items}
    by_po_line, by_position = _findings_by_line(invoice)
    typed = [
        form
        for form in formset.forms
        if form["description"].value() or form["quantity"].value()
    ]

    def line_number(form) -> int | None:
        value = form["po_line_number"].value()
        try:
            return int(value) if value not in (None, "") else None
        except (TypeError, ValueError):
            return None

    numbers = matching.paired_po_line_numbers(
        [line_number(form) for form in typed], list(po_lines)
    )
    for position, (form, number) in enumerate(zip(typed, numbers, strict=True)):
        po_line = po_lines.get(number)
        form.po_hint = {
            "line": po_line,
            "left": left.billable.get(number) if po_line else None,
            "findings": (by_po_line.get(number, []) if po_line else [])
            + by_position.get(position + 1, []),
        }


def _held_attachment(request, form, *, replaced: bool):
    """
    The file kept from the clerk's last try, unless they chose another or
    left it out; a token that is not theirs, or too old, is refused beside
    the file field.
    """
    token = request.POST.get("held_attachment")
    if not token:
        return None
    try:
        held = attachments.attachment_held(user=request.user, token=token)
    except ValidationFailed as exc:
        form.add_error("attachment", exc.message)
        return None
    if replaced or request.POST.get("held_attachment_clear"):
        _release(held)
        return None
    return held


def _hold(request, form, upload):
    """Keep the upload for the next try; a file that cannot be kept is said so."""
    try:
        return attachments.attachment_hold(user=request.user, upload=upload)
    except ApplicationError as exc:
        form.add_error("attachment", exc.message)
        return None


def _release(held) -> None:
    # Only tidying: the held file expires anyway, and what the clerk did stands.
    try:
        attachments.attachment_release(held)
    except ApplicationError:
        logger.warning("Could not remove the held attachment %s", held.key)


def invoice_attachment_view(request, invoice_id):
    """Download the vendor's document, through the app (never a public URL)."""
    require_reader(request.user)
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    if not invoice.attachment_key:
        raise Http404("This invoice has no attachment.")
    return documents.document_download(
        key=invoice.attachment_key,
        filename=invoice.attachment_name,
        content_type=invoice.attachment_type,
    )


@require_POST
def invoice_reconcile_view(request, invoice_id):
    try:
        invoice, report = reconciliation.invoice_reconcile(
            invoice_id=invoice_id, user=request.user
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        text = {
            "matched": "matched its PO",
            "rejected": f"was rejected with {len(report.findings)} finding(s)",
            "awaiting_receipt": "waits for the goods to be received (3-way)",
        }[report.outcome.value]
        notify = (
            messages.success if report.outcome.value == "matched" else messages.warning
        )
        kind = "Credit note" if invoice.is_credit_note else "Invoice"
        notify(request, f"{kind} {invoice.invoice_number} {text}.")
    if not wants_partial(request):
        return redirect("invoicing:detail", invoice_id=invoice_id)
    # htmx: the page's parts that reconciling changes, read again (a refusal too).
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    return render_partial(
        request,
        "invoicing/invoice_detail.html",
        _detail(request, invoice),
        partial="invoicing/_reconcile_result.html",
    )


@require_POST
def invoice_void_view(request, invoice_id):
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the invoice is void.")
        return redirect("invoicing:detail", invoice_id=invoice_id)
    try:
        invoice = services.invoice_void(
            invoice_id=invoice_id,
            user=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request, f"Invoice {invoice.invoice_number} is void; its number is free."
        )
    return redirect("invoicing:detail", invoice_id=invoice_id)


@require_POST
def invoice_hold_view(request, invoice_id):
    """Put the invoice on hold; a refusal is shown on the page, with its status."""
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            invoice = holds.invoice_hold(
                invoice_id=invoice_id,
                user=request.user,
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
                version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            if exc.status_code in (403, 404):
                raise
            add_service_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(
                request,
                f"Invoice {invoice.invoice_number} is on hold; "
                "no payment run proposes it until it is released.",
            )
            return redirect("invoicing:detail", invoice_id=invoice_id)
    else:
        status = 422
    return invoice_detail_view(request, invoice_id, hold_form=form, status=status)


@require_POST
def invoice_release_view(request, invoice_id):
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the invoice and release it again.")
        return redirect("invoicing:detail", invoice_id=invoice_id)
    try:
        invoice = holds.invoice_release(
            invoice_id=invoice_id,
            user=request.user,
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request,
            f"Invoice {invoice.invoice_number} is released; "
            "the next payment run may propose it.",
        )
    return redirect("invoicing:detail", invoice_id=invoice_id)


# --- Variances (invoicing.variances) ---------------------------------------------


@require_http_methods(["GET", "POST"])
def invoice_accept_variance_view(request, invoice_id):
    """The findings an acceptance covers, and the reason it needs; refusals named."""
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    require_role(
        request.user, *variances.ACCEPT_ROLES, action="accept invoice variances"
    )
    status = 200
    if request.method == "POST":
        form = AcceptVarianceForm(request.POST)
        if form.is_valid():
            try:
                invoice = variances.invoice_variance_accept(
                    invoice_id=invoice.id,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    version=form.cleaned_data["version"],
                )
            except ApplicationError as exc:
                if exc.status_code == 404:
                    raise
                add_service_errors(form, exc)
                status = exc.status_code
                invoice = invoice_get_or_404(invoice_id=invoice_id)
            else:
                messages.success(
                    request,
                    f"Variance of invoice {invoice.invoice_number} accepted: it is "
                    "matched, and its PO's invoiced figures include it.",
                )
                return redirect("invoicing:detail", invoice_id=invoice.id)
        else:
            status = 422
    else:
        form = AcceptVarianceForm(initial={"version": invoice.version})
    value = variances.invoice_value(invoice)
    return render(
        request,
        "invoicing/invoice_accept_variance.html",
        {
            "invoice": invoice,
            "form": form,
            "report": invoice.report,
            "value": value,
            "refusal": variances.acceptance_refusal(
                invoice, user=request.user, value=value
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def invoice_send_to_approval_view(request, invoice_id):
    invoice = invoice_get_or_404(invoice_id=invoice_id)
    require_role(
        request.user, *variances.SEND_ROLES, action="send invoices to approval"
    )
    approvers = approvers_list(
        exclude={invoice.submitted_by, request.user.get_username()}
    )
    status = 200
    if request.method == "POST":
        form = SendToApprovalForm(request.POST, approvers=approvers)
        if form.is_valid():
            try:
                invoice = variances.invoice_send_to_approval(
                    invoice_id=invoice.id,
                    user=request.user,
                    note=form.cleaned_data["note"],
                    approver=form.cleaned_data["approver"] or None,
                    version=form.cleaned_data["version"],
                )
            except ApplicationError as exc:
                if exc.status_code == 404:
                    raise
                add_service_errors(form, exc)
                status = exc.status_code
                invoice = invoice_get_or_404(invoice_id=invoice_id)
            else:
                messages.success(
                    request,
                    f"Invoice {invoice.invoice_number} sent to "
                    f"{invoice.variance_sent_to or 'the approvers'} for acceptance.",
                )
                return redirect("invoicing:detail", invoice_id=invoice.id)
        else:
            status = 422
    else:
        form = SendToApprovalForm(
            initial={
                "version": invoice.version,
                "approver": invoice.variance_sent_to or "",
                "note": invoice.variance_note or "",
            },
            approvers=approvers,
        )
    return render(
        request,
        "invoicing/invoice_send_to_approval.html",
        {
            "invoice": invoice,
            "form": form,
            "report": invoice.report,
            "refusal": variances.sending_refusal(invoice, user=request.user),
        },
        status=status,
    )


def invoice_variances_view(request):
    """Variances sent to me: the approver's queue, oldest sent first."""
    require_reader(request.user)
    page = invoices_variances_sent_to(
        user=request.user,
        cursor=request.GET.get("cursor") or None,
        limit=settings.PAGE_SIZE,
    )
    return render(
        request,
        "invoicing/variance_queue.html",
        {"invoices": page.items, **page_links(request, page)},
    )
