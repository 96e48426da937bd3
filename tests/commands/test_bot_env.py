"""`bottie-ci bot-env`: the bot's own environment, built from its hash-locked lock, apart
from the pipeline's; a lock that cannot be installed exactly stops it with one line.

The lock installs a wheel built here from a local folder (`--no-index --find-links` in the
lock itself), so the tests run offline with real `venv` and real pip.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from tests.helpers import Repo, invoke_ci, wheel

PYPROJECT = '[tool.bottie]\npython = ".venv/bin/python"\n'


def lock(repo: Repo, *, hashed: bool = True) -> None:
    built = wheel(repo.path.parent / "wheels")
    digest = hashlib.sha256(built.read_bytes()).hexdigest()
    pin = f"botdep==1.0 --hash=sha256:{digest}" if hashed else "botdep==1.0"
    repo.write("requirements.txt", f"--no-index\n--find-links {built.parent}\n{pin}\n")


def bot_env(repo: Repo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """The command in this process: what it builds and says is the point, not its process
    (tests/test_in_process.py holds the two to the same answers)."""
    done = invoke_ci("-C", str(repo.path), "bot-env", *args, cwd=repo.path.parent, env=env)
    return done.code, done.stdout + done.stderr


def test_builds_the_bots_environment_apart_from_the_pipelines(repo: Repo) -> None:
    repo.write("pyproject.toml", PYPROJECT)
    lock(repo)
    code, out = bot_env(repo)
    assert code == ExitCode.OK, out
    python = repo.path / ".venv/bin/python"
    assert f"built the bot's environment from requirements.txt: {python}" in out
    probe = "import botdep; print(botdep.WHERE)"
    ran = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=False)
    assert ran.stdout.strip() == "the bot environment"
    pipeline = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=False)
    assert pipeline.returncode != 0  # the bot's dependency stays out of the pipeline's venv


def test_under_actions_the_interpreter_is_a_step_output(repo: Repo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", PYPROJECT)
    lock(repo)
    output = tmp_path / "github_output"
    output.touch()
    code, out = bot_env(repo, str(tmp_path / "bot-venv"), env={"GITHUB_OUTPUT": str(output)})
    assert code == ExitCode.OK, out
    assert output.read_text() == f"python={tmp_path / 'bot-venv/bin/python'}\n"
    assert not (repo.path / ".venv").exists()


def test_an_unhashed_lock_is_refused_in_one_line(repo: Repo) -> None:
    repo.write("pyproject.toml", PYPROJECT)
    lock(repo, hashed=False)
    code, out = bot_env(repo)
    assert code == ExitCode.ERROR
    assert "error: the bot's lock did not install (python exited with 1)" in out
    assert "--hash=" in out  # the tip says what a lock needs


def test_a_missing_lock_is_named(repo: Repo) -> None:
    repo.write("pyproject.toml", PYPROJECT + '\n[tool.bottie.audit]\nrequirements = ["r.txt"]\n')
    code, out = bot_env(repo)
    assert code == ExitCode.ERROR
    assert "the bot's lock r.txt does not exist" in out
    assert not (repo.path / ".venv").exists()


@pytest.mark.parametrize("pyproject", ["", '[tool.bottie]\nresults_dir = "out"\n'])
def test_without_a_bot_interpreter_there_is_nothing_to_build(
    repo: Repo, tmp_path: Path, pyproject: str
) -> None:
    repo.write("pyproject.toml", pyproject)
    output = tmp_path / "github_output"
    output.touch()
    code, out = bot_env(repo, env={"GITHUB_OUTPUT": str(output)})
    assert code == ExitCode.OK
    assert "no bot environment configured" in out
    assert output.read_text() == "python=\n"  # the gate then keeps the pipeline's interpreter
