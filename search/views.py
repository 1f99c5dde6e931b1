"""The header's search page."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import require_reader
from search.forms import MAX_QUERY_LENGTH, SearchForm
from search.selectors import site_search
from vendors.bank_details import can_see_bank_details


@require_GET
def search_view(request):
    """Find vendors by name, tax id or account, and POs, invoices and runs by number."""
    require_reader(request.user)
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "search.html",
        {
            "form": form,
            "text": text,
            "groups": site_search(user=request.user, text=text) if text else [],
            "can_see_bank_details": can_see_bank_details(request.user),
            # What the header's box shows again; never more than it accepts.
            "search_text": request.GET.get("q", "")[:MAX_QUERY_LENGTH],
        },
        status=400 if form.errors else 200,
    )
