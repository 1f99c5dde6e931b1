"""An export to S3 (moto): versioned, encrypted objects whose version the run records."""

import hashlib

from payments import services
from tests.conftest import TODAY


def test_exported_files_are_encrypted_versioned_s3_objects(
    s3_bucket,  # noqa: F811
    treasurer,
    approver,
    three_vendors,
    matched_invoice,
):
    client, bucket = s3_bucket
    for vendor in three_vendors:
        matched_invoice(vendor)
    run = services.payment_run_create(user=treasurer, payment_date=TODAY).run
    services.payment_run_approve(run_id=run.id, user=approver)
    run = services.payment_run_export(run_id=run.id, user=treasurer)
    assert len(run.files) == 3
    for run_file in run.files:
        head = client.head_object(Bucket=bucket, Key=run_file.key)
        assert head["ServerSideEncryption"] == "AES256"
        assert run_file.version_id and head["VersionId"] == run_file.version_id
        body = client.get_object(Bucket=bucket, Key=run_file.key)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == run_file.sha256
