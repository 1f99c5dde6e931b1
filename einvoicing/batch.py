"""
Taking in several files at once (the upload page, `import_einvoices` and
its Lambda handler): each file imported on its own by
`services.einvoice_import`, its outcome said in words, and a refusal of one
file stopping nothing else.

Outcomes: `imported` (an invoice or credit note), `inbox` (waiting for its
vendor or PO), `skipped` (this very file was taken in before: not a
failure, so a re-run of the command is quiet) and `failed` (refused: the
rules it broke, a duplicate number, not an e-invoice, too large).
"""

import contextvars
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import partial

from django.conf import settings
from django.db import connections

from accounting.selectors import code_lists_remembered
from accounts.roles import user_roles
from core.errors import ApplicationError, Duplicate, TooLarge
from einvoicing import services
from einvoicing.document import EInvoiceInvalid

IMPORTED, INBOX, SKIPPED, FAILED = "imported", "inbox", "skipped", "failed"

# What an invoice taken in waits for next, by its status.
_NEXT_STEP = {
    "received": "waiting for reconciliation",
    "awaiting_approval": "waiting for approval",
    "matched": "matched",
}


def max_bytes() -> int:
    """The largest e-invoice file taken in: the invoice attachment limit."""
    return settings.INVOICE_ATTACHMENT_MAX_BYTES


def refuse_too_large(content: bytes) -> None:
    """Refuse content read one byte past `max_bytes()` (nothing bigger is read)."""
    if len(content) > max_bytes():
        raise TooLarge(
            f"The file is larger than {max_bytes() // (1024 * 1024)} MB, the "
            "largest e-invoice taken in."
        )


@dataclass
class FileOutcome:
    """What became of one file, as the upload page and the summary say it."""

    file: str
    outcome: str  # IMPORTED, INBOX, SKIPPED or FAILED
    message: str
    invoice_id: str | None = None
    intake_id: str | None = None
    # A refused document's failed EN 16931 rules: [{"rule", "flag", "message"}].
    errors: list[dict] = field(default_factory=list)
    status_code: int | None = None
    moved_to: str | None = None  # where the import command moved the file

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value}


def invoice_message(invoice) -> str:
    """'INV-1 of Acme imported as invoice, waiting for reconciliation'."""
    kind = "credit note" if invoice.is_credit_note else "invoice"
    text = f"{invoice.invoice_number} of {invoice.vendor_name} imported as {kind}"
    if step := _NEXT_STEP.get(invoice.status):
        text += f", {step}"
    return text


def intake_message(intake) -> str:
    return f"{intake.invoice_number} of {intake.seller_name} sent to the inbox: " + (
        intake.reason or "it waits for a clerk."
    )


def refusal_outcome(filename: str, exc: ApplicationError) -> FileOutcome:
    """The outcome of a file the service refused."""
    extra = exc.extra or {}
    if isinstance(exc, Duplicate) and extra.get("already_imported"):
        return FileOutcome(
            file=filename,
            outcome=SKIPPED,
            message="already imported",
            invoice_id=extra.get("existing_invoice_id"),
            intake_id=extra.get("existing_intake_id"),
            status_code=exc.status_code,
        )
    errors = list(extra.get("errors") or []) if isinstance(exc, EInvoiceInvalid) else []
    return FileOutcome(
        file=filename,
        outcome=FAILED,
        message=f"refused: {exc.message}",
        invoice_id=extra.get("existing_invoice_id"),
        intake_id=extra.get("existing_intake_id"),
        errors=errors,
        status_code=exc.status_code,
    )


def file_import(*, user, filename: str, content: bytes) -> FileOutcome:
    """Import one file; a refusal becomes its outcome, never an exception."""
    try:
        refuse_too_large(content)
        outcome = services.einvoice_import(
            user=user, filename=filename, content=content
        )
    except ApplicationError as exc:
        return refusal_outcome(filename, exc)
    if outcome.invoice is not None:
        return FileOutcome(
            file=filename,
            outcome=IMPORTED,
            message=invoice_message(outcome.invoice),
            invoice_id=outcome.invoice.id,
        )
    return FileOutcome(
        file=filename,
        outcome=INBOX,
        message=intake_message(outcome.intake),
        intake_id=outcome.intake.id,
    )


def file_check(*, filename: str, content: bytes) -> FileOutcome:
    """
    Read and validate one file without writing (a dry run): would it be
    taken in, was it taken in before, or is it refused?
    """
    from einvoicing import reading, rules
    from einvoicing.selectors import source_fingerprint_get

    try:
        refuse_too_large(content)
        received = reading.read_file(filename=filename, content=content)
        rules.check(xml=received.xml, syntax=received.syntax)
        einvoice = reading.einvoice_from_file(received)
    except ApplicationError as exc:
        return refusal_outcome(filename, exc)
    taken = source_fingerprint_get(sha256=received.sha256)
    if taken is not None:
        return FileOutcome(
            file=filename,
            outcome=SKIPPED,
            message="already imported",
            invoice_id=taken.invoice_id,
            intake_id=taken.intake_id,
        )
    return FileOutcome(
        file=filename,
        outcome="valid",
        message=f"{einvoice.number} of {einvoice.seller.name} is valid "
        "(dry run: not imported)",
    )


@dataclass
class Summary:
    """The JSON summary of a batch: counts and each file's outcome."""

    files: list[FileOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.files if item.outcome == outcome)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    def as_dict(self) -> dict:
        counts = {name: self.count(name) for name in (IMPORTED, INBOX, SKIPPED, FAILED)}
        if valid := self.count("valid"):
            counts["valid"] = valid
        return {**counts, "files": [item.as_dict() for item in self.files]}


def files_import(
    files: Iterable,
    *,
    user,
    dry_run: bool = False,
    done: Callable[[object, FileOutcome], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    known: int = 0,
) -> Summary:
    """
    Import each of `files` (objects with `name` and `read()`, e.g. a drop
    location's entries); `done(entry, outcome)` after each (the command moves
    what was imported), `progress(done, known)` after each too, in the
    files' order.

    Files are taken in settings.EINVOICE_IMPORT_WORKERS at a time: each is
    its own transaction, so the round trips to DynamoDB overlap (the EN 16931
    rules still run one document at a time, on their own thread). The same
    file twice in one batch is taken in once: its fingerprint's condition.
    """
    summary = Summary()
    user_roles(user)  # read once, here: the workers share the user
    # The accounting codes are read once a minute, not for every document;
    # each worker runs in a copy of this context, so they share the lists.
    with (
        code_lists_remembered(),
        ThreadPoolExecutor(max_workers=settings.EINVOICE_IMPORT_WORKERS) as pool,
    ):
        take_in = partial(_entry_outcome, user=user, dry_run=dry_run)
        pending = [
            (entry, pool.submit(contextvars.copy_context().run, take_in, entry))
            for entry in files
        ]
        try:
            for entry, future in pending:
                outcome = future.result()
                summary.files.append(outcome)
                if done is not None:
                    done(entry, outcome)
                if progress is not None:
                    progress(len(summary.files), known)
        except BaseException:
            for _, future in pending:  # DynamoDB out of reach: stop, as one would
                future.cancel()
            raise
    return summary


def _entry_outcome(entry, *, user, dry_run: bool) -> FileOutcome:
    """One file's outcome, on a worker thread (whose database connections close after)."""
    try:
        content = entry.read(max_bytes() + 1)
    except OSError as exc:
        return FileOutcome(
            file=entry.name,
            outcome=FAILED,
            message=f"refused: cannot read it ({exc.strerror or exc}).",
        )
    try:
        if dry_run:
            return file_check(filename=entry.name, content=content)
        return file_import(user=user, filename=entry.name, content=content)
    finally:
        connections.close_all()
