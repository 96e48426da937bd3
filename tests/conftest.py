"""Fixtures shared by every test: isolation from the developer's machine, and a fresh repository."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.helpers import Repo, isolate

# The CI=true rule for end-to-end skips; pytester runs small suites in tests/test_conftest.py.
pytest_plugins = ["tests.ci_skips", "pytester"]

# The test processes write bytecode, as on a CI runner, whatever PYTHONDONTWRITEBYTECODE says
# (some machines set it): otherwise each pytest-xdist worker compiles every test module again
# (assertion rewriting) and every module of ci, logsafe and bot it imports, on every run
# (collecting the tests gate's tests with coverage: 5.0 s of CPU a worker, 2.5 s with the
# bytecode written), and each Python process a test starts compiles again what it imports.
# Read here, before any test module is imported; the workers and the tests' children inherit
# the environment. git ignores __pycache__ here.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Coverage does not measure the property tests (hypothesis): they run the same lines a
    few hundred times, each about 2.5 times slower traced, and the example tests beside them
    reach those lines (the tests gate's coverage is the same with and without them measured)."""
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.no_cover)


@pytest.fixture(autouse=True)
def _isolated_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    isolate(monkeypatch, tmp_path_factory.mktemp("home"))


@pytest.fixture
def lean_child_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    """For a test that runs pytest in a child process on a small suite of its own, one that uses no
    hypothesis and runs none of ci, bot and logsafe. The child goes without hypothesis's pytest
    plugin, which imports all of hypothesis at the end of every run (about 0.9 s of CPU, three
    times a small run's own). Nor does it load anyio's plugin or xdist's looponfail, which no
    such suite uses (together about 0.07 s of CPU a child)."""
    addopts = os.environ.get("PYTEST_ADDOPTS", "")
    unused = "-p no:hypothesispytest -p no:anyio -p no:xdist.looponfail"
    monkeypatch.setenv("PYTEST_ADDOPTS", f"{addopts} {unused}".strip())


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    r = Repo(path)
    r.git("init", "-q", "-b", "main")
    return r
