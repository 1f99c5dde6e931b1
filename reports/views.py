"""The reports' pages: the journal of a period, a vendor's ledger and the AP ageing report."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from core import exports
from core.errors import ApplicationError
from core.forms import add_service_errors
from core.paging import page_links
from reports import journal, rules
from reports.forms import (
    JOURNAL_FORMATS,
    OLDEST_FIRST,
    AgeingFilterForm,
    JournalPeriodForm,
    LedgerFilterForm,
)
from reports.selectors import (
    ageing_export,
    ageing_report,
    ageing_vendor_items,
    require_finance,
    vendor_ledger,
    vendor_ledger_export,
)
from reports.services import ageing_refresh


def file_response(exported: journal.JournalFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.name}"'
    response["X-Content-SHA256"] = exported.sha256
    return response


@require_GET
def journal_view(request):
    """Pick a period, see its entries balanced, download them as CSV or DATEV."""
    journal.require_journal_reader(request.user)
    form = JournalPeriodForm(request.GET or None)
    period = None
    if form.is_bound and form.is_valid():
        try:
            period = journal.journal_for_period(
                user=request.user,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ApplicationError as error:
            add_service_errors(form, error)
    downloads = []
    if period is not None:
        query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
        downloads = [
            (label, f"{reverse('reports:journal-file', args=[fmt])}?{urlencode(query)}")
            for fmt, label in JOURNAL_FORMATS
        ]
    return render(
        request,
        "reports/journal.html",
        {"form": form, "journal": period, "downloads": downloads},
    )


@require_GET
def journal_file_view(request, fmt: str):
    """Download the period's journal; the export is recorded."""
    form = JournalPeriodForm(request.GET)
    if not form.is_valid():
        journal.require_journal_reader(request.user, action="export the journal")
        messages.error(request, "Choose the period's first and last day to export.")
        return redirect("reports:journal")
    try:
        exported = journal.journal_export(
            user=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            fmt=fmt,
        )
    except ApplicationError as error:
        if error.status_code in (403, 404):
            raise
        messages.error(request, error.message)
        query = urlencode({"from": request.GET["from"], "to": request.GET["to"]})
        return redirect(f"{reverse('reports:journal')}?{query}")
    return file_response(exported)


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
