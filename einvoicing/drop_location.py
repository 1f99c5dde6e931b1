"""
A drop location of e-invoice files: a folder, or an `s3://bucket/prefix`
(what a Peppol access point or a mailbox robot writes to).

`drop_files(location)` lists its `*.xml` and `*.pdf` files, sorted by name
(not below the folder or prefix unless `recursive`); each entry reads its
bytes and can be moved elsewhere (`--move-imported-to`). Listing an S3
prefix pages with `list_objects_v2`; nothing is deleted before its copy is
written.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from core.errors import ValidationFailed

SUFFIXES = (".xml", ".pdf")


class DropLocationError(ValidationFailed):
    """A drop location that cannot be listed or a file that cannot be moved."""


def is_s3(location: str) -> bool:
    return location.startswith("s3://")


def _s3_parts(location: str) -> tuple[str, str]:
    parts = urlsplit(location)
    if not parts.netloc:
        raise DropLocationError(f"{location} names no bucket: s3://bucket/prefix.")
    return parts.netloc, parts.path.lstrip("/")


def _s3_client():
    return boto3.client(
        "s3",
        endpoint_url=getattr(settings, "AWS_S3_ENDPOINT_URL", None),
        region_name=getattr(settings, "AWS_S3_REGION_NAME", None),
        config=Config(connect_timeout=5, retries={"max_attempts": 3}),
    )


def _wanted(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


@dataclass
class FolderFile:
    path: Path
    root: Path

    @property
    def name(self) -> str:
        return str(self.path.relative_to(self.root))

    def read(self, size: int = -1) -> bytes:
        with self.path.open("rb") as handle:
            return handle.read(size)

    def move_to(self, destination: str) -> str:
        """Move the file below `destination` (a folder or s3:// prefix)."""
        if is_s3(destination):
            bucket, prefix = _s3_parts(destination)
            key = str(PurePosixPath(prefix) / self.name) if prefix else self.name
            _put(bucket, key, self.path.read_bytes())
            self.path.unlink()
            return f"s3://{bucket}/{key}"
        target = Path(destination) / self.name
        target.parent.mkdir(parents=True, exist_ok=True)
        self.path.replace(target)
        return str(target)


@dataclass
class S3File:
    bucket: str
    key: str
    prefix: str
    client: object

    @property
    def name(self) -> str:
        return self.key[len(self.prefix) :].lstrip("/") or self.key

    def read(self, size: int = -1) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key)
            return answer["Body"].read(None if size < 0 else size)
        except (BotoCoreError, ClientError) as exc:
            raise OSError(f"s3://{self.bucket}/{self.key}: {exc}") from exc

    def move_to(self, destination: str) -> str:
        if is_s3(destination):
            bucket, prefix = _s3_parts(destination)
            key = str(PurePosixPath(prefix) / self.name) if prefix else self.name
            try:
                self.client.copy_object(
                    Bucket=bucket,
                    Key=key,
                    CopySource={"Bucket": self.bucket, "Key": self.key},
                )
                self.client.delete_object(Bucket=self.bucket, Key=self.key)
            except (BotoCoreError, ClientError) as exc:
                raise DropLocationError(f"Cannot move {self.key}: {exc}") from exc
            return f"s3://{bucket}/{key}"
        target = Path(destination) / self.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.read())
        self.client.delete_object(Bucket=self.bucket, Key=self.key)
        return str(target)


def _put(bucket: str, key: str, body: bytes) -> None:
    try:
        _s3_client().put_object(Bucket=bucket, Key=key, Body=body)
    except (BotoCoreError, ClientError) as exc:
        raise DropLocationError(f"Cannot write s3://{bucket}/{key}: {exc}") from exc


def drop_files(location: str, *, recursive: bool = False) -> list:
    """The location's e-invoice files, sorted by name."""
    if is_s3(location):
        return list(_s3_files(location, recursive=recursive))
    root = Path(location)
    if not root.is_dir():
        raise DropLocationError(f"{location} is not a folder.")
    paths = root.rglob("*") if recursive else root.iterdir()
    return sorted(
        (
            FolderFile(path=path, root=root)
            for path in paths
            if path.is_file() and _wanted(path.name)
        ),
        key=lambda entry: entry.name,
    )


def _s3_files(location: str, *, recursive: bool) -> Iterator[S3File]:
    bucket, prefix = _s3_parts(location)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    client = _s3_client()
    options = {"Bucket": bucket, "Prefix": prefix}
    if not recursive:
        options["Delimiter"] = "/"
    try:
        for page in client.get_paginator("list_objects_v2").paginate(**options):
            for item in page.get("Contents", []):
                if _wanted(item["Key"]):
                    yield S3File(
                        bucket=bucket, key=item["Key"], prefix=prefix, client=client
                    )
    except (BotoCoreError, ClientError) as exc:
        raise DropLocationError(f"Cannot list {location}: {exc}") from exc
