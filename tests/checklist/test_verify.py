"""Verify refuses, one line per reason: each reason has its own test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ci.checklist import ChecklistRefused, verify_file
from ci.checklist.model import CORE_ITEMS, Checklist, ItemStatus, digest_of, required_items
from tests.checklist.conftest import HMAC_KEY, complete_checklist
from tests.helpers import Repo


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def refusal(path: Path, sha: str, env: str = "testnet", key: bytes | None = None) -> list[str]:
    with pytest.raises(ChecklistRefused) as caught:
        verify_file(path, sha=sha, env=env, hmac_key=key)
    return str(caught.value).splitlines()


def resealed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with a freshly computed digest, as a forger would do."""
    return {**document, "digest": digest_of(document)}


@pytest.fixture
def checklist(repo: Repo) -> Checklist:
    return complete_checklist(repo)


def test_complete_checklist_passes(checklist: Checklist, tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", checklist.to_json())
    assert verify_file(path, sha=checklist.sha, env="testnet") == checklist


def test_sha_is_compared_case_insensitively(checklist: Checklist, tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", checklist.to_json())
    verify_file(path, sha=checklist.sha.upper(), env="testnet")


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(lambda sha: sha[:-1] + ("1" if sha[-1] != "1" else "2"), id="last-digit"),
        pytest.param(lambda sha: ("1" if sha[0] != "1" else "2") + sha[1:], id="first-digit"),
        pytest.param(lambda sha: sha[:12], id="short-sha"),
        pytest.param(lambda sha: sha + "0", id="longer"),
    ],
)
def test_every_digit_of_the_sha_counts(
    checklist: Checklist, tmp_path: Path, other: Callable[[str], str]
) -> None:
    """A checklist vouches for one commit: a SHA sharing a prefix (or a short SHA, which
    could name another commit later) is another SHA."""
    path = write(tmp_path / "c.json", checklist.to_json())
    sha = other(checklist.sha)
    assert refusal(path, sha) == [f"{path}: built for SHA {checklist.sha}, not {sha}"]


def test_missing_file(tmp_path: Path) -> None:
    assert refusal(tmp_path / "nope.json", "a" * 40) == [
        f"{tmp_path / 'nope.json'}: missing: no checklist file"
    ]


def test_a_file_that_is_not_utf8_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"schema_version": 1, "sha": "\xff\xfe"}')
    [line] = refusal(path, "a" * 40)
    assert line.startswith(f"{path}: malformed: cannot read it: 'utf-8' codec can't decode")


def test_a_file_nested_too_deep_is_malformed_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert refusal(path, "a" * 40) == [f"{path}: malformed: nested too deep to be a checklist"]


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2]", '"a string"'])
def test_malformed_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    [line] = refusal(path, "a" * 40)
    assert line.startswith(f"{path}: malformed: ")


def test_malformed_fields_are_named(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    del document["sha"]
    document["items"][0]["status"] = "approved-by-vibes"
    lines = refusal(write(tmp_path / "c.json", document), checklist.sha)
    assert any(line.endswith("malformed: sha: Field required") for line in lines)
    assert any("malformed: items.0.status:" in line for line in lines)


@pytest.mark.parametrize("version", [2, 0, "1", None, True])
def test_unknown_schema_version(checklist: Checklist, tmp_path: Path, version: object) -> None:
    document = resealed({**checklist.to_json(), "schema_version": version})
    [line] = refusal(write(tmp_path / "c.json", document), checklist.sha)
    assert f"unknown schema version {version!r} (this pipeline reads 1)" in line


def test_other_sha(checklist: Checklist, tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", checklist.to_json())
    assert refusal(path, "b" * 40) == [f"{path}: built for SHA {checklist.sha}, not {'b' * 40}"]


def test_other_environment(checklist: Checklist, tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", checklist.to_json())
    assert refusal(path, checklist.sha, env="mainnet") == [
        f"{path}: built for environment 'testnet', not 'mainnet'"
    ]


@pytest.mark.parametrize("status", [ItemStatus.FAILED, ItemStatus.MISSING])
def test_item_not_passed_is_named(checklist: Checklist, tmp_path: Path, status: ItemStatus) -> None:
    document = checklist.to_json()
    document["items"][2].update(status=status.value, evidence="tests gate failed: 3 failed")
    item_id = document["items"][2]["id"]
    path = write(tmp_path / "c.json", resealed(document))
    assert refusal(path, checklist.sha) == [
        f"{path}: item {item_id} is {status.value}: tests gate failed: 3 failed"
    ]


def test_tampered_content_is_a_digest_mismatch(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    document["items"][0]["evidence"] = "trust me"
    path = write(tmp_path / "c.json", document)
    assert refusal(path, checklist.sha) == [
        f"{path}: digest mismatch: the checklist was changed after it was built"
    ]


def test_an_absent_item_is_named(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    document["items"] = [i for i in document["items"] if i["id"] != "toggle-card"]
    path = write(tmp_path / "c.json", resealed(document))
    assert refusal(path, checklist.sha) == [f"{path}: item toggle-card is absent"]


def test_an_absent_gate_item_is_named_when_required(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    document["items"] = [i for i in document["items"] if i["id"] != "gate-audit"]
    path = write(tmp_path / "c.json", resealed(document))
    verify_file(path, sha=checklist.sha, env="testnet")  # the core items are all there
    with pytest.raises(ChecklistRefused, match="item gate-audit is absent"):
        verify_file(
            path, sha=checklist.sha, env="testnet", required=required_items(["tests", "audit"])
        )


def test_empty_checklist_is_refused(checklist: Checklist, tmp_path: Path) -> None:
    path = write(tmp_path / "c.json", resealed({**checklist.to_json(), "items": []}))
    assert refusal(path, checklist.sha) == [
        f"{path}: item {item_id} is absent" for item_id in CORE_ITEMS
    ]


def test_an_item_listed_twice_is_refused(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    document["items"].append(document["items"][0])
    path = write(tmp_path / "c.json", resealed(document))
    assert refusal(path, checklist.sha) == [f"{path}: item env-files is listed more than once"]


def test_a_built_checklist_holds_every_required_item(checklist: Checklist) -> None:
    ids = {item.id for item in checklist.items}
    assert set(required_items(["tests", "smoke", "secrets", "lint", "audit"])) <= ids


def test_every_reason_is_listed_together(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    document["items"][1]["status"] = "failed"
    lines = refusal(write(tmp_path / "c.json", document), "c" * 40, env="mainnet")
    assert [line.split(": ", 1)[1].split(" ")[0] for line in lines] == [
        "digest",
        "built",
        "built",
        "item",
    ]


def test_multiline_evidence_stays_one_line_per_reason(checklist: Checklist, tmp_path: Path) -> None:
    document = checklist.to_json()
    document["items"][0].update(status="failed", evidence="line one\nline two")
    lines = refusal(write(tmp_path / "c.json", resealed(document)), checklist.sha)
    assert lines == [f"{tmp_path / 'c.json'}: item env-files is failed: line one line two"]


class TestSignature:
    def test_signed_checklist_passes_with_the_key(self, repo: Repo, tmp_path: Path) -> None:
        checklist = complete_checklist(repo, key=HMAC_KEY)
        path = write(tmp_path / "c.json", checklist.to_json())
        verify_file(path, sha=checklist.sha, env="testnet", hmac_key=HMAC_KEY)

    def test_unsigned_checklist_is_refused_when_a_key_is_configured(
        self, checklist: Checklist, tmp_path: Path
    ) -> None:
        path = write(tmp_path / "c.json", checklist.to_json())
        assert refusal(path, checklist.sha, key=HMAC_KEY) == [
            f"{path}: unsigned: a signing key is configured but the checklist has no signature"
        ]

    def test_forged_checklist_with_recomputed_digest_is_refused(
        self, repo: Repo, tmp_path: Path
    ) -> None:
        checklist = complete_checklist(repo, key=HMAC_KEY)
        document = checklist.to_json()
        document["environment"] = "mainnet"  # a forger can recompute the digest...
        path = write(tmp_path / "c.json", resealed(document))
        # ...but not the signature, which needs the key.
        assert refusal(path, checklist.sha, env="mainnet", key=HMAC_KEY) == [
            f"{path}: signature mismatch: not signed with this pipeline's key"
        ]

    def test_other_key_is_a_signature_mismatch(self, repo: Repo, tmp_path: Path) -> None:
        checklist = complete_checklist(repo, key=b"some-other-key")
        path = write(tmp_path / "c.json", checklist.to_json())
        assert refusal(path, checklist.sha, key=HMAC_KEY) == [
            f"{path}: signature mismatch: not signed with this pipeline's key"
        ]


def test_non_ascii_digest_is_a_mismatch_not_a_crash(checklist: Checklist, tmp_path: Path) -> None:
    # Found by the property test: hmac.compare_digest refuses non-ASCII str.
    path = write(tmp_path / "c.json", {**checklist.to_json(), "digest": "sha256:\u00e9"})
    assert refusal(path, checklist.sha) == [
        f"{path}: digest mismatch: the checklist was changed after it was built"
    ]
