import json
from collections.abc import Callable
from dataclasses import dataclass

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, UnknownRegionError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import dynamo, object_lock

PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
ENCRYPTION_RULE = {
    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
    "BucketKeyEnabled": True,
}
TLS_ONLY_SID = "DenyInsecureTransport"


@dataclass(frozen=True)
class Property:
    """A property of the bucket, and how to read it and set it."""

    name: str
    change: str  # what a run would do to it: "enable it"
    changed: str  # how the report says it did: "enabled"
    # (client, bucket, region) -> (what was found, the change to make or None)
    inspect: Callable[..., tuple[str, Callable[[], object] | None]]


class Command(BaseCommand):
    help = (
        "Create the document bucket, or check it, with versioning, default "
        "encryption, no public access and TLS only; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bucket",
            help="Bucket name (default: the AWS_STORAGE_BUCKET_NAME setting).",
        )
        parser.add_argument(
            "--audit-digests",
            action="store_true",
            help=(
                "Prepare the audit digest bucket instead (the bucket of "
                "AUDIT_DIGEST_LOCATION): also Object Lock, with a default "
                "retention in compliance mode of AUDIT_DIGEST_RETENTION_DAYS."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change without changing anything.",
        )

    def handle(self, *args, bucket, dry_run, audit_digests=False, **options):
        self.object_lock = audit_digests
        if audit_digests:
            location = str(settings.AUDIT_DIGEST_LOCATION)
            if not bucket and location.startswith("s3://"):
                bucket = location[len("s3://") :].partition("/")[0]
            if not bucket:
                raise CommandError(
                    "No bucket name: set AUDIT_DIGEST_LOCATION to s3://bucket/prefix "
                    "or pass --bucket."
                )
        bucket = bucket or settings.AWS_STORAGE_BUCKET_NAME
        if not bucket:
            raise CommandError(
                "No bucket name: set AWS_STORAGE_BUCKET_NAME or pass --bucket."
            )
        region = settings.AWS_S3_REGION_NAME
        target = settings.AWS_S3_ENDPOINT_URL or f"AWS S3 ({region})"
        self.stdout.write(f"Bucket {bucket} on {target}:")
        client = s3_client()
        try:
            changes = self.configure(client, bucket, region, dry_run=dry_run)
        except ClientError as exc:
            raise CommandError(_refusal(exc, bucket)) from exc
        except BotoCoreError as exc:
            if dynamo.is_unreachable(exc):
                raise CommandError(f"Could not reach S3 at {target}: {exc}") from exc
            raise CommandError(f"S3 request failed on {target}: {exc}") from exc
        counted = f"{changes} change{'' if changes == 1 else 's'}"
        if not changes:
            self.stdout.write("Nothing to change.")
        elif dry_run:
            self.stdout.write(f"Would make {counted}; changed nothing (dry run).")
        else:
            self.stdout.write(f"Made {counted}.")

    def configure(self, client, bucket: str, region: str, *, dry_run: bool) -> int:
        """Bring each property to what it should be; return how many needed it."""
        object_lock = getattr(self, "object_lock", False)
        found, create = _bucket(client, bucket, region, object_lock=object_lock)
        changes = self.apply(BUCKET, found, create, dry_run=dry_run)
        for prop in PROPERTIES + ([OBJECT_LOCK] if object_lock else []):
            if create and dry_run:  # a bucket that is not there has nothing to read
                found, change = "bucket missing", _nothing
            else:
                found, change = prop.inspect(client, bucket, region)
            changes += self.apply(prop, found, change, dry_run=dry_run)
        return changes

    def apply(self, prop: Property, found: str, change, *, dry_run: bool) -> int:
        """Make the change unless it is a dry run; report one line; count it."""
        if change is None:
            self.stdout.write(f"  {prop.name}: {found}; unchanged")
            return 0
        if dry_run:
            self.stdout.write(f"  {prop.name}: {found}; would {prop.change}")
            return 1
        change()
        self.stdout.write(f"  {prop.name}: {found}; {prop.changed}")
        return 1


def _nothing() -> None:
    pass


def s3_client():
    """Return a boto3 S3 client for the configured endpoint, region and credentials."""
    return boto3.client(
        "s3",
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        region_name=settings.AWS_S3_REGION_NAME,
        aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
        aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
        config=Config(connect_timeout=5, retries={"max_attempts": 2}),
    )


def _refusal(exc: ClientError, bucket: str) -> str:
    error = exc.response.get("Error", {})
    message = f"S3 refused {exc.operation_name} on {bucket}: {error.get('Code')}"
    if error.get("Message"):
        message += f" {error['Message']}"
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    if error.get("Code") == "301" and headers.get("x-amz-bucket-region"):
        message += (
            f" (the bucket is in {headers['x-amz-bucket-region']}: "
            "set AWS_S3_REGION_NAME)"
        )
    return message


def _bucket(client, bucket: str, region: str, *, object_lock: bool = False):
    try:
        client.head_bucket(Bucket=bucket)
        return "exists", None
    except ClientError as exc:
        if _error_code(exc) not in {"404", "NoSuchBucket"}:
            raise
    location = {}
    if region != "us-east-1":  # S3 refuses us-east-1 as a location constraint
        location = {"CreateBucketConfiguration": {"LocationConstraint": region}}
    if object_lock:  # set at creation; S3 then turns versioning on too
        location["ObjectLockEnabledForBucket"] = True
    return "missing", lambda: client.create_bucket(Bucket=bucket, **location)


def _error_code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "")


def _versioning(client, bucket: str, region: str):
    status = client.get_bucket_versioning(Bucket=bucket).get("Status")
    if status == "Enabled":
        return "enabled", None
    return (status or "never enabled").lower(), lambda: client.put_bucket_versioning(
        Bucket=bucket, VersioningConfiguration={"Status": "Enabled"}
    )


def _encryption(client, bucket: str, region: str):
    try:
        configuration = client.get_bucket_encryption(Bucket=bucket)
        rules = configuration["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if _error_code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        rules = []
    found = ", ".join(
        rule.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "?")
        + (" with a bucket key" if rule.get("BucketKeyEnabled") else "")
        for rule in rules
    )
    if rules and all(_is_encryption_rule(rule) for rule in rules):
        return found, None
    return found or "none", lambda: client.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [ENCRYPTION_RULE]}
    )


def _is_encryption_rule(rule: dict) -> bool:
    # Compared key by key: S3 may add fields of its own to a rule it returns.
    return all(rule.get(key) == value for key, value in ENCRYPTION_RULE.items())


def _public_access_block(client, bucket: str, region: str):
    try:
        block = client.get_public_access_block(Bucket=bucket)
        configuration = block["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if _error_code(exc) != "NoSuchPublicAccessBlockConfiguration":
            raise
        configuration = {}
    off = [name for name in PUBLIC_ACCESS_BLOCK if not configuration.get(name)]
    if not off:
        return "all four on", None
    return f"off: {', '.join(off)}", lambda: client.put_public_access_block(
        Bucket=bucket, PublicAccessBlockConfiguration=PUBLIC_ACCESS_BLOCK
    )


def _tls_only_policy(client, bucket: str, region: str):
    try:
        policy = json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])
    except ClientError as exc:
        if _error_code(exc) != "NoSuchBucketPolicy":
            raise
        policy = {"Version": "2012-10-17", "Statement": []}
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    wanted = tls_only_statement(bucket, region)
    if any(_denies_plain_http(statement, wanted) for statement in statements):
        return "denies plain HTTP", None
    # Keep every other statement; replace an outdated one of ours.
    policy["Statement"] = [
        statement for statement in statements if statement.get("Sid") != TLS_ONLY_SID
    ] + [wanted]
    found = f"{len(statements)} statement(s), none denying plain HTTP"
    return found, lambda: client.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps(policy)
    )


def tls_only_statement(bucket: str, region: str) -> dict:
    """Return the policy statement denying every S3 action without TLS."""
    try:
        partition = boto3.session.Session().get_partition_for_region(region)
    except UnknownRegionError:  # an S3-compatible service's own region name
        partition = "aws"
    arn = f"arn:{partition}:s3:::{bucket}"
    return {
        "Sid": TLS_ONLY_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _denies_plain_http(statement: dict, wanted: dict) -> bool:
    def as_set(value) -> set:
        return {value} if isinstance(value, str) else set(value or ())

    condition = statement.get("Condition", {}).get("Bool", {})
    return (
        statement.get("Effect") == "Deny"
        and statement.get("Principal") in ("*", {"AWS": "*"})
        and "s3:*" in as_set(statement.get("Action"))
        and as_set(wanted["Resource"]) <= as_set(statement.get("Resource"))
        and str(condition.get("aws:SecureTransport")).lower() == "false"
    )


def _object_lock(client, bucket: str, region: str):
    try:
        configuration = client.get_object_lock_configuration(Bucket=bucket)
        configuration = configuration.get("ObjectLockConfiguration", {})
    except ClientError as exc:
        if _error_code(exc) != "ObjectLockConfigurationNotFoundError":
            raise
        configuration = {}
    retention = configuration.get("Rule", {}).get("DefaultRetention", {})
    wanted = object_lock.default_retention()["DefaultRetention"]
    if configuration.get("ObjectLockEnabled") != "Enabled":
        found = "off"
    elif retention:
        found = f"{retention.get('Mode', '?').lower()} mode for " + (
            f"{retention['Days']} days"
            if "Days" in retention
            else f"{retention.get('Years')} years"
        )
    else:
        found = "on, no default retention"
    if configuration.get("ObjectLockEnabled") == "Enabled" and all(
        retention.get(k) == v for k, v in wanted.items()
    ):
        return found, None
    # A retention once set can be raised, never removed from a locked object.
    return found, lambda: client.put_object_lock_configuration(
        Bucket=bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": object_lock.default_retention(),
        },
    )


BUCKET = Property("bucket", "create it", "created", _bucket)
OBJECT_LOCK = Property(
    "object lock",
    "lock new objects in compliance mode for AUDIT_DIGEST_RETENTION_DAYS",
    "new objects locked in compliance mode for AUDIT_DIGEST_RETENTION_DAYS",
    _object_lock,
)
PROPERTIES = [
    Property("versioning", "enable it", "enabled", _versioning),
    Property(
        "default encryption",
        "set AES256 with a bucket key",
        "set to AES256 with a bucket key",
        _encryption,
    ),
    Property(
        "public access block", "turn on all four", "all four on", _public_access_block
    ),
    Property(
        "bucket policy",
        "add a statement denying plain HTTP",
        "added a statement denying plain HTTP",
        _tls_only_policy,
    ),
]
