"""
Job leases: two runs of a scheduled job never overlap.

A run takes its job's lease (one JobLease item) by a conditional write that
succeeds only when no lease exists or the one there has expired; it renews
the lease from a background thread while it runs and deletes it at the end,
on condition that it still owns it. A run that dies leaves a lease that
expires on its own, so the next run gets in after at most `ttl`.

A lease is not a state change of a business record: no audit entry is
written for taking, renewing or releasing one.
"""

import datetime as dt
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from core.models import JobLease

# Longer than a Lambda's longest run (15 minutes), renewed every third of it.
DEFAULT_TTL = dt.timedelta(minutes=20)
_CONFLICT = "ConditionalCheckFailedException"


@dataclass(frozen=True)
class LeaseHeld(Exception):
    """Another run holds the lease."""

    name: str
    owner: str
    taken_at: dt.datetime | None

    def __str__(self) -> str:
        since = f"{self.taken_at:%Y-%m-%d %H:%M:%S} UTC" if self.taken_at else "?"
        return f"skipped: {self.name} is running since {since} (owner {self.owner})"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_take(*, name: str, owner: str, ttl: dt.timedelta = DEFAULT_TTL) -> JobLease:
    """Take the lease `name` for `owner`, or raise LeaseHeld."""
    now = _now()
    lease = JobLease(name, owner=owner, taken_at=now, expires_at=now + ttl)
    try:
        lease.save(
            condition=JobLease.name.does_not_exist() | (JobLease.expires_at < now)
        )
    except PutError as exc:
        if exc.cause_response_code != _CONFLICT:
            raise
        try:
            held = JobLease.get(name, consistent_read=True)
        except JobLease.DoesNotExist:
            raise LeaseHeld(name, "unknown (just released)", None) from None
        raise LeaseHeld(name, held.owner, held.taken_at) from None
    return lease


def lease_renew(*, name: str, owner: str, ttl: dt.timedelta = DEFAULT_TTL) -> bool:
    """Push the lease's expiry on; False if `owner` no longer holds it."""
    try:
        JobLease(name).update(
            actions=[JobLease.expires_at.set(_now() + ttl)],
            condition=JobLease.owner == owner,
        )
    except UpdateError as exc:
        if exc.cause_response_code != _CONFLICT:
            raise
        return False
    return True


def lease_release(*, name: str, owner: str) -> bool:
    """Delete the lease if `owner` holds it; False (nothing deleted) if not."""
    try:
        JobLease(name).delete(condition=JobLease.owner == owner)
    except DeleteError as exc:
        if exc.cause_response_code != _CONFLICT:
            raise
        return False
    return True


@contextmanager
def job_lease(name: str, *, ttl: dt.timedelta = DEFAULT_TTL) -> Iterator[str]:
    """
    Hold the lease `name` for the block (raising LeaseHeld if another run
    has it), renewed every ttl/3 meanwhile, released at the end.
    """
    owner = new_owner()
    lease_take(name=name, owner=owner, ttl=ttl)
    stop = threading.Event()

    def renew():
        while not stop.wait(ttl.total_seconds() / 3):
            try:
                if not lease_renew(name=name, owner=owner, ttl=ttl):
                    return
            except Exception:  # noqa: BLE001 - retried at the next beat
                continue

    beat = threading.Thread(target=renew, name=f"lease {name}", daemon=True)
    beat.start()
    try:
        yield owner
    finally:
        stop.set()
        beat.join()
        lease_release(name=name, owner=owner)
