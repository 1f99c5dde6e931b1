from django.conf import settings

from core import dynamo
from core.commands import DynamoDBCommand, dynamodb_target


class Command(DynamoDBCommand):
    help = "Create the DynamoDB tables and indexes that are missing; safe to run again."

    def handle(self, *args, **options):
        self.stdout.write(
            f"Tables on {dynamodb_target()}, prefix '{settings.DYNAMODB_TABLE_PREFIX}':"
        )
        dynamo.create_tables(log=lambda message: self.stdout.write(f"  {message}"))
