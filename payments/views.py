"""Payment run pages: thin views over payments.selectors and payments.services."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, require_reader, require_role
from audit.selectors import audit_history
from comments.views import comment_thread
from core import documents, exports
from core.errors import ApplicationError, ValidationFailed
from core.forms import add_service_errors, flash_refusal
from core.htmx import render_partial
from core.paging import page_links
from payments import bank_answers, checks, inputs, services
from payments.forms import (
    BankStatementUploadForm,
    BuildForm,
    ProposalForm,
    RunCancelForm,
    RunDecisionForm,
    RunFilterForm,
    RunReturnForm,
)
from payments.selectors import (
    bank_statement_get_or_404,
    bank_statement_list,
    payment_run_actions,
    payment_run_export,
    payment_run_file,
    payment_run_get_or_404,
    payment_run_iban_flags,
    payment_run_list,
    payment_run_proposal,
)
from treasury.selectors import paying_account_labels


def _list_filters(request) -> tuple[RunFilterForm, dict, dict]:
    """The list's filter form, its cleaned values, and the selector's filters."""
    form = RunFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, filters, {"status": filters.get("status") or None}


def payment_run_list_view(request):
    require_reader(request.user)
    form, filters, selection = _list_filters(request)
    page = payment_run_list(
        **selection, cursor=filters.get("cursor") or None, limit=settings.PAGE_SIZE
    )
    return render_partial(
        request,
        "payments/run_list.html",
        {
            "form": form,
            "runs": page.items,
            **page_links(request, page),
            "filtered": bool(filters.get("status")),
            "export_links": exports.export_links("payments:list-export", request.GET),
        },
        partial="payments/_run_list.html",
    )


def payment_run_list_export_view(request, fmt):
    require_reader(request.user)
    form, _, selection = _list_filters(request)
    exports.check_filters(form)
    return exports.export_response(payment_run_export(**selection), fmt=fmt)


def payment_run_detail_view(request, run_id):
    require_reader(request.user)
    run = payment_run_get_or_404(run_id=run_id)
    accounts = paying_account_labels(
        account_ids={p.paying_account_id for p in run.payments}
        | {f.paying_account_id for f in run.files}
    )
    return render(
        request,
        "payments/run_detail.html",
        {
            "run": run,
            # Each file with the account it pays from (None: the payer in settings).
            "files": [(f, accounts.get(f.paying_account_id)) for f in run.files],
            "paid_from": {
                p.currency: accounts[p.paying_account_id]
                for p in run.payments
                if p.paying_account_id in accounts
            },
            "actions": payment_run_actions(run=run, user=request.user),
            "cancel_form": RunCancelForm(initial={"version": run.version}),
            "return_form": RunReturnForm(initial={"version": run.version}),
            "iban_flags": payment_run_iban_flags(run=run),
            "history": audit_history(
                entity_type="payment_run", entity_id=run.id, limit=30
            ),
            "comments": comment_thread(
                request, entity_type="payment_run", record_id=run.id
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def payment_run_create_view(request):
    """Step 1: pick the date (GET); step 2: untick invoices and build (POST)."""
    require_role(request.user, Role.TREASURER, action="build payment runs")
    proposal = None
    next_business_day = None
    data = request.POST if request.method == "POST" else request.GET
    form = ProposalForm(
        data or None,
        initial={"payment_date": inputs.default_payment_date(checks.local_today())},
    )
    if form.is_valid():
        try:
            proposal = _proposal_for(form.cleaned_data, user=request.user)
        except ApplicationError as exc:
            add_service_errors(form, exc)
            next_business_day = exc.extra.get("next_business_day")
    if proposal is not None and request.method == "POST":
        # The ticks sent stay ticked on a page shown again (no JavaScript).
        proposal.tick(request.POST.getlist("invoice_ids"))
    if (
        proposal is not None
        and request.method == "POST"
        and not _recalculating(request)
    ):
        build = BuildForm(request.POST, invoice_choices=proposal.invoices())
        if build.is_valid():
            try:
                built = services.payment_run_create(
                    user=request.user,
                    payment_date=build.cleaned_data["payment_date"],
                    currency=build.cleaned_data["currency"] or None,
                    invoice_ids=build.cleaned_data["invoice_ids"],
                    idempotency_key=build.cleaned_data["idempotency_key"],
                )
            except ApplicationError as exc:
                flash_refusal(request, exc)
            else:
                run = built.run
                message = (
                    f"Payment run {run.number} built with {run.invoice_count} invoices."
                )
                if built.left_out:
                    message += (
                        " Left out because another run took them meanwhile: "
                        + ", ".join(built.left_out)
                        + "."
                    )
                messages.success(request, message)
                return redirect("payments:detail", run_id=run.id)
        else:
            messages.error(request, "Reload the proposal and try again.")
    return render(
        request,
        "payments/run_create.html",
        {
            "form": form,
            "proposal": proposal,
            "next_business_day": next_business_day,
            "idempotency_key": uuid.uuid4().hex,
        },
    )


def _proposal_for(cleaned: dict, *, user):
    """The proposal for a date that is a business day of every currency it pays."""
    currency = cleaned["currency"] or None
    date = inputs.clean_payment_date(
        cleaned["payment_date"], today=checks.local_today(), currencies=[currency]
    )
    proposal = payment_run_proposal(user=user, payment_date=date, currency=currency)
    inputs.clean_execution_date(
        date, currencies={payment.currency for payment in proposal.payments}
    )
    return proposal


def _recalculating(request) -> bool:
    """The "Recalculate the total" button: show the ticked total, build nothing."""
    return "recalculate" in request.POST


_DECISIONS = {
    "approve": (services.payment_run_approve, "Payment run {number} approved."),
    "resubmit": (
        services.payment_run_resubmit,
        "Payment run {number} sent for approval again.",
    ),
    "export": (
        services.payment_run_export,
        "Payment run {number} exported: its payment files are ready to download.",
    ),
    "confirm": (
        services.payment_run_confirm,
        "Payment run {number} confirmed: its invoices are paid.",
    ),
}


@require_POST
def payment_run_decide_view(request, run_id, decision):
    """Approve, export or confirm: one button each, the service decides."""
    service, done = _DECISIONS[decision]
    form = RunDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Reload the page and try again.")
        return redirect("payments:detail", run_id=run_id)
    try:
        run = service(
            run_id=run_id, user=request.user, version=form.cleaned_data["version"]
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, done.format(number=run.number))
    return redirect("payments:detail", run_id=run_id)


# The moves that need a reason: the form, the service, the refusal of a form
# without one and the message once done.
_REASONED = {
    "cancel": (
        RunCancelForm,
        services.payment_run_cancel,
        "Say why the run is cancelled.",
        "Payment run {number} cancelled: its invoices are matched again.",
    ),
    "return": (
        RunReturnForm,
        services.payment_run_return,
        "Say why the run goes back to its builder.",
        "Payment run {number} returned to {builder}, who built it.",
    ),
}


@require_POST
def payment_run_reasoned_view(request, run_id, decision):
    """Cancel, or return to its builder (an approver): each with a reason."""
    form_class, service, missing, done = _REASONED[decision]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, missing)
        return redirect("payments:detail", run_id=run_id)
    try:
        run = service(
            run_id=run_id,
            user=request.user,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(
            request, done.format(number=run.number, builder=run.created_by)
        )
    return redirect("payments:detail", run_id=run_id)


def payment_run_file_view(request, run_id, name):
    """Download one of the run's files through the app (never a public URL)."""
    run = payment_run_get_or_404(run_id=run_id)
    run_file = payment_run_file(run=run, user=request.user, name=name)
    return documents.document_download(
        key=run_file.key,
        filename=f"{run.number}-{run_file.name}",
        content_type=run_file.content_type,
    )


# --- Bank statements (issue 17) ---------------------------------------------------


@require_http_methods(["GET", "POST"])
def bank_statement_list_view(request):
    """The imported bank files, newest first, and the upload form (Treasurer)."""
    require_reader(request.user)
    form = BankStatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # One byte past the limit is enough to refuse a file as too large.
        content = upload.read(bank_answers.max_bytes() + 1)
        try:
            result = bank_answers.bank_statement_import(
                content=content, filename=upload.name, user=request.user
            )
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        except ApplicationError as exc:
            flash_refusal(request, exc)
            return redirect("payments:bank-statements")
        else:
            messages.success(request, _imported_message(result))
            return redirect("payments:bank-statement", statement_id=result.id)
    page = bank_statement_list(
        cursor=request.GET.get("cursor") or None, limit=settings.PAGE_SIZE
    )
    return render(
        request,
        "payments/bank_statement_list.html",
        {
            "form": form,
            "statements": page.items,
            **page_links(request, page),
            "max_bytes": bank_answers.max_bytes(),
        },
        status=422 if form.errors else 200,
    )


def _imported_message(result) -> str:
    statement = result.statement
    if result.already_imported:
        return (
            f"{statement.filename} was already imported on "
            f"{statement.imported_at:%Y-%m-%d %H:%M} UTC by {statement.imported_by}: "
            "nothing changed."
        )
    message = (
        f"{statement.message_type} {statement.message_id} imported: {result.summary()}."
    )
    if statement.confirmed_runs:
        message += " Confirmed: " + ", ".join(statement.confirmed_runs) + "."
    return message


def bank_statement_detail_view(request, statement_id):
    require_reader(request.user)
    statement = bank_statement_get_or_404(statement_id=statement_id)
    return render(
        request,
        "payments/bank_statement_detail.html",
        {
            "statement": statement,
            "history": audit_history(
                entity_type="bank_statement", entity_id=statement.id, limit=10
            ),
        },
    )


def bank_statement_file_view(request, statement_id):
    """Download the bank file as imported (Treasurer, Auditor)."""
    statement = bank_statement_get_or_404(statement_id=statement_id)
    checks.role_check(request.user, "download")
    return documents.document_download(
        key=statement.document_key,
        filename=statement.filename,
        content_type="application/xml",
    )
