"""
The accounting code pages (/accounting/): thin views over accounting.selectors
and services. Any role reads the lists; only the Admin changes codes.
"""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounting import services
from accounting.forms import (
    CodeForm,
    CodeImportConfirmForm,
    CodeImportForm,
    VersionForm,
)
from accounting.imports import COLUMN_LABELS
from accounting.selectors import (
    accounting_code_get_or_404,
    accounting_code_list,
    gl_account_list,
)
from accounts.roles import require_reader
from core.csv_import import preview_keep, preview_take
from core.errors import ApplicationError, ValidationFailed
from core.forms import add_service_errors, flash_refusal

SLUGS = {
    "tax_code": "tax-codes",
    "gl_account": "gl-accounts",
    "cost_centre": "cost-centres",
}
KIND_BY_SLUG = {slug: kind for kind, slug in SLUGS.items()}
# What a page calls one code and the list (singular, plural).
KIND_NAMES = {
    "tax_code": ("tax code", "Tax codes"),
    "gl_account": ("GL account", "GL accounts"),
    "cost_centre": ("cost centre", "Cost centres"),
}
IMPORTABLE = ("gl_account", "cost_centre")


def _context(kind: str, **context) -> dict:
    singular, plural = KIND_NAMES[kind]
    return {
        "kind": kind,
        "singular": singular,
        "plural": plural,
        "importable": kind in IMPORTABLE,
        "kinds": [(k, KIND_NAMES[k][1]) for k in SLUGS],
        **context,
    }


@require_http_methods(["GET"])
def code_list_view(request, kind):
    """Every code of one kind; the Admin's links to add, edit, deactivate and import."""
    require_reader(request.user)
    codes = accounting_code_list(kind=kind)
    return render(request, "accounting/code_list.html", _context(kind, codes=codes))


def _accounts(kind: str) -> list:
    return gl_account_list(active_only=True) if kind == "tax_code" else []


def _code_form_page(request, kind, *, form, save, record=None):
    """Show the form; on a valid POST `save(form)` and go back to the list."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save(form)
            except ApplicationError as exc:
                add_service_errors(form, exc)
                status = exc.status_code
            else:
                done = "saved" if record else "added"
                messages.success(request, f"{saved.label} {done}.")
                return redirect("accounting:list", kind)
        else:
            status = 422
    return render(
        request,
        "accounting/code_form.html",
        _context(kind, form=form, record=record),
        status=status,
    )


@require_http_methods(["GET", "POST"])
def code_create_view(request, kind):
    services.require_code_keeper(request.user)
    form = CodeForm(
        request.POST or None, kind=kind, editing=False, accounts=_accounts(kind)
    )
    return _code_form_page(
        request,
        kind,
        form=form,
        save=lambda form: services.accounting_code_create(
            user=request.user, kind=kind, fields=form.service_fields()
        ),
    )


@require_http_methods(["GET", "POST"])
def code_edit_view(request, kind, code):
    services.require_code_keeper(request.user)
    record = accounting_code_get_or_404(kind=kind, code=code)
    initial = {
        field: getattr(record, field, None)
        for field in ("code", "name", "rate", "category", "gl_account",
                      "reverse_charge_account", "version")
    }  # fmt: skip
    form = CodeForm(
        request.POST or None,
        initial=initial,
        kind=kind,
        editing=True,
        accounts=_accounts(kind),
    )
    if kind == "tax_code":
        # A code named before its account was deactivated stays choosable.
        for field in ("gl_account", "reverse_charge_account"):
            current = getattr(record, field)
            if current and current not in dict(form.fields[field].choices):
                form.fields[field].choices.append((current, f"{current} (inactive)"))
    return _code_form_page(
        request,
        kind,
        form=form,
        record=record,
        save=lambda form: services.accounting_code_update(
            user=request.user,
            kind=kind,
            code=record.code,
            changes=form.service_fields(),
            version=form.cleaned_data["version"],
        ),
    )


@require_http_methods(["GET", "POST"])
def code_active_view(request, kind, code):
    """Ask to confirm (GET), then deactivate or activate the code (POST)."""
    services.require_code_keeper(request.user)
    record = accounting_code_get_or_404(kind=kind, code=code)
    form = VersionForm(request.POST or None, initial={"version": record.version})
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "Reload the page and confirm again.")
            return redirect("accounting:list", kind)
        try:
            record = services.accounting_code_update(
                user=request.user,
                kind=kind,
                code=record.code,
                changes={"active": not record.active},
                version=form.cleaned_data["version"],
            )
        except ApplicationError as exc:
            flash_refusal(request, exc)
        else:
            messages.success(
                request,
                f"{record.label} is active again."
                if record.active
                else f"{record.label} is inactive: new documents can no longer use it.",
            )
        return redirect("accounting:list", kind)
    return render(
        request,
        "accounting/code_confirm_active.html",
        _context(kind, form=form, record=record),
    )


# Where the file previewed is kept for the confirm step (core.csv_import).
_IMPORT_SESSION_KEY = "accounting_import"


@require_http_methods(["GET", "POST"])
def code_import_view(request, kind):
    """Step 1: upload a CSV file (GET); step 2: its preview, nothing written (POST)."""
    services.require_code_keeper(request.user)
    if kind not in IMPORTABLE:
        raise ValidationFailed("Tax codes are not imported: add them one by one.")
    form = CodeImportForm(request.POST or None, request.FILES or None)
    context = _context(
        kind,
        form=form,
        columns=COLUMN_LABELS,
        max_bytes=settings.ACCOUNTING_IMPORT_MAX_BYTES,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(settings.ACCOUNTING_IMPORT_MAX_BYTES + 1)
        try:
            plan = services.accounting_codes_import(
                user=request.user, kind=kind, content=content, dry_run=True
            )
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
        else:
            context.update(plan=plan, filename=upload.name)
            if plan.valid:
                digest = preview_keep(
                    request.session,
                    _IMPORT_SESSION_KEY,
                    content=content,
                    filename=upload.name,
                    kind=kind,
                )
                context["confirm_form"] = CodeImportConfirmForm(
                    initial={"digest": digest}
                )
    status = (
        422 if form.errors or ("plan" in context and not context["plan"].valid) else 200
    )
    return render(request, "accounting/code_import.html", context, status=status)


@require_POST
def code_import_confirm_view(request, kind):
    """Step 3: write the file previewed, checked again."""
    services.require_code_keeper(request.user)
    form = CodeImportConfirmForm(request.POST)
    stored = preview_take(
        request.session,
        _IMPORT_SESSION_KEY,
        digest=form.cleaned_data["digest"] if form.is_valid() else None,
        kind=kind,
    )
    if stored is None:
        messages.error(
            request,
            "That preview is no longer current (the file was imported, or another "
            "file was previewed since). Upload the file again to see its preview.",
        )
        return redirect("accounting:import", kind)
    try:
        plan = services.accounting_codes_import(
            user=request.user, kind=kind, content=stored["content"].encode()
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
        return redirect("accounting:import", kind)
    if not plan.valid:
        context = _context(
            kind,
            form=CodeImportForm(),
            plan=plan,
            filename=stored["filename"],
            columns=COLUMN_LABELS,
            max_bytes=settings.ACCOUNTING_IMPORT_MAX_BYTES,
        )
        return render(request, "accounting/code_import.html", context, status=422)
    messages.success(request, f"Import of {stored['filename']}: {plan.summary}.")
    return redirect("accounting:list", kind)
