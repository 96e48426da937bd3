"""What the workflows' steps call, on real git repositories: `ci github promote-sha` and
`ci github push-tag` (their decisions in this process, a push with a token as a real one), and
scripts/install-pipeline.sh."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CliResult, Repo, invoke_ci, run_ci

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ghs_" + "P" * 36


def _promote_sha(repo: Repo, tmp_path: Path, *args: str) -> tuple[CliResult, str]:
    output = tmp_path / "github_output"
    output.write_text("")
    env = {"GITHUB_OUTPUT": str(output), "GITHUB_ACTIONS": "true"}
    done = invoke_ci("github", "promote-sha", *args, cwd=repo.path, env=env)
    return done, output.read_text()


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
    done, output = _promote_sha(repo, tmp_path)
    assert done.code == 0, done.stderr
    assert output == f"sha={new}\n"


def test_promote_takes_an_older_testnet_deploy_asked_for(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    old = repo.commit("one")
    repo.git("tag", "deploy/testnet/20260101T000000Z-" + old[:7], old)
    repo.write("a.txt", "2")
    new = repo.commit("two")
    repo.git("tag", "deploy/testnet/20260102T000000Z-" + new[:7], new)
    done, output = _promote_sha(repo, tmp_path, "--sha", old[:10])
    assert done.code == 0 and output == f"sha={old}\n"


def test_promote_refuses_a_commit_never_deployed_to_testnet(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    sha = repo.commit("one")
    repo.git("tag", "deploy/mainnet/20260101T000000Z-" + sha[:7], sha)
    done, output = _promote_sha(repo, tmp_path, "--sha", sha)
    assert done.code == 1 and output == ""
    assert "never deployed to testnet" in done.stderr


def test_promote_refuses_when_nothing_is_live_on_testnet(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    repo.commit("one")
    done, output = _promote_sha(repo, tmp_path)
    assert done.code == 1 and output == ""
    assert "nothing is live on testnet" in done.stderr


def test_promote_refuses_what_is_not_a_commit(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    repo.commit("one")
    done, _ = _promote_sha(repo, tmp_path, "--sha", "no-such-ref")
    assert done.code == 1 and "not a commit: no-such-ref" in done.stderr


def test_push_tag_pushes_the_new_deploy_tag_and_only_it(repo: Repo, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True)
    repo.git("remote", "add", "origin", str(origin))
    repo.write("a.txt", "1")
    sha = repo.commit("one")
    repo.git("push", "-q", "origin", "main")
    repo.git("tag", "deploy/testnet/20260101T000000Z-" + sha[:7], sha)
    repo.git("tag", "-a", "deploy/testnet/20260102T000000Z-" + sha[:7], sha, "-m", "deploy")
    repo.git("tag", "unrelated", sha)
    output = tmp_path / "output"
    env = {"GH_TOKEN": TOKEN, "GITHUB_OUTPUT": str(output), "GITHUB_ACTIONS": "true"}
    done = run_ci("github", "push-tag", "testnet", "--sha", sha, cwd=repo.path, env=env)
    assert done.code == 0, done.stderr
    pushed = subprocess.run(
        ["git", "tag", "--list"], cwd=origin, capture_output=True, text=True, check=True
    ).stdout.split()
    assert pushed == ["deploy/testnet/20260102T000000Z-" + sha[:7]]
    assert output.read_text() == f"tag={pushed[0]}\n"
    assert TOKEN not in done.stdout + done.stderr
    assert "::add-mask::" in done.stdout  # the derived credential is masked
    assert TOKEN not in (repo.path / ".git" / "config").read_text()


def test_push_tag_refuses_a_tag_of_another_commit(repo: Repo, tmp_path: Path) -> None:
    repo.write("a.txt", "1")
    old = repo.commit("one")
    repo.git("tag", "deploy/testnet/20260101T000000Z-" + old[:7], old)
    repo.write("a.txt", "2")
    new = repo.commit("two")
    done = invoke_ci(
        "github", "push-tag", "testnet", "--sha", new, cwd=repo.path, env={"GH_TOKEN": TOKEN}
    )
    assert done.code == 1 and f"no deploy/testnet/* tag at {new}" in done.stderr


def _pipeline_clone(tmp_path: Path) -> Path:
    """A clone of this repository with this checkout's install script, locks and package
    committed (the script builds the package from the committed tree)."""
    clone = tmp_path / "pipeline"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    for changed in ("scripts/install-pipeline.sh", "requirements", "pyproject.toml", "ci"):
        subprocess.run(["cp", "-r", str(ROOT / changed), str((clone / changed).parent)], check=True)
    subprocess.run(["git", "add", "-A"], cwd=clone, check=True)
    identity = ["-c", "user.name=t", "-c", "user.email=t@t"]
    commit = ["git", *identity, "commit", "-qm", "wip", "--allow-empty"]
    subprocess.run(commit, cwd=clone, check=True)
    return clone


def _install(
    clone: Path, tmp_path: Path, **extra: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Runs the clone's install script as a job does, from an unrelated folder, with a fresh
    RUNNER_TEMP; returns the run and the pipeline's venv."""
    work = tmp_path / "work"
    work.mkdir()
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"RUNNER_TEMP": str(temp), **extra}
    done = subprocess.run(
        ["bash", str(clone / "scripts" / "install-pipeline.sh")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return done, temp / "bottie-venv"


# `network`: the script installs the whole lock (requirements/ci.txt) from the package index,
# a service beyond loopback; so the tests gate leaves it to the whole suite (`./dev test`, CI).
@pytest.mark.network
def test_installed_pipeline_runs_from_its_own_venv(tmp_path: Path) -> None:
    # The project's declared dependencies are met by the lock: `uv pip install --no-deps` of
    # the package after requirements/ci.txt gives a working bottie-ci, with nothing of this
    # checkout on the path (the test runs it from an unrelated folder).
    clone = _pipeline_clone(tmp_path)
    done, venv = _install(clone, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    # The venv has no pip of its own (the script installs with the runner's): pip checks it
    # from outside, run by the venv's interpreter.
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    check = subprocess.run([*pip, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    helped = subprocess.run(
        [str(venv / "bin" / "bottie-ci"), "--help"],
        cwd=tmp_path / "work",
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        capture_output=True,
        text=True,
    )
    assert helped.returncode == 0 and "checklist" in helped.stdout
    assert not (clone / "build").exists() and not list(clone.glob("*.egg-info"))


def _tampered(lock: str, package: str, *, drop: bool) -> str:
    """`lock` with `package`'s hashes replaced by one that no file has, or dropped."""
    block = re.compile(
        rf"(?m)^({re.escape(package)}==\S+) \\\n(?:    --hash=sha256:\w+(?: \\)?\n)+"
    )
    forged = r"\1\n" if drop else r"\1 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    changed, count = block.subn(forged, lock)
    assert count == 1, f"{package} not found in the lock"
    return changed


# `network`: the wheelhouse (the `wheels` fixture) comes from the package index once per run.
@pytest.mark.network
@pytest.mark.parametrize(
    ("lock", "package", "drop", "says"),
    [
        ("ci.txt", "click", False, "hash mismatch"),  # uv, a file that is not the pinned one
        ("ci.txt", "click", True, "all requirements must have a hash"),  # uv, a pin without one
        ("uv.txt", "uv", False, "do not match the hashes"),  # pip, the installer itself
    ],
)
def test_the_install_fails_closed_on_a_file_the_lock_does_not_pin(
    tmp_path: Path, wheels: Path, lock: str, package: str, drop: bool, says: str
) -> None:
    """Hash-checking mode for every installer in the chain: one package whose file matches
    none of the lock's hashes, or whose pin has none, and the script stops before the
    pipeline is installed, saying why."""
    clone = _pipeline_clone(tmp_path)
    path = clone / "requirements" / lock
    path.write_text(_tampered(path.read_text(encoding="utf-8"), package, drop=drop))
    offline = {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
    offline |= {"UV_NO_CONFIG": "1", "UV_OFFLINE": "1", "UV_FIND_LINKS": str(wheels)}
    offline |= {"UV_CACHE_DIR": str(tmp_path / "uv-cache")}
    done, venv = _install(clone, tmp_path, **offline)
    assert done.returncode != 0
    assert says in done.stderr.lower(), done.stderr[-2000:]
    assert not (venv / "bin" / "bottie-ci").exists()
