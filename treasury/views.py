"""
The company bank account pages (/treasury/): thin views over
treasury.selectors and services. Treasurers and Auditors read the list;
only Admin adds, changes and confirms accounts.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.roles import Role, require_role
from core.errors import ApplicationError
from core.forms import add_service_errors, flash_refusal
from treasury import rules, services
from treasury.forms import BankAccountForm, ConfirmForm
from treasury.selectors import bank_account_get_or_404, bank_account_list


@require_http_methods(["GET"])
def bank_account_list_view(request):
    require_role(
        request.user, Role.TREASURER, Role.AUDITOR, action="see the company's accounts"
    )
    return render(
        request, "treasury/account_list.html", {"accounts": bank_account_list()}
    )


def _form_page(request, *, form, save, account=None):
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = save(form)
            except ApplicationError as exc:
                add_service_errors(form, exc)
                status = exc.status_code
            else:
                waiting = " It awaits another Admin's confirmation." * bool(
                    saved.awaiting_confirmation
                )
                messages.success(
                    request, f"{saved.name} {'saved' if account else 'added'}.{waiting}"
                )
                return redirect("treasury:list")
        else:
            status = 422
    return render(
        request,
        "treasury/account_form.html",
        {"form": form, "account": account},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def bank_account_create_view(request):
    services.require_account_keeper(request.user)
    form = BankAccountForm(request.POST or None, initial={"active": True})
    return _form_page(
        request,
        form=form,
        save=lambda form: services.bank_account_create(
            user=request.user, fields=form.service_fields()
        ),
    )


@require_http_methods(["GET", "POST"])
def bank_account_edit_view(request, account_id):
    services.require_account_keeper(request.user)
    account = bank_account_get_or_404(account_id=account_id)
    initial = {f: getattr(account, f) for f in rules.EDITABLE_FIELDS}
    form = BankAccountForm(
        request.POST or None, initial={**initial, "version": account.version}
    )
    return _form_page(
        request,
        form=form,
        account=account,
        save=lambda form: services.bank_account_update(
            user=request.user,
            account_id=account.id,
            changes=form.service_fields(),
            version=form.cleaned_data["version"],
        ),
    )


@require_POST
def bank_account_confirm_view(request, account_id):
    services.require_account_keeper(request.user)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The page was out of date: reload it and try again.")
        return redirect("treasury:list")
    try:
        account = services.bank_account_confirm(
            user=request.user,
            account_id=account_id,
            version=form.cleaned_data["version"],
        )
    except ApplicationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, f"{account.name} confirmed: runs may pay from it.")
    return redirect("treasury:list")
