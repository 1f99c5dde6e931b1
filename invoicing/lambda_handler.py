"""
AWS Lambda entry point for the reconciliation job.

Schedule it with EventBridge `cron(0/30 9-17 ? * MON-FRI *)`; handler
`invoicing.lambda_handler.lambda_handler`. It runs what
`manage.py reconcile_invoices` runs and returns the statistics. The event may
carry {"dry_run": true, "limit": N, "workers": N}.
"""

import os

import django


def lambda_handler(event, context):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.production")
    django.setup()
    from core import dynamo
    from invoicing.jobs import reconcile_waiting_invoices

    event = event or {}
    with dynamo.job_timeouts():
        stats = reconcile_waiting_invoices(
            dry_run=bool(event.get("dry_run", False)),
            limit=int(event["limit"]) if event.get("limit") is not None else None,
            workers=int(event.get("workers", 4)),
        )
    return stats.as_dict()
