"""The health check load balancers and monitors ask."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection as sql_connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import dynamo


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
