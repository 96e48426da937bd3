"""`./dev`, the set-up script the README starts with, run as a developer runs it."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import PROJECT_ROOT

MODULES = ("tests/core/test_git.py", "tests/workflows/test_e2e.py")  # the second marks groups


@pytest.mark.usefixtures("lean_child_pytest")
@pytest.mark.parametrize("option", [["-p", "no:xdist"], ["-pno:xdist"]])
def test_tests_without_xdist_run_in_one_process(option: list[str]) -> None:
    """`./dev test` adds xdist's `-n auto --dist loadgroup`; with xdist turned off (to debug
    in one process) those options would be an error, so they go with it. The modules that
    mark tests with xdist's `xdist_group` are still collected (the mark is registered in
    pyproject.toml too, for --strict-markers)."""
    done = subprocess.run(
        [str(PROJECT_ROOT / "dev"), "test", *option, "-q", "--co", *MODULES],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
    for module in MODULES:
        assert f"{module}::" in done.stdout, module
