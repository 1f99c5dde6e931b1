"""Site-wide pages: search, health check and API docs."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection as sql_connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from ninja.openapi.views import openapi_view

from accounts.roles import require_reader
from p2p_site import dynamo
from p2p_site.api import api
from p2p_site.forms import MAX_QUERY_LENGTH, SearchForm
from p2p_site.search import site_search


@require_GET
def search_view(request):
    """Find vendors by name and POs, invoices and payment runs by number."""
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
            # What the header's box shows again; never more than it accepts.
            "search_text": request.GET.get("q", "")[:MAX_QUERY_LENGTH],
        },
        status=400 if form.errors else 200,
    )


@login_not_required
@never_cache
@require_GET
def health(request):
    """Return 200 when DynamoDB and the users database answer, else 503 naming the failure."""
    unreachable = []
    try:
        # DescribeTable needs no permission beyond what the app already has.
        dynamo.boto3_client(fail_fast=True).describe_table(
            TableName=settings.DYNAMODB_TABLE_PREFIX + "VendorsTable"
        )
    except Exception:  # noqa: BLE001 - any failure means "unreachable" here
        unreachable.append("dynamodb")
    try:
        with sql_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001
        unreachable.append("database")
    if unreachable:
        return JsonResponse(
            {"status": "unavailable", "unreachable": unreachable}, status=503
        )
    return JsonResponse({"status": "ok"})


def api_docs(request):
    """Serve the interactive OpenAPI docs (Swagger UI, bundled: no CDN)."""
    return openapi_view(request, api=api)
