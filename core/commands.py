"""The base of every management command that reads or writes DynamoDB."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

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
                return super().execute(*args, **options)
        except ServiceUnavailable as exc:
            raise CommandError(
                f"Could not reach DynamoDB at {dynamodb_target()}: {exc.message}",
                returncode=2,
            ) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
