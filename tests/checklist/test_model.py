"""The checklist's digest and signature as documented (ci/checklist/model.py), so anyone can
recompute them: SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every
field but `digest` and `signature`; HMAC-SHA256 of the digest with the signing key."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from ci.checklist.model import digest_of, hmac_key_from, sign


def test_the_digest_is_sha256_of_the_documented_canonical_json() -> None:
    document = {"z": [1, 2], "actor": "Zoë", "digest": "old", "signature": "old", "n": None}
    canonical = '{"actor":"Zoë","n":null,"z":[1,2]}'.encode()
    assert digest_of(document) == "sha256:" + hashlib.sha256(canonical).hexdigest()


def test_the_signature_is_hmac_sha256_of_the_digest() -> None:
    digest = "sha256:" + "ab" * 32
    expected = hmac.new(b"k3y", digest.encode(), hashlib.sha256).hexdigest()
    assert sign(digest, b"k3y") == f"hmac-sha256:{expected}"


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({}, None),
        ({"CHECKLIST_HMAC_KEY": ""}, None),
        ({"CHECKLIST_HMAC_KEY": "s3cret-ü"}, "s3cret-ü".encode()),
        ({"OTHER": "x"}, None),
    ],
)
def test_the_signing_key_comes_from_checklist_hmac_key(
    environ: dict[str, str], key: bytes | None
) -> None:
    assert hmac_key_from(environ) == key
