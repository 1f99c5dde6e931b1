"""The exchange rates page: thin views over exchange_rates.selectors and services."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from core.errors import ValidationFailed
from core.forms import add_service_errors
from core.htmx import render_partial
from core.paging import page_links
from exchange_rates import rules, services
from exchange_rates.forms import ExchangeRateFilterForm, ExchangeRateForm
from exchange_rates.selectors import exchange_rate_list, require_rate_reader


@require_http_methods(["GET", "POST"])
def exchange_rate_list_view(request):
    """The rates, latest first, and (for the Admin) the form to enter one."""
    require_rate_reader(request.user)
    base = rules.base_currency()
    form = ExchangeRateForm(request.POST or None, base_currency=base)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rate = services.exchange_rate_create(
                    user=request.user, **form.cleaned_data
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    f"{rate.label}: 1 {rate.currency} = {rate.rate} {rate.base_currency}.",
                )
                return redirect("exchange_rates:list")
        else:
            status = 422
    filters_form = ExchangeRateFilterForm(request.GET or None, base_currency=base)
    if filters_form.is_bound and not filters_form.is_valid():
        # Refused, never answered with every rate as if unfiltered.
        raise ValidationFailed(
            "This currency filter is not valid; choose one from the list."
        )
    filters = filters_form.cleaned_data if filters_form.is_bound else {}
    page = exchange_rate_list(
        currency=filters.get("currency") or None,
        cursor=filters.get("cursor") or None,
        limit=settings.PAGE_SIZE,
    )
    return render_partial(
        request,
        "exchange_rates/exchange_rate_list.html",
        {
            "form": form,
            "filters_form": filters_form,
            "filtered": bool(filters.get("currency")),
            "rates": page.items,
            "base_currency": base,
            **page_links(request, page),
        },
        partial="exchange_rates/_exchange_rate_list.html",
        status=status,
    )
