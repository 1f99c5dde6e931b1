"""
AWS Lambda entry point for the e-invoice import job.

Schedule it with EventBridge (e.g. `rate(15 minutes)`), or trigger it from
the drop bucket's object-created events; handler
`einvoicing.lambda_handler.lambda_handler`. It runs what
`manage.py import_einvoices` runs and returns the JSON summary. The event
may carry {"path": "s3://bucket/prefix", "recursive": true,
"move_imported_to": "s3://bucket/done/", "dry_run": true, "user": "..."};
without a path it reads settings.EINVOICE_DROP_LOCATION.
"""

from core.lambda_handler import lambda_setup


def lambda_handler(event, context):
    lambda_setup()  # the job's secrets, then Django
    from django.conf import settings

    from core import dynamo
    from einvoicing import jobs

    event = event or {}
    location = event.get("path") or settings.EINVOICE_DROP_LOCATION
    if not location:
        raise ValueError(
            "No drop location: send {'path': 's3://bucket/prefix'} or set "
            "EINVOICE_DROP_LOCATION."
        )
    user = jobs.import_user(username=event.get("user") or settings.EINVOICE_IMPORT_USER)
    with dynamo.job_timeouts():
        summary = jobs.drop_location_import(
            location,
            user=user,
            recursive=bool(event.get("recursive", False)),
            move_imported_to=event.get("move_imported_to") or None,
            dry_run=bool(event.get("dry_run", False)),
        )
    return summary.as_dict()
