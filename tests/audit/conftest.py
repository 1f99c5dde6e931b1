"""Fixtures of the audit digest tests (tests.audit.digest_helpers)."""

import pytest

from tests.audit.digest_helpers import digest, digests_in, update_phone
from vendors.services import vendor_create


@pytest.fixture(params=["folder", "s3"])
def digests(request, settings, tmp_path):
    """Signing and public keys configured; digests in a folder or on S3 (moto)."""
    yield from digests_in(request.param, settings, tmp_path)


@pytest.fixture
def s3_digests(settings, tmp_path):
    yield from digests_in("s3", settings, tmp_path)


@pytest.fixture
def folder_digests(settings, tmp_path):
    yield from digests_in("folder", settings, tmp_path)


@pytest.fixture
def edited_vendor(clerk, vendor_fields):
    """A vendor created and edited three times: a chain of four entries."""
    vendor = vendor_create(user=clerk, fields=vendor_fields)
    return update_phone(
        vendor, clerk, "+49 30 1111111", "+49 30 2222222", "+49 30 3333333"
    )


@pytest.fixture
def anchored(digests, edited_vendor):
    """The vendor's four entries, anchored by digest #1."""
    output = digest()
    assert output.startswith("Digest #1: 1 chain, entries from ")
    return edited_vendor
