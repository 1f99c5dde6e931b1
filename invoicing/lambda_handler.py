"""
AWS Lambda entry point for the reconciliation job.

Schedule it with EventBridge `cron(0/30 9-17 ? * MON-FRI *)`; handler
`invoicing.lambda_handler.lambda_handler`. It runs what
`manage.py reconcile_invoices` runs and returns the statistics. The event may
carry {"dry_run": true, "limit": N, "workers": N}, and {"shard": K,
"shards": N} to reconcile only share K of N of the queue (one invocation per
share, side by side); a share that is not one raises ShardRefused, naming it.
Like `manage.py reconcile_invoices`, it holds the job's lease (per share) and
publishes the statistics as metrics; a run finding the lease held returns
{"skipped": "skipped: ... is running since ... (owner ...)"}.
"""

from core.lambda_handler import lambda_setup


def lambda_handler(event, context):
    lambda_setup()  # the job's secrets, then Django
    from core import dynamo
    from core.commands import scheduled_run
    from core.leases import LeaseHeld
    from invoicing.jobs import lease_name, reconcile_waiting_invoices, shard_check

    event = event or {}
    shard, shards = (
        int(event[key]) if event.get(key) is not None else None
        for key in ("shard", "shards")
    )
    shard_check(shard, shards, names=('"shard"', '"shards"'))
    try:
        with (
            dynamo.job_timeouts(),
            scheduled_run("reconcile_invoices", lease=lease_name(shard, shards)) as (
                counts
            ),
        ):
            stats = reconcile_waiting_invoices(
                dry_run=bool(event.get("dry_run", False)),
                limit=int(event["limit"]) if event.get("limit") is not None else None,
                workers=int(event.get("workers", 4)),
                shard=shard,
                shards=shards,
            )
            counts.update(stats.metric_counts())
    except LeaseHeld as held:
        return {"skipped": str(held)}
    return stats.as_dict()
