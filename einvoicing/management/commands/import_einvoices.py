import json
import sys

from django.conf import settings
from django.core.management.base import CommandError

from core.commands import ScheduledCommand
from core.errors import ApplicationError
from einvoicing import jobs


class Command(ScheduledCommand):
    help = (
        "Import every new e-invoice (UBL or CII XML, Factur-X PDF) from a folder "
        "or an s3://bucket/prefix drop location, each file once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="A folder, or s3://bucket/prefix, holding *.xml and *.pdf."
        )
        parser.add_argument(
            "--recursive",
            action="store_true",
            help="Also import the files in its subfolders (below the prefix).",
        )
        parser.add_argument(
            "--user",
            default=settings.EINVOICE_IMPORT_USER,
            help="The AP Clerk the invoices are entered as (default "
            f"'{settings.EINVOICE_IMPORT_USER}', settings.EINVOICE_IMPORT_USER).",
        )
        parser.add_argument(
            "--move-imported-to",
            metavar="DIR",
            help="Move each file taken in (as an invoice or into the inbox) to "
            "this folder or s3:// prefix; by default files stay where they are.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and validate each file; store, move and change nothing.",
        )

    def handle(
        self, *args, path, recursive, user, move_imported_to, dry_run, **options
    ):
        try:
            importer = jobs.import_user(username=user)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from None
        interactive = hasattr(self.stdout, "isatty") and self.stdout.isatty()
        try:
            summary = jobs.drop_location_import(
                path,
                user=importer,
                recursive=recursive,
                move_imported_to=move_imported_to,
                dry_run=dry_run,
                progress=self._progress_bar if interactive else None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from None
        counts = summary.as_dict()
        self.job_counts.update(
            FilesImported=counts["imported"],
            FilesFailed=summary.failed,
        )
        if interactive:
            self.stdout.write("")
        if dry_run:
            self.stdout.write("Dry run: nothing was stored or moved.")
        self.stdout.write(json.dumps(summary.as_dict(), indent=2))
        if summary.failed:
            sys.stdout.flush()
            raise CommandError(
                f"{summary.failed} file(s) could not be imported; they were left "
                "in place.",
                returncode=1,
            )

    def _progress_bar(self, done: int, known: int) -> None:
        width = 30
        filled = width if done >= known else width * done // max(known, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{known} files",
            ending="",
        )
        self.stdout.flush()
