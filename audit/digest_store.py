"""
Where audit digests are kept, write-once (AUDIT_DIGEST_LOCATION): a folder
that refuses to overwrite a file, or an S3 bucket with Object Lock in
compliance mode, where not even the account's root user can delete or
change a digest before its retention ends. Never DynamoDB: a digest kept
beside the entries it vouches for would be rewritten with them.

Keys sort by number: digests/000000000001.json.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings

from core import object_lock

PREFIX = "digests/"
NAME = re.compile(r"^(\d{12})\.json$")


class DigestExists(Exception):
    """A digest of that number is already stored (another run wrote it)."""


@dataclass(frozen=True)
class StoredDigest:
    number: int
    body: bytes
    # Set when the store shows a change after writing: an S3 key with more
    # than one version or a delete marker (the first version is the body).
    tampering: str | None = None


def digest_name(number: int) -> str:
    return f"{PREFIX}{number:012d}.json"


def _number(name: str) -> int | None:
    match = NAME.match(name.rsplit("/", 1)[-1])
    return int(match.group(1)) if match else None


def latest_number(exists, hint: int = 0) -> int:
    """
    The highest digest number stored (0 for none), from `exists(number)`
    probes rather than a listing: digests are numbered from 1 without gaps,
    so gallop up from `hint` (a number seen before) and halve the interval.
    Two probes when nothing was written since the hint; about 2·log2(n)
    from nothing. A gap (a removed digest, which verify_audit reports) may
    hide the digests above it.
    """
    low = hint if hint > 0 and exists(hint) else 0
    step = 1
    high = low + step
    while exists(high):
        low, step = high, step * 2
        high = low + step
    while high - low > 1:  # low exists (or is 0), high does not
        middle = (low + high) // 2
        if exists(middle):
            low = middle
        else:
            high = middle
    return low


class FolderStore:
    """Digests as files in a folder; an existing file is never opened for writing."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    @property
    def location(self) -> str:
        return str(self.folder)

    def where(self, number: int) -> str:
        return str(self.folder / digest_name(number))

    def put(self, number: int, body: bytes) -> str:
        path = self.folder / digest_name(number)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "xb") as file:
                file.write(body)
        except FileExistsError:
            raise DigestExists(str(path)) from None
        return str(path)

    def numbers(self) -> list[int]:
        folder = self.folder / PREFIX
        if not folder.is_dir():
            return []
        return sorted(n for p in folder.iterdir() if (n := _number(p.name)))

    def get(self, number: int) -> StoredDigest:
        return StoredDigest(number, (self.folder / digest_name(number)).read_bytes())

    def exists(self, number: int) -> bool:
        return (self.folder / digest_name(number)).is_file()

    def latest_number(self, hint: int = 0) -> int:
        return latest_number(self.exists, hint)

    def latest(self) -> StoredDigest | None:
        numbers = self.numbers()
        return self.get(numbers[-1]) if numbers else None

    def all(self) -> list[StoredDigest]:
        return [self.get(n) for n in self.numbers()]


class S3Store:
    """
    Digests in an Object Lock bucket: each written in compliance mode until
    now + AUDIT_DIGEST_RETENTION_DAYS, and only when its key is free
    (If-None-Match: *). A versioned bucket keeps a locked version even when
    someone puts another over it or deletes the key; verification reads
    every key's first version and names the key that changed.
    """

    def __init__(self, bucket: str, prefix: str = "", *, client=None):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or s3_client()

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, number: int) -> str:
        return self.prefix + digest_name(number)

    def where(self, number: int) -> str:
        return f"s3://{self.bucket}/{self.key(number)}"

    def put(self, number: int, body: bytes) -> str:
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(number),
                Body=body,
                ContentType="application/json",
                ChecksumAlgorithm="SHA256",
                ObjectLockMode=object_lock.MODE,
                ObjectLockRetainUntilDate=object_lock.retain_until(),
                IfNoneMatch="*",
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"PreconditionFailed", "412", "ConditionalRequestConflict"}:
                raise DigestExists(self.where(number)) from None
            raise
        return self.where(number)

    def _list(self) -> list[str]:
        keys = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + PREFIX
        ):
            keys += [item["Key"] for item in page.get("Contents", [])]
        return keys

    def numbers(self) -> list[int]:
        return sorted(n for key in self._list() if (n := _number(key)))

    def get(self, number: int) -> StoredDigest:
        """The digest's current version (verify_audit reads the first, `all`)."""
        answer = self.client.get_object(Bucket=self.bucket, Key=self.key(number))
        return StoredDigest(number, answer["Body"].read())

    def exists(self, number: int) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(number))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code", "") in {"404", "NoSuchKey"}:
                return False
            raise
        return True

    def latest_number(self, hint: int = 0) -> int:
        return latest_number(self.exists, hint)

    def latest(self) -> StoredDigest | None:
        numbers = self.numbers()
        return self.get(numbers[-1]) if numbers else None

    def all(self) -> list[StoredDigest]:
        """Every digest, by its first version, with what changed since."""
        versions: dict[int, list[dict]] = {}
        deleted: set[int] = set()
        for page in self.client.get_paginator("list_object_versions").paginate(
            Bucket=self.bucket, Prefix=self.prefix + PREFIX
        ):
            for version in page.get("Versions", []):
                if number := _number(version["Key"]):
                    versions.setdefault(number, []).append(version)
            for marker in page.get("DeleteMarkers", []):
                if number := _number(marker["Key"]):
                    deleted.add(number)
        found = []
        for number in sorted(versions):
            history = sorted(versions[number], key=lambda v: v["LastModified"])
            answer = self.client.get_object(
                Bucket=self.bucket,
                Key=self.key(number),
                VersionId=history[0]["VersionId"],
            )
            tampering = None
            if len(history) > 1:
                tampering = (
                    f"overwritten in the bucket ({len(history)} versions); "
                    "its first version was checked"
                )
            elif number in deleted:
                tampering = (
                    "deleted in the bucket (a delete marker hides it); "
                    "its locked version was checked"
                )
            found.append(StoredDigest(number, answer["Body"].read(), tampering))
        return found


def s3_client():
    return boto3.client(
        "s3",
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        region_name=settings.AWS_S3_REGION_NAME,
        aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
        aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        config=Config(connect_timeout=5, retries={"max_attempts": 3}),
    )


def s3_location(location: str) -> tuple[str, str] | None:
    """(bucket, prefix) of an s3:// location; None for a folder."""
    if not location.startswith("s3://"):
        return None
    bucket, _, prefix = location[len("s3://") :].partition("/")
    return bucket, prefix


def digest_store(location: str | None = None):
    """The configured store (AUDIT_DIGEST_LOCATION)."""
    location = str(location or settings.AUDIT_DIGEST_LOCATION)
    if s3 := s3_location(location):
        return S3Store(*s3)
    return FolderStore(location)
