from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.services import api_token_create
from core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument(
            "--name", default="command line", help="What the token is for."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until the token expires (default "
            f"{settings.API_TOKEN_DEFAULT_DAYS}, at most {settings.API_TOKEN_MAX_DAYS}).",
        )
        parser.add_argument(
            "--read-only",
            action="store_true",
            help="The token may only read: any write it sends is refused with 403.",
        )

    def handle(self, *args, username, name, days, read_only, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        if not user.is_active:
            raise CommandError(f"User '{username}' is inactive.")
        try:
            _, raw = api_token_create(
                user=user, name=name, lifetime_days=days, read_only=read_only
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
