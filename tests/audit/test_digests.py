"""
The digest format itself (audit.digests): the Merkle root over the chains'
leaves, the signature over everything but itself, and what a changed byte,
another key or a KMS key makes of them.
"""

import base64
import dataclasses
import hashlib

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from moto import mock_aws

from audit.digests import (
    FIRST_PREVIOUS,
    Ed25519Signer,
    KmsSigner,
    Leaf,
    digest_build,
    digest_parse,
    digest_sign,
    leaf_hash,
    merkle_root,
    merkle_root_matches,
    node_hash,
    public_key_load,
    signature_valid,
)
from tests.audit.digest_helpers import pem_pair

pytestmark = pytest.mark.backend_free

A = Leaf("vendor#a", 3, "a" * 64)
B = Leaf("vendor#b", 1, "b" * 64)
C = Leaf("invoice#c", 7, "c" * 64)


def digest_of(*leaves, number=1):
    return digest_build(
        number=number,
        covers_from="1970-01-01T00:00:00+00:00",
        covers_until="2026-12-02T10:00:00+00:00",
        previous_digest_sha256=FIRST_PREVIOUS,
        leaves=leaves,
    )


def test_a_leaf_and_a_node_hash_apart_as_rfc_6962_says():
    assert (
        leaf_hash(A)
        == hashlib.sha256(b'\x00["vendor#a",3,"' + b"a" * 64 + b'"]').digest()
    )
    assert merkle_root([A]) == leaf_hash(A).hex()


def test_the_root_is_over_the_leaves_sorted_and_an_odd_one_is_promoted():
    # Sorted: invoice#c, vendor#a, vendor#b; vendor#b has no partner.
    expected = node_hash(node_hash(leaf_hash(C), leaf_hash(A)), leaf_hash(B)).hex()
    assert merkle_root([A, B, C]) == expected
    assert merkle_root([B, C, A]) == expected


def test_any_changed_leaf_changes_the_root():
    digest = digest_of(A, B, C)
    assert merkle_root_matches(digest)
    for changed in (
        Leaf("vendor#a", 4, "a" * 64),
        Leaf("vendor#a", 3, "d" * 64),
        Leaf("vendor#z", 3, "a" * 64),
    ):
        altered = dataclasses.replace(digest, leaves=(C, changed, B))
        assert not merkle_root_matches(altered)


def test_a_record_has_one_leaf_in_a_digest():
    with pytest.raises(ValueError):
        digest_of(A, Leaf("vendor#a", 4, "e" * 64))


def test_a_signed_digest_survives_its_file_and_verifies_with_the_public_key():
    private, public = pem_pair()
    digest = digest_sign(digest_of(A, B, C), Ed25519Signer(private))
    read = digest_parse(digest.file_bytes())
    assert read == digest
    assert read.algorithm == "Ed25519"
    assert signature_valid(read, public_key_load(public))


def test_a_key_from_the_environment_may_carry_its_line_breaks_as_backslash_n():
    private, public = pem_pair()
    signer = Ed25519Signer(private.replace("\n", "\\n"))
    digest = digest_sign(digest_of(A), signer)
    assert signature_valid(digest, public_key_load(public.replace("\n", "\\n")))


def test_another_key_or_any_changed_field_fails_the_signature():
    private, public = pem_pair()
    _, other_public = pem_pair()
    digest = digest_sign(digest_of(A, B), Ed25519Signer(private))
    assert not signature_valid(digest, public_key_load(other_public))
    key = public_key_load(public)
    for field, value in (
        ("covers_until", "2026-12-02T11:00:00+00:00"),
        ("previous_digest_sha256", "1" * 64),
        ("number", 2),
        ("signature", base64.b64encode(b"\x00" * 64).decode()),
    ):
        assert not signature_valid(dataclasses.replace(digest, **{field: value}), key)


def test_a_kms_key_signs_digests_larger_than_kms_signs_raw():
    # moto has no ECC_NIST_EDWARDS25519 keys: the Ed25519 path is untested here.
    _, public = pem_pair()
    leaves = [Leaf(f"vendor#{n:05d}", n, f"{n:064x}") for n in range(1, 200)]
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")[
            "KeyMetadata"
        ]["KeyId"]
        der = kms.get_public_key(KeyId=key_id)["PublicKey"]
        digest = digest_sign(digest_of(*leaves), KmsSigner(kms, key_id))
    assert len(digest.unsigned_bytes()) > 4096
    kms_public = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert digest.algorithm == "ECDSA_SHA_256"
    assert signature_valid(digest, public_key_load(kms_public))
    assert not signature_valid(digest, public_key_load(public))
