"""
The base of every management command that reads or writes DynamoDB, and of
every scheduled one (ScheduledCommand: a job lease and its metrics).
"""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from core import dynamo
from core.errors import ApplicationError, ServiceUnavailable


def dynamodb_target() -> str:
    """Where the commands' DynamoDB is, as an operator names it."""
    return settings.DYNAMODB_ENDPOINT_URL or f"AWS DynamoDB ({settings.AWS_REGION})"


class DynamoDBCommand(BaseCommand):
    """
    A command that stops with one line and no traceback when DynamoDB
    cannot be reached (exit status 2) or a service refuses (exit status 1):
    every command reports them the same way. It waits for DynamoDB with the
    job's time-outs (DYNAMODB_JOB_*), longer than a web request's.
    """

    def execute(self, *args, **options):
        try:
            with dynamo.job_timeouts():
                return self.run(*args, **options)
        except ServiceUnavailable as exc:
            raise CommandError(
                f"Could not reach DynamoDB at {dynamodb_target()}: {exc.message}",
                returncode=2,
            ) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

    def run(self, *args, **options):
        return BaseCommand.execute(self, *args, **options)


class ScheduledCommand(DynamoDBCommand):
    """
    A command the scheduler runs: it holds its job's lease (core.leases) for
    the run, so two runs never overlap, and publishes Runs, the counts its
    handle() puts in `self.job_counts` and its duration (core.metrics).

    A run that finds the lease held writes "skipped: <job> is running since
    ... (owner ...)", does nothing and exits 0: a scheduler's retry must not
    alarm.
    """

    @property
    def job_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1]

    def lease_name(self, options: dict) -> str:
        """The lease this run takes; a command run in shares overrides it."""
        return self.job_name

    def run(self, *args, **options):
        from core.leases import LeaseHeld

        try:
            with scheduled_run(self.job_name, lease=self.lease_name(options)) as counts:
                self.job_counts = counts  # handle() adds its own
                return super().run(*args, **options)
        except LeaseHeld as held:
            OutputWrapper(options.get("stdout") or sys.stdout).write(str(held))
            return None


@contextmanager
def scheduled_run(job: str, *, lease: str | None = None) -> Iterator[dict[str, int]]:
    """
    One run of a scheduled job, by a command or a Lambda: it holds the lease
    `lease` (the job's own by default; LeaseHeld if another run has it) and
    publishes Runs, the counts the block puts in the dict it is given,
    Failures=1 when the block raises, and the run's duration (core.metrics).
    """
    from core.leases import job_lease
    from core.metrics import job_metrics_publish

    counts: dict[str, int] = {}
    started = time.monotonic()
    with job_lease(lease or job):
        try:
            yield counts
        except Exception:
            counts["Failures"] = 1
            raise
        finally:
            job_metrics_publish(
                job=job, counts=counts, duration_seconds=time.monotonic() - started
            )
