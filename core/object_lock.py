"""
S3 Object Lock as the audit digests use it: compliance mode, where not even
the account's root user can delete or change an object before its retention
(AUDIT_DIGEST_RETENTION_DAYS) ends. `create_bucket --audit-digests` sets it
as the bucket's default; each digest is also written with it.
"""

import datetime as dt

from django.conf import settings

MODE = "COMPLIANCE"


def default_retention() -> dict:
    """The bucket's rule: every new object locked in compliance mode."""
    return {"DefaultRetention": {"Mode": MODE, "Days": retention_days()}}


def retain_until(now: dt.datetime | None = None) -> dt.datetime:
    """When an object written `now` may be removed."""
    return (now or dt.datetime.now(dt.UTC)) + dt.timedelta(days=retention_days())


def retention_days() -> int:
    return settings.AUDIT_DIGEST_RETENTION_DAYS
