"""Fixtures shared by the end-to-end modules (act runs of the workflows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import shared_by_workers

PROJECT = Path(__file__).resolve().parents[2]


# What scripts/install-pipeline.sh installs in a gate job: its installer, the pipeline's lock,
# the build backend, and the example bot's requirements.
LOCKS = (
    "requirements/uv.txt",
    "requirements/ci.txt",
    "requirements/build.txt",
    "bot/requirements.txt",
)


@pytest.hookimpl(trylast=True)  # after pytest-randomly has shuffled
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end tests first, in the order they came: each makes act runs of minutes, so
    a pytest-xdist worker that starts one late leaves the run waiting on it alone at the end.
    With `--dist loadgroup` the story's group (the largest) goes first anyway; this puts the
    other e2e tests right behind it, so the fast tests fill the workers around them. (A
    conftest's collection hook sees the whole session's items, not only this folder's.)"""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is None)  # stable


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pins of LOCKS as wheels, hash-checked, fetched once per test run (from the
    machine's configured index), whichever pytest-xdist workers ask, for every job's
    scripts/install-pipeline.sh."""
    with shared_by_workers(tmp_path_factory, "wheels") as target:
        if not any(target.iterdir()):  # the first worker to ask downloads them
            locks = [arg for lock in LOCKS for arg in ("-r", str(PROJECT / lock))]
            pip = (sys.executable, "-m", "pip", "download", "--quiet", "--no-deps")
            lock_args = ("--disable-pip-version-check", "--require-hashes", *locks)
            subprocess.run(
                [*pip, *lock_args, "-d", str(target)],
                check=True,
                capture_output=True,
                timeout=300,
            )
    return target
