"""
The vendor's invoice document (PDF or image) kept beside an invoice.

Checked by content, not by name: a file called .pdf must start like a PDF.
Stored through Django's storage API (local files by default, S3 when
configured) under a key of its own, so nothing is ever overwritten.
"""

import uuid
from dataclasses import dataclass

from django.conf import settings

from core import documents
from core.errors import ValidationFailed

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


def attachment_store(*, invoice_id: str, upload) -> StoredAttachment:
    """Check the upload and store it; return where it went."""
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
            key = f"invoices/{invoice_id}/{uuid.uuid4()}{suffixes[0]}"
            stored = documents.document_save(
                key=key, content=upload.read(), content_type=content_type
            )
            return StoredAttachment(stored.key, name, content_type, stored.size)
    if suffix == ".pdf":
        _refuse("This file is named .pdf but is not a PDF.")
    _refuse("Attach the invoice as a PDF, PNG or JPEG file.")


def attachment_discard(*, key: str) -> None:
    """Remove a stored file whose record was not written."""
    documents.document_discard(key=key)
