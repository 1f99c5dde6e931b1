"""
The vendor's invoice document (PDF or image) kept beside an invoice.

Checked by content, not by name: a file called .pdf must start like a PDF.
Stored through Django's storage API (local files by default, S3 when
configured) under a key of its own, so nothing is ever overwritten.

A file sent with an invoice the form refuses is held for the clerk's next try
(a browser cannot put a file back into a file input): stored under
`invoices/held/<day>/`, named in the re-rendered form by a token signed for
that user, which expires after INVOICE_ATTACHMENT_HOLD_SECONDS. Nothing but a
valid token reads a held file back; `manage.py discard_held_attachments`
removes the days whose tokens have all expired.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile

from core import documents
from core.errors import NotFound, ValidationFailed

HELD_FOLDER = "invoices/held"
_HELD_SALT = "invoicing.attachments.held"
CHOOSE_AGAIN = "choose the file again."

# Leading bytes of each accepted kind, and the names it may carry.
KINDS = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}


@dataclass(frozen=True)
class StoredAttachment:
    key: str
    name: str
    content_type: str
    size: int


def _refuse(message: str):
    raise ValidationFailed(message, {"attachment": message})


@dataclass(frozen=True)
class HeldAttachment:
    """A file kept for the next try at an invoice, and the token naming it."""

    key: str
    name: str
    content_type: str
    size: int
    token: str


def attachment_store(*, invoice_id: str, upload) -> StoredAttachment:
    """Check the upload and store it; return where it went."""
    name, content_type, suffix = _checked(upload)
    key = f"invoices/{invoice_id}/{uuid.uuid4()}{suffix}"
    stored = documents.document_save(
        key=key, content=upload.read(), content_type=content_type
    )
    return StoredAttachment(stored.key, name, content_type, stored.size)


def _checked(upload) -> tuple[str, str, str]:
    """Refuse a file too large or not what it says; return its name, type and suffix."""
    limit = settings.INVOICE_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        _refuse(
            f"The file is {upload.size / 1_048_576:.1f} MB; attachments are at most "
            f"{limit / 1_048_576:.0f} MB."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "invoice").rsplit("/", 1)[-1][:200]
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for content_type, (magic, suffixes) in KINDS.items():
        if head.startswith(magic):
            if suffix not in suffixes:
                _refuse(
                    f"The file's content is {content_type} but its name ends in {suffix or 'nothing'}."
                )
            return name, content_type, suffixes[0]
    if suffix == ".pdf":
        _refuse("This file is named .pdf but is not a PDF.")
    _refuse("Attach the invoice as a PDF, PNG or JPEG file.")


def attachment_discard(*, key: str) -> None:
    """Remove a stored file whose record was not written."""
    documents.document_discard(key=key)


def attachment_hold(*, user, upload) -> HeldAttachment:
    """Check the upload and keep it for the user's next try; return its token."""
    name, content_type, suffix = _checked(upload)
    key = f"{HELD_FOLDER}/{dt.date.today().isoformat()}/{uuid.uuid4()}{suffix}"
    stored = documents.document_save(
        key=key, content=upload.read(), content_type=content_type
    )
    fields = {
        "key": stored.key,
        "name": name,
        "content_type": content_type,
        "size": stored.size,
    }
    token = signing.dumps({**fields, "user": str(user.pk)}, salt=_HELD_SALT)
    return HeldAttachment(**fields, token=token)


def attachment_held(*, user, token: str) -> HeldAttachment:
    """Return the file a token names, if the token is this user's and fresh."""
    # The salt keeps tokens signed for anything else in the app out.
    try:
        fields = signing.loads(
            token, salt=_HELD_SALT, max_age=settings.INVOICE_ATTACHMENT_HOLD_SECONDS
        )
    except signing.SignatureExpired:
        minutes = max(settings.INVOICE_ATTACHMENT_HOLD_SECONDS // 60, 1)
        _refuse(
            "The file kept from your last try has expired (files are kept for "
            f"{minutes} minutes); {CHOOSE_AGAIN}"
        )
    except signing.BadSignature:
        _refuse(
            f"The file kept from your last try could not be verified; {CHOOSE_AGAIN}"
        )
    if fields.get("user") != str(user.pk):
        _refuse(
            f"The file kept from your last try was kept for another user; {CHOOSE_AGAIN}"
        )
    fields.pop("user")
    return HeldAttachment(**fields, token=token)


def attachment_held_file(held: HeldAttachment) -> ContentFile:
    """Read a held file back, under its own name, to store with the invoice."""
    try:
        with documents.document_open(key=held.key) as stored:
            content = stored.read()
    except NotFound:
        _refuse(f"The file kept from your last try is no longer stored; {CHOOSE_AGAIN}")
    return ContentFile(content, name=held.name)


def attachment_release(held: HeldAttachment) -> None:
    """Drop a held file: it was attached, replaced or left out."""
    documents.document_discard(key=held.key)


def held_attachments_discard(*, dry_run: bool = False) -> list[str]:
    """Remove the held files no token can name any more; return their keys."""
    days = -(-settings.INVOICE_ATTACHMENT_HOLD_SECONDS // 86_400)  # rounded up
    # A file held late on a day is usable into the next: keep that day too.
    first_kept = (dt.date.today() - dt.timedelta(days=days)).isoformat()
    expired = [
        key
        for key in documents.document_keys(folder=HELD_FOLDER)
        if key.split("/")[2] < first_kept
    ]
    if not dry_run:
        for key in expired:
            documents.document_discard(key=key)
    return expired
