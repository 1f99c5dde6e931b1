from django.core.management.base import CommandError

from core.commands import ScheduledCommand
from core.errors import ApplicationError
from invoicing.attachments import held_attachments_discard


class Command(ScheduledCommand):
    help = (
        "Remove the files kept for a clerk's next try at a refused invoice "
        "once their tokens have expired; run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the files that would be removed; remove nothing.",
        )

    def handle(self, *args, dry_run, **options):
        try:
            keys = held_attachments_discard(dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.job_counts["FilesRemoved"] = 0 if dry_run else len(keys)
        for key in keys:
            self.stdout.write(f"  {key}")
        if dry_run:
            self.stdout.write(f"Dry run: would remove {len(keys)} file(s).")
        else:
            self.stdout.write(f"Removed {len(keys)} expired held file(s).")
