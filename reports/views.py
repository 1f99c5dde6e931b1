"""Report pages: thin views over reports.journal."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from core.errors import ApplicationError
from core.forms import add_service_errors
from reports import journal
from reports.forms import JOURNAL_FORMATS, JournalPeriodForm


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
