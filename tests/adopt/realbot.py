"""Adopting a vendored real bot: copy it into a fresh repository, run `init`, apply the manual
edits a person makes (each one listed and counted), build the bot's own environment, and drive
it through the gates, the checklist and a testnet deploy."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import PROJECT_ROOT, CliResult, Repo, run_ci

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "bots"


@dataclass(frozen=True)
class Edit:
    """One change a person makes after `init`: what and why, and how the test makes it."""

    what: str
    apply: Callable[[Path], None]


def replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel}: the upstream code changed; update the edit"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def append(rel: str, text: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        path = root / rel
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(old + text, encoding="utf-8")

    return edit


def vendor(name: str, repo: Repo) -> None:
    """The fixture's files as the upstream repository had them (without our README)."""
    source = FIXTURES / name
    shutil.copytree(
        source, repo.path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md")
    )
    repo.commit("upstream")


def ruff_fix(root: Path) -> None:
    """`ruff check --fix` and `ruff format`: mechanical, one command a person runs."""
    ruff = Path(sys.executable).with_name("ruff")
    subprocess.run([ruff, "check", "--fix", "--quiet", "--no-cache", "."], cwd=root, check=False)
    subprocess.run([ruff, "format", "--quiet", "--no-cache", "."], cwd=root, check=True)


def build_env(root: Path, *requirements: str) -> None:
    """The bot's own environment from its own requirements, as `init` tells a person to build
    it; skipped when the package index cannot be reached."""
    subprocess.run([sys.executable, "-m", "venv", str(root / ".venv")], check=True)
    done = subprocess.run(
        [
            root / ".venv/bin/python",
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            *(arg for r in requirements for arg in ("-r", r)),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot build the bot's environment here: {done.stderr.strip()[-300:]}")


def ci(repo: Repo, *args: str, env: dict[str, str] | None = None) -> CliResult:
    """The pipeline pointed at the bot with -C, from outside it."""
    return run_ci("-C", str(repo.path), *args, cwd=repo.path.parent, env=env, timeout=600)


def stop_deployed(base: Path) -> None:
    pid_file = base / "shared" / "bot.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)
