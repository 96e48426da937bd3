"""`./dev`, the set-up script the README starts with, run as a developer runs it."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import PROJECT_ROOT


@pytest.mark.usefixtures("lean_child_pytest")
@pytest.mark.parametrize("option", [["-p", "no:xdist"], ["-pno:xdist"]])
def test_tests_without_xdist_run_in_one_process(option: list[str]) -> None:
    """`./dev test` adds xdist's `-n auto --dist loadgroup`; with xdist turned off (to debug
    in one process) those options would be an error, so they go with it."""
    done = subprocess.run(
        [str(PROJECT_ROOT / "dev"), "test", *option, "-q", "--co", "tests/core/test_git.py"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert "tests/core/test_git.py::" in done.stdout
