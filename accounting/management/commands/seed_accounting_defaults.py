from django.conf import settings

from accounting import defaults
from accounting.events import SETUP_USER
from accounting.services import accounting_defaults_install
from core.commands import DynamoDBCommand


class Command(DynamoDBCommand):
    help = (
        "Add the tax profile's default tax codes, GL accounts and cost centres "
        "that are missing; codes already there are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--profile",
            type=str.upper,
            choices=sorted(defaults.TAX_CODES),
            help="The tax profile: DE or US (default: the TAX_PROFILE setting).",
        )

    def handle(self, *args, profile, **options):
        profile = profile or settings.TAX_PROFILE
        added = accounting_defaults_install(user=SETUP_USER, profile=profile)
        self.stdout.write(
            f"Installed the {profile} defaults: {added} code(s) added"
            + ("." if added else "; every one was already there.")
        )
