from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from pynamodb.exceptions import PynamoDBException

from core import dynamo


class Command(BaseCommand):
    help = "Create the DynamoDB tables and indexes that are missing; safe to run again."

    def handle(self, *args, **options):
        target = (
            settings.DYNAMODB_ENDPOINT_URL or f"AWS DynamoDB ({settings.AWS_REGION})"
        )
        self.stdout.write(
            f"Tables on {target}, prefix '{settings.DYNAMODB_TABLE_PREFIX}':"
        )
        try:
            dynamo.create_tables(log=lambda message: self.stdout.write(f"  {message}"))
        except (PynamoDBException, OSError) as exc:
            raise CommandError(f"Could not reach DynamoDB at {target}: {exc}") from exc
        except Exception as exc:  # botocore errors have no common importable base here
            raise CommandError(f"Table creation failed on {target}: {exc}") from exc
