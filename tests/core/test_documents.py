import hashlib
import uuid

import pytest
from botocore.config import Config
from django.core.files.storage import default_storage

from core.documents import StoredDocument, document_open, document_save
from core.errors import Duplicate, NotFound, ServiceUnavailable
from tests.conftest import s3_storage

XML = b'<?xml version="1.0" encoding="UTF-8"?><Document>run 1</Document>'


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


@pytest.fixture(params=["files", "s3"])
def storage(request):
    """Each test runs once on local files and once on S3."""
    return request.getfixturevalue(
        "media_root" if request.param == "files" else "s3_bucket"
    )


def run_key() -> str:
    return f"payments/2026/{uuid.uuid4()}/pain.001.xml"


def read(key: str) -> bytes:
    with document_open(key=key) as stored:
        return stored.read()


def test_save_to_s3_stores_an_encrypted_object_with_the_version_it_returns(s3_bucket):
    client, bucket = s3_bucket
    key = run_key()
    stored = document_save(key=key, content=XML, content_type="application/xml")
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/xml"
    assert stored.version_id and stored.version_id == head["VersionId"]
    assert stored == StoredDocument(
        key=key,
        sha256=hashlib.sha256(XML).hexdigest(),
        size=len(XML),
        version_id=head["VersionId"],
    )
    body = client.get_object(Bucket=bucket, Key=key, VersionId=stored.version_id)
    assert body["Body"].read() == XML


def test_a_taken_key_in_s3_is_refused_and_its_only_version_is_the_first(s3_bucket):
    client, bucket = s3_bucket
    key = run_key()
    first = document_save(key=key, content=XML, content_type="application/xml")
    with pytest.raises(Duplicate, match="never overwritten") as refused:
        document_save(key=key, content=b"<Document/>", content_type="application/xml")
    assert refused.value.extra == {"key": key}
    versions = client.list_object_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"]) for v in versions["Versions"]] == [
        (key, first.version_id)
    ]
    assert "DeleteMarkers" not in versions
    assert read(key) == XML


def test_save_stores_the_content_and_reports_its_digest_and_size(storage):
    key = run_key()
    stored = document_save(key=key, content=XML, content_type="application/xml")
    assert (stored.key, stored.size) == (key, len(XML))
    assert stored.sha256 == hashlib.sha256(XML).hexdigest()
    assert read(key) == XML


def test_local_files_have_no_version_and_live_under_media_root(media_root):
    key = run_key()
    stored = document_save(key=key, content=XML, content_type="application/xml")
    assert stored.version_id is None
    assert (media_root / key).read_bytes() == XML


def test_saving_a_taken_key_is_refused_and_the_first_content_stays(storage):
    key = run_key()
    document_save(key=key, content=XML, content_type="application/xml")
    with pytest.raises(Duplicate):
        document_save(key=key, content=b"other", content_type="application/xml")
    assert read(key) == XML
    assert default_storage.listdir(key.rsplit("/", 1)[0]) == ([], ["pain.001.xml"])


def test_a_key_taken_after_the_check_is_refused_without_leaving_a_copy(
    storage, monkeypatch
):
    key = run_key()
    document_save(key=key, content=XML, content_type="application/xml")
    storage_class = default_storage.__class__
    real_exists = storage_class.exists
    missed = []

    def exists_missed_once(self, name):
        if not missed:  # the first check misses the document, as in a race
            missed.append(name)
            return False
        return real_exists(self, name)

    monkeypatch.setattr(storage_class, "exists", exists_missed_once)
    with pytest.raises(Duplicate):
        document_save(key=key, content=b"other", content_type="application/xml")
    assert missed == [key]
    assert read(key) == XML
    assert default_storage.listdir(key.rsplit("/", 1)[0]) == ([], ["pain.001.xml"])


def test_opening_a_missing_document_is_not_found(storage):
    with pytest.raises(NotFound, match="No document is stored under payments/none"):
        document_open(key="payments/none/pain.001.xml")


@pytest.mark.parametrize(
    "key", ["", "/payments/a.xml", "payments//a.xml", "payments/../a.xml", "a\\b.xml"]
)
def test_keys_a_storage_would_rewrite_are_refused(media_root, key):
    with pytest.raises(ValueError, match="Not a document key"):
        document_save(key=key, content=XML, content_type="application/xml")
    assert not any(media_root.iterdir())


def test_an_unreachable_s3_endpoint_is_service_unavailable(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            settings,
            bucket_name="documents",
            endpoint_url="http://127.0.0.1:9",
            client_config=Config(connect_timeout=1, retries={"max_attempts": 1}),
        ),
    }
    with pytest.raises(ServiceUnavailable, match="could not be reached"):
        document_save(key=run_key(), content=XML, content_type="application/xml")
