"""
Documents (payment files, and any file a record keeps) in the document storage.

Django's default storage: files under MEDIA_ROOT, or the S3 bucket named by
AWS_STORAGE_BUCKET_NAME (settings/base.py). A document is written once: a key
that is taken is refused, never overwritten, so a record's SHA-256 always
describes what is stored under its key. Callers make keys unique (a run id or
a uuid in the key); the refusal is the safety net.

Nothing here hands out a URL: downloads go through the app.
"""

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse
from storages.backends.s3 import S3Storage

from core import dynamo
from core.errors import Duplicate, NotFound, ServiceUnavailable

UNREACHABLE_MESSAGE = (
    "The document storage could not be reached; try again in a moment."
)
# S3's limit, in bytes of UTF-8.
MAX_KEY_BYTES = 1024


@dataclass(frozen=True)
class StoredDocument:
    key: str  # the storage key actually used
    sha256: str  # hex digest of the content
    size: int  # bytes
    version_id: str | None  # the S3 object's VersionId on a versioned bucket, else None


def document_save(*, key: str, content: bytes, content_type: str) -> StoredDocument:
    """Store content under key; never overwrite: an existing key raises Duplicate."""
    _check_key(key)
    upload = ContentFile(content, name=key)
    upload.content_type = content_type  # S3 sends it as the object's Content-Type
    with _storage_errors():
        if default_storage.exists(key):
            raise _duplicate(key)
        stored_key = default_storage.save(key, upload)
        if stored_key != key:
            # The key was taken between the check and the write, and the
            # storage chose another name rather than overwrite: drop the copy.
            default_storage.delete(stored_key)
            raise _duplicate(key)
        version_id = _version_id(stored_key)
    return StoredDocument(
        key=stored_key,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        version_id=version_id,
    )


def document_open(*, key: str):
    """Return the document under key as a readable binary file; close it after use."""
    _check_key(key)
    with _storage_errors():
        try:
            return default_storage.open(key, "rb")
        except (FileNotFoundError, IsADirectoryError) as exc:
            raise NotFound(f"No document is stored under {key}.", {"key": key}) from exc


def document_download(*, key: str, filename: str, content_type: str) -> FileResponse:
    """Stream a stored document to the user as a download (never a storage URL)."""
    return FileResponse(
        document_open(key=key),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )


def document_discard(*, key: str) -> None:
    """Remove a document whose record was never written (an aborted save)."""
    _check_key(key)
    with _storage_errors():
        default_storage.delete(key)


def document_keys(*, folder: str) -> list[str]:
    """Return the keys stored under a folder ("invoices/held"), at any depth."""
    _check_key(folder)
    with _storage_errors():
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:  # the file system has no empty folders
            return []
    keys = [f"{folder}/{name}" for name in files]
    for name in folders:
        keys += document_keys(folder=f"{folder}/{name}")
    return keys


def _version_id(key: str) -> str | None:
    if not isinstance(default_storage, S3Storage):
        return None
    # django-storages' save() drops the upload's response, so read the
    # VersionId back: the key holds only this version, since nothing here
    # writes a taken key. (Two writers of one key within the instant between
    # the storage's own existence check and its upload would both succeed;
    # the bucket's versioning keeps both. Unique keys are what prevent that.)
    with default_storage.open(key, "rb") as stored:
        return stored.obj.version_id


def _check_key(key: str) -> None:
    """Refuse keys a storage would rewrite: the key asked for is the key used."""
    parts = key.split("/")
    if (
        not key
        or len(key.encode()) > MAX_KEY_BYTES
        or "\\" in key
        or any(not part or part in {".", ".."} for part in parts)
        or any(ord(char) < 32 or ord(char) == 127 for char in key)
    ):
        raise ValueError(
            f"Not a document key: {key!r}. Use relative path segments joined by '/', "
            "e.g. payments/2026/<run id>/pain.001.xml."
        )


def _duplicate(key: str) -> Duplicate:
    return Duplicate(
        f"A document is already stored under {key}; documents are never overwritten.",
        {"key": key},
    )


@contextmanager
def _storage_errors():
    try:
        yield
    except BotoCoreError as exc:
        if dynamo.is_unreachable(exc):
            raise ServiceUnavailable(UNREACHABLE_MESSAGE) from exc
        raise
