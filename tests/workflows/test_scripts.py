"""The workflow helper scripts, run with bash on real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import Repo

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _promote_sha(repo: Repo, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    output = tmp_path / "github_output"
    output.write_text("")
    done = subprocess.run(
        ["bash", str(SCRIPTS / "promote-sha.sh"), *args],
        cwd=repo.path,
        env={"PATH": "/usr/bin:/bin", "GITHUB_OUTPUT": str(output), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return done.returncode, output.read_text(), done.stdout


def test_promote_defaults_to_the_newest_testnet_deploy(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    old = repo.commit("one")
    repo.git("tag", "deploy/testnet/20260101T000000Z-" + old[:7], old)
    repo.write("a.txt", "2")
    new = repo.commit("two")
    repo.git("tag", "deploy/testnet/20260102T000000Z-" + new[:7], new)
    repo.git("tag", "deploy/mainnet/20260103T000000Z-" + old[:7], old)
    repo.write("a.txt", "3")
    repo.commit("three, never deployed")
    code, output, _ = _promote_sha(repo, tmp_path)
    assert code == 0
    assert output == f"sha={new}\n"


def test_promote_refuses_a_commit_never_deployed_to_testnet(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    sha = repo.commit("one")
    code, output, stdout = _promote_sha(repo, tmp_path, sha)
    assert code == 1 and output == ""
    assert "never deployed to testnet" in stdout


def test_promote_refuses_when_nothing_is_live_on_testnet(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    repo.commit("one")
    code, output, stdout = _promote_sha(repo, tmp_path)
    assert code == 1 and output == ""
    assert "nothing is live on testnet" in stdout


def test_promote_refuses_what_is_not_a_commit(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    repo.commit("one")
    code, _, stdout = _promote_sha(repo, tmp_path, "no-such-ref")
    assert code == 1 and "not a commit: no-such-ref" in stdout
