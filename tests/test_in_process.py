"""`invoke_ci` (the CLI in the test's own process) answers as `run_ci` (a real `python -m ci`)
does, and leaves the test's process as it found it: the cheaper helper may stand in for the
real one only while both hold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from tests.helpers import Repo, invoke_ci, run_ci

CASES = [
    ("--version",),
    ("run", "nope"),  # a usage error: exit 2, one line
    ("run", "--list"),
    ("card", "testnet"),  # no profile here: a known fatal error, exit 3
    ("scan", "missing-file"),
]


@pytest.mark.parametrize("args", CASES, ids=" ".join)
def test_same_exit_code_and_output_as_a_real_process(repo: Repo, args: tuple[str, ...]) -> None:
    real = run_ci(*args, cwd=repo.path)
    here = invoke_ci(*args, cwd=repo.path)
    assert (here.code, here.stdout, here.stderr) == (real.code, real.stdout, real.stderr)


def test_the_environment_given_is_seen_and_then_taken_back(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    output = tmp_path / "github_output"
    output.write_text("")
    repo.write("a.txt", "1")
    sha = repo.commit("one")
    repo.git("tag", "deploy/testnet/20260101T000000Z-" + sha[:7], sha)
    before = Path.cwd()
    done = invoke_ci("github", "promote-sha", cwd=repo.path, env={"GITHUB_OUTPUT": str(output)})
    assert done.code == ExitCode.OK, done.stderr
    assert output.read_text() == f"sha={sha}\n"  # the command saw GITHUB_OUTPUT and the cwd
    assert "GITHUB_OUTPUT" not in os.environ
    assert Path.cwd() == before
