"""
AWS Lambda entry point for the reconciliation job.

Schedule it with EventBridge `cron(0/30 9-17 ? * MON-FRI *)`; handler
`invoicing.lambda_handler.lambda_handler`. It runs what
`manage.py reconcile_invoices` runs and returns the statistics. The event may
carry {"dry_run": true, "limit": N, "workers": N}, and {"shard": K,
"shards": N} to reconcile only share K of N of the queue (one invocation per
share, side by side); a share that is not one raises ShardRefused, naming it.
"""

import os

import django


def lambda_handler(event, context):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings.production")
    django.setup()
    from core import dynamo
    from invoicing.jobs import reconcile_waiting_invoices, shard_check

    event = event or {}
    shard, shards = (
        int(event[key]) if event.get(key) is not None else None
        for key in ("shard", "shards")
    )
    shard_check(shard, shards, names=('"shard"', '"shards"'))
    with dynamo.job_timeouts():
        stats = reconcile_waiting_invoices(
            dry_run=bool(event.get("dry_run", False)),
            limit=int(event["limit"]) if event.get("limit") is not None else None,
            workers=int(event.get("workers", 4)),
            shard=shard,
            shards=shards,
        )
    return stats.as_dict()
