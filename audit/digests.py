"""
Audit digests: signed fingerprints of the audit trail, kept where the
database's users cannot rewrite them (AWS CloudTrail's digest files).

A digest names every record whose chain moved since the previous digest, as
a leaf (entity key, chain length, last entry hash), and holds their Merkle
root, the time range it covers, the SHA-256 of the previous digest's file
and a signature over all of it. Rewriting a chain after its digest, even
with every hash and the head recomputed, no longer reaches the leaf's hash;
forging a digest needs the signing key. Pure: no DynamoDB, no storage.
"""

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, replace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

FIRST_PREVIOUS = "0" * 64
ED25519 = "Ed25519"
ECDSA_SHA_256 = "ECDSA_SHA_256"


@dataclass(frozen=True)
class Leaf:
    """One record's chain as a digest saw it: its length and last entry's hash."""

    entity_key: str
    length: int
    last_entry_hash: str

    def canonical(self) -> bytes:
        return canonical_json([self.entity_key, self.length, self.last_entry_hash])


@dataclass(frozen=True)
class Digest:
    number: int
    covers_from: str  # exclusive; the previous digest's covers_until
    covers_until: str  # inclusive, UTC ISO 8601
    previous_digest_sha256: str
    leaves: tuple[Leaf, ...]
    merkle_root: str
    key_id: str = ""  # SHA-256 of the signing key's public key (DER)
    algorithm: str = ""
    signature: str = ""  # base64
    format: int = 1

    def unsigned_bytes(self) -> bytes:
        """Every field but the signature: what the signature covers."""
        content = self.as_dict()
        del content["signature"]
        return canonical_json(content)

    def file_bytes(self) -> bytes:
        return canonical_json(self.as_dict())

    def as_dict(self) -> dict:
        content = asdict(self)
        content["leaves"] = [
            [leaf.entity_key, leaf.length, leaf.last_entry_hash] for leaf in self.leaves
        ]
        return content


def canonical_json(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def file_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def digest_parse(body: bytes) -> Digest:
    """Read a digest file; ValueError when it is no digest."""
    try:
        content = json.loads(body)
        return Digest(
            number=int(content["number"]),
            covers_from=str(content["covers_from"]),
            covers_until=str(content["covers_until"]),
            previous_digest_sha256=str(content["previous_digest_sha256"]),
            leaves=tuple(
                Leaf(str(key), int(length), str(last))
                for key, length, last in content["leaves"]
            ),
            merkle_root=str(content["merkle_root"]),
            key_id=str(content.get("key_id", "")),
            algorithm=str(content.get("algorithm", "")),
            signature=str(content.get("signature", "")),
            format=int(content.get("format", 1)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a digest file ({exc})") from exc


# --- The Merkle tree (RFC 6962: leaf and node hashes apart) ----------------


def leaf_hash(leaf: Leaf) -> bytes:
    return hashlib.sha256(b"\x00" + leaf.canonical()).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves) -> str:
    """
    The root over the leaves sorted by entity key (hex); an odd node is
    promoted to the next level unchanged. No leaves: the SHA-256 of nothing.
    """
    level = [leaf_hash(leaf) for leaf in sorted(leaves, key=lambda x: x.entity_key)]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [
            node_hash(a, b) for a, b in zip(level[::2], level[1::2], strict=False)
        ]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0].hex()


def merkle_root_matches(digest: Digest) -> bool:
    return merkle_root(digest.leaves) == digest.merkle_root


def digest_build(
    *,
    number: int,
    covers_from: str,
    covers_until: str,
    previous_digest_sha256: str,
    leaves,
) -> Digest:
    """An unsigned digest of these leaves (sorted, one per record)."""
    ordered = tuple(sorted(leaves, key=lambda leaf: leaf.entity_key))
    keys = [leaf.entity_key for leaf in ordered]
    if len(set(keys)) != len(keys):
        raise ValueError("a digest holds one leaf per record")
    return Digest(
        number=number,
        covers_from=covers_from,
        covers_until=covers_until,
        previous_digest_sha256=previous_digest_sha256,
        leaves=ordered,
        merkle_root=merkle_root(ordered),
    )


# --- Signing and verifying ---------------------------------------------------


def public_key_id(public_key) -> str:
    """SHA-256 (hex) of the key's SubjectPublicKeyInfo: which key signed."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


class Ed25519Signer:
    """Signs with an Ed25519 private key (PEM, from the environment)."""

    algorithm = ED25519

    def __init__(self, private_key_pem: str | bytes):
        if isinstance(private_key_pem, str):
            # An environment variable may carry the PEM's line breaks as "\n".
            private_key_pem = private_key_pem.replace("\\n", "\n").encode()
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ValueError("the audit digest signing key must be an Ed25519 key")
        self._key = key
        self.key_id = public_key_id(key.public_key())

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


class KmsSigner:
    """
    Signs with an AWS KMS asymmetric key, whose private key never leaves KMS:
    ECC_NIST_P256 (ECDSA_SHA_256) or ECC_NIST_EDWARDS25519 (ED25519_SHA_512).
    The signed statement is short (`signed_message`), well under the 4 KB
    KMS signs raw, so neither needs KMS's pre-hashed modes.
    """

    def __init__(self, client, key_id: str):
        self._client, self._kms_key_id = client, key_id
        answer = client.get_public_key(KeyId=key_id)
        public_key = serialization.load_der_public_key(answer["PublicKey"])
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            self.algorithm, self._kms_algorithm = ED25519, "ED25519_SHA_512"
        elif isinstance(public_key, ec.EllipticCurvePublicKey) and isinstance(
            public_key.curve, ec.SECP256R1
        ):
            self.algorithm = self._kms_algorithm = ECDSA_SHA_256
        else:
            raise ValueError(
                f"the KMS key {key_id} is {answer.get('KeySpec', 'another kind')}; "
                "audit digests need ECC_NIST_P256 or ECC_NIST_EDWARDS25519"
            )
        self.key_id = public_key_id(public_key)

    def sign(self, message: bytes) -> bytes:
        answer = self._client.sign(
            KeyId=self._kms_key_id,
            Message=message,
            MessageType="RAW",
            SigningAlgorithm=self._kms_algorithm,
        )
        return answer["Signature"]


def signed_message(digest: Digest) -> bytes:
    """
    What a signature covers: a fixed label and the SHA-256 of the digest's
    canonical bytes without the signature (hash, then sign; short enough
    for any signer).
    """
    return (
        b"p2p-audit-digest:"
        + hashlib.sha256(digest.unsigned_bytes()).hexdigest().encode()
    )


def digest_sign(digest: Digest, signer) -> Digest:
    """Return the digest signed by `signer` (an Ed25519Signer or KmsSigner)."""
    named = replace(digest, key_id=signer.key_id, algorithm=signer.algorithm)
    signature = signer.sign(signed_message(named))
    return replace(named, signature=base64.b64encode(signature).decode())


def public_key_load(pem: str | bytes):
    """Load a verification key (Ed25519 or P-256, PEM); ValueError otherwise."""
    if isinstance(pem, str):
        pem = pem.replace("\\n", "\n").encode()
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("the audit digest public key must be Ed25519 or ECDSA")
    return key


def signature_valid(digest: Digest, public_key) -> bool:
    """True when `public_key` signed exactly this digest."""
    try:
        signature = base64.b64decode(digest.signature, validate=True)
    except ValueError:
        return False
    message = signed_message(digest)
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            if digest.algorithm != ED25519:
                return False
            public_key.verify(signature, message)
        else:
            if digest.algorithm != ECDSA_SHA_256:
                return False
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return digest.key_id == public_key_id(public_key)
