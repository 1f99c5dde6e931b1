import json
import uuid
from io import StringIO

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command
from django.core.management.base import CommandError
from moto import mock_aws

from core.management.commands import create_bucket

READS = ("Get", "Head", "List")


@pytest.fixture
def s3(settings):
    settings.AWS_S3_ENDPOINT_URL = None
    settings.AWS_S3_REGION_NAME = "us-east-1"
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def bucket():
    return f"p2p-documents-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_calls(monkeypatch):
    """The S3 operations the command calls, by name."""
    calls = []
    make_client = create_bucket.s3_client

    def recording_client():
        client = make_client()
        client.meta.events.register(
            "before-call.s3", lambda model, **kwargs: calls.append(model.name)
        )
        return client

    monkeypatch.setattr(create_bucket, "s3_client", recording_client)
    return calls


def run(*args) -> list[str]:
    out = StringIO()
    call_command("create_bucket", *args, stdout=out)
    return out.getvalue().splitlines()


def writes(calls: list[str]) -> list[str]:
    return [name for name in calls if not name.startswith(READS)]


def policy_statements(client, bucket: str) -> list[dict]:
    return json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]


def test_a_new_bucket_gets_versioning_encryption_no_public_access_and_tls_only(
    s3, bucket
):
    lines = run("--bucket", bucket)
    assert lines == [
        f"Bucket {bucket} on AWS S3 (us-east-1):",
        "  bucket: missing; created",
        "  versioning: never enabled; enabled",
        "  default encryption: none; set to AES256 with a bucket key",
        "  public access block: off: BlockPublicAcls, IgnorePublicAcls, "
        "BlockPublicPolicy, RestrictPublicBuckets; all four on",
        "  bucket policy: 0 statement(s), none denying plain HTTP; "
        "added a statement denying plain HTTP",
        "Made 5 changes.",
    ]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=bucket)[
        "ServerSideEncryptionConfiguration"
    ]["Rules"]
    assert rules == [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": True,
        }
    ]
    assert s3.get_public_access_block(Bucket=bucket)[
        "PublicAccessBlockConfiguration"
    ] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert policy_statements(s3, bucket) == [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]


def test_a_second_run_changes_nothing_and_says_so(s3, bucket, s3_calls):
    run("--bucket", bucket)
    s3_calls.clear()
    lines = run("--bucket", bucket)
    assert lines[1:] == [
        "  bucket: exists; unchanged",
        "  versioning: enabled; unchanged",
        "  default encryption: AES256 with a bucket key; unchanged",
        "  public access block: all four on; unchanged",
        "  bucket policy: denies plain HTTP; unchanged",
        "Nothing to change.",
    ]
    assert s3_calls and writes(s3_calls) == []


def test_dry_run_on_a_missing_bucket_creates_nothing(s3, bucket, s3_calls):
    lines = run("--bucket", bucket, "--dry-run")
    assert lines[1] == "  bucket: missing; would create it"
    assert lines[2] == "  versioning: bucket missing; would enable it"
    assert lines[-1] == "Would make 5 changes; changed nothing (dry run)."
    assert writes(s3_calls) == []
    with pytest.raises(ClientError, match="404"):
        s3.head_bucket(Bucket=bucket)


def test_dry_run_on_a_bare_bucket_changes_none_of_its_settings(s3, bucket, s3_calls):
    s3.create_bucket(Bucket=bucket)
    lines = run("--bucket", bucket, "--dry-run")
    assert lines[1:] == [
        "  bucket: exists; unchanged",
        "  versioning: never enabled; would enable it",
        "  default encryption: none; would set AES256 with a bucket key",
        "  public access block: off: BlockPublicAcls, IgnorePublicAcls, "
        "BlockPublicPolicy, RestrictPublicBuckets; would turn on all four",
        "  bucket policy: 0 statement(s), none denying plain HTTP; "
        "would add a statement denying plain HTTP",
        "Would make 4 changes; changed nothing (dry run).",
    ]
    assert writes(s3_calls) == []
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=bucket)


def test_other_policy_statements_are_kept(s3, bucket):
    s3.create_bucket(Bucket=bucket)
    keep = {
        "Sid": "KeepBucket",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:DeleteBucket",
        "Resource": f"arn:aws:s3:::{bucket}",
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [keep]})
    )
    assert "  bucket policy: 1 statement(s), none denying plain HTTP; " in "\n".join(
        run("--bucket", bucket)
    )
    statements = policy_statements(s3, bucket)
    assert [statement["Sid"] for statement in statements] == [
        "KeepBucket",
        "DenyInsecureTransport",
    ]
    assert statements[0] == keep


def test_the_bucket_and_region_come_from_settings(s3, bucket, settings):
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_REGION_NAME = "eu-west-1"
    lines = run()
    assert lines[0] == f"Bucket {bucket} on AWS S3 (eu-west-1):"
    location = s3.get_bucket_location(Bucket=bucket)["LocationConstraint"]
    assert location == "eu-west-1"


def test_without_a_bucket_name_it_says_how_to_give_one(settings):
    settings.AWS_STORAGE_BUCKET_NAME = ""
    with pytest.raises(CommandError, match="set AWS_STORAGE_BUCKET_NAME or pass"):
        run()


def test_an_unreachable_endpoint_is_one_line(settings, bucket):
    settings.AWS_S3_ENDPOINT_URL = "http://127.0.0.1:9"
    with pytest.raises(CommandError) as failed:
        run("--bucket", bucket)
    message = str(failed.value)
    assert message.startswith("Could not reach S3 at http://127.0.0.1:9: ")
    assert "\n" not in message
