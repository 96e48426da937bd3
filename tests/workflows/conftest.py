"""Fixtures shared by the end-to-end modules (act runs of the workflows)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pins of requirements/build.txt as wheels, hash-checked, fetched once (from the
    machine's configured index) for every job's scripts/install-pipeline.sh."""
    target = tmp_path_factory.mktemp("wheels")
    lock = PROJECT / "requirements" / "build.txt"
    pip = (sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check")
    subprocess.run(
        [*pip, "--no-deps", "--require-hashes", "-r", str(lock), "-d", str(target)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target
