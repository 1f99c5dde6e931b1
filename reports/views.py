"""The AP sub-ledger's pages: a vendor's ledger and the AP ageing report."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import exports
from core.paging import page_links
from reports import rules
from reports.forms import OLDEST_FIRST, AgeingFilterForm, LedgerFilterForm
from reports.selectors import (
    ageing_export,
    ageing_report,
    ageing_vendor_items,
    require_finance,
    vendor_ledger,
    vendor_ledger_export,
)
from reports.services import ageing_refresh


def _ledger_filters(request) -> tuple[LedgerFilterForm, dict]:
    form = LedgerFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, {"start": filters.get("start"), "end": filters.get("end")}


def vendor_ledger_view(request, vendor_id):
    form, period = _ledger_filters(request)
    ledger = vendor_ledger(
        user=request.user,
        vendor_id=vendor_id,
        cursor=request.GET.get("cursor") or None,
        newest_first=request.GET.get("order") != OLDEST_FIRST,
        **(period if not form.errors else {}),
    )
    return render(
        request,
        "reports/vendor_ledger.html",
        {
            "form": form,
            "ledger": ledger,
            "vendor": ledger.vendor,
            "buckets": rules.BUCKET_LABELS,
            "export_links": exports.export_links(
                "vendor-ledger-export", request.GET, vendor_id=ledger.vendor.id
            ),
            **page_links(request, ledger),
        },
    )


def vendor_ledger_export_view(request, vendor_id, fmt):
    form, period = _ledger_filters(request)
    exports.check_filters(form)
    export = vendor_ledger_export(user=request.user, vendor_id=vendor_id, **period)
    return exports.export_response(export, fmt=fmt)


def _ageing_filters(request) -> tuple[AgeingFilterForm, dict]:
    form = AgeingFilterForm(request.GET or None, currencies=_currencies(request))
    filters = form.cleaned_data if form.is_valid() else {}
    return form, {
        "as_of": filters.get("as_of"),
        "currency": filters.get("currency") or None,
    }


def _currencies(request) -> list[str]:
    # The choices are the summary's currencies; an unknown one is refused by
    # the form rather than showing an empty report.
    return ageing_report(user=request.user).currencies


def ageing_view(request):
    form, filters = _ageing_filters(request)
    report = ageing_report(user=request.user, **(filters if not form.errors else {}))
    return render(
        request,
        "reports/ageing.html",
        {
            "form": form,
            "report": report,
            "buckets": rules.BUCKET_LABELS,
            "export_links": exports.export_links("reports:ageing-export", request.GET),
        },
    )


def ageing_export_view(request, fmt):
    form, filters = _ageing_filters(request)
    exports.check_filters(form)
    return exports.export_response(ageing_export(user=request.user, **filters), fmt=fmt)


def ageing_vendor_view(request, vendor_id):
    form, filters = _ageing_filters(request)
    as_of = filters["as_of"] if not form.errors else None
    vendor, items = ageing_vendor_items(
        user=request.user, vendor_id=vendor_id, as_of=as_of
    )
    return render(
        request,
        "reports/ageing_vendor.html",
        {
            "vendor": vendor,
            "items": items,
            "as_of": as_of,
            "buckets": rules.BUCKET_LABELS,
        },
    )


@require_POST
def ageing_refresh_view(request):
    """Recompute the summary now (finance staff): one read of the open items."""
    require_finance(request.user, action="recompute the AP ageing report")
    summary = ageing_refresh()
    messages.success(
        request, f"Ageing recomputed in {summary.computed_in_ms / 1000:.1f} s."
    )
    return redirect("reports:ageing")
