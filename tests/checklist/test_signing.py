"""Signing required: an empty or unset key must not switch the signature check off.

GitHub hands a workflow an unset secret as the empty string ("Using secrets in GitHub
Actions", GitHub Docs), so CHECKLIST_HMAC_KEY="" is what a missing key looks like.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci.checklist import ChecklistRefused, verify_file
from ci.checklist.model import Checklist, signing_required
from ci.core.config import EnvironmentConfig
from tests.checklist.conftest import HMAC_KEY, complete_checklist
from tests.helpers import Repo, run_ci


def _forged(repo: Repo, tmp_path: Path) -> tuple[Path, Checklist]:
    """A complete mainnet checklist its forger sealed with a recomputed digest, no key."""
    checklist = complete_checklist(repo, env="mainnet").sealed(None)
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps(checklist.to_json()), encoding="utf-8")
    return path, checklist


@pytest.mark.parametrize("key", [None, b""])
def test_without_a_key_a_required_signature_is_one_refusal(
    repo: Repo, tmp_path: Path, key: bytes | None
) -> None:
    path, checklist = _forged(repo, tmp_path)
    with pytest.raises(ChecklistRefused) as caught:
        verify_file(path, sha=checklist.sha, env="mainnet", hmac_key=key, require_signature=True)
    assert str(caught.value) == (
        f"{path}: signing is required for mainnet but CHECKLIST_HMAC_KEY is empty or unset; "
        "refusing"
    )


def test_with_the_key_a_forgery_without_signature_is_refused(repo: Repo, tmp_path: Path) -> None:
    path, checklist = _forged(repo, tmp_path)
    with pytest.raises(ChecklistRefused, match="unsigned"):
        verify_file(
            path, sha=checklist.sha, env="mainnet", hmac_key=HMAC_KEY, require_signature=True
        )


def test_a_signed_checklist_passes_when_signing_is_required(repo: Repo, tmp_path: Path) -> None:
    checklist = complete_checklist(repo, env="testnet", key=HMAC_KEY)
    path = tmp_path / "checklist.json"
    path.write_text(json.dumps(checklist.to_json()), encoding="utf-8")
    verified = verify_file(
        path, sha=checklist.sha, env="testnet", hmac_key=HMAC_KEY, require_signature=True
    )
    assert verified.signature is not None


def test_signing_is_required_on_mainnet_unless_configured_otherwise() -> None:
    assert signing_required(EnvironmentConfig(network="mainnet"))
    assert not signing_required(EnvironmentConfig(network="testnet"))
    assert signing_required(EnvironmentConfig(network="testnet", signing="required"))
    assert not signing_required(EnvironmentConfig(network="mainnet", signing="optional"))
    assert signing_required(None)  # an environment nobody configured


def test_the_verify_command_refuses_an_unsigned_mainnet_checklist_with_an_empty_key(
    repo: Repo, tmp_path: Path
) -> None:
    path, checklist = _forged(repo, tmp_path)
    done = run_ci(
        "checklist",
        "verify",
        str(path),
        "--sha",
        checklist.sha,
        "--env",
        "mainnet",
        cwd=repo.path,
        env={"CHECKLIST_HMAC_KEY": ""},
    )
    assert done.code == 1
    assert "signing is required for mainnet but CHECKLIST_HMAC_KEY is empty" in done.stderr
    assert done.stderr.count("\n") == 1
