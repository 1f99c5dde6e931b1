"""
The e-invoice import job: every new file of a drop location taken in once
(`manage.py import_einvoices`, `einvoicing.lambda_handler`).

It runs as an AP Clerk user (settings.EINVOICE_IMPORT_USER, a service
account, by default `einvoice_import`): entering invoices is an AP Clerk's
act and the trail names who did it. Unlike the bank statement job's fixed
name, that user must exist, since the invoicing services check the role.
A file is read, imported (or skipped as taken in before, by its SHA-256)
and, when asked, moved away once taken in; a refused file stays where it
was for a person to look at.
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model

from accounts.roles import Role, has_role
from core.errors import ValidationFailed
from einvoicing import batch, rules
from einvoicing.drop_location import DropLocationError, drop_files

_TAKEN_IN = (batch.IMPORTED, batch.INBOX)


def import_user(*, username: str):
    """The active AP Clerk user named `username`, or a refusal saying what to do."""
    user = (
        get_user_model()
        .objects.filter(is_active=True, username=username)
        .prefetch_related("groups")
        .first()
    )
    if user is None:
        raise ValidationFailed(
            f"No active user named '{username}': create it with the AP Clerk "
            "role (a service account), or pass --user."
        )
    if not has_role(user, Role.AP_CLERK):
        raise ValidationFailed(
            f"User '{username}' is not an AP Clerk: only AP Clerk users may "
            "import e-invoices."
        )
    return user


def warm_up() -> None:
    """Compile the EN 16931 rules once, before the first file."""
    rules.warm_up()


def drop_location_import(
    location: str,
    *,
    user,
    recursive: bool = False,
    move_imported_to: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> batch.Summary:
    """Import the location's new files; return the summary (see batch.Summary)."""
    entries = drop_files(location, recursive=recursive)
    warm_up()

    def done(entry, outcome: batch.FileOutcome) -> None:
        if dry_run or not move_imported_to or outcome.outcome not in _TAKEN_IN:
            return
        try:
            outcome.moved_to = entry.move_to(move_imported_to)
        except (OSError, DropLocationError) as exc:
            # Taken in all the same: the file stays, and a re-run skips it.
            outcome.message += f" (not moved: {exc})"

    return batch.files_import(
        entries,
        user=user,
        dry_run=dry_run,
        done=done,
        progress=progress,
        known=len(entries),
    )
