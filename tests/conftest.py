"""Fixtures shared by every test: isolation from the developer's machine, and a fresh repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import GIT_ENV, Repo

# The CI=true rule for end-to-end skips; pytester runs small suites in tests/test_conftest.py.
pytest_plugins = ["tests.ci_skips", "pytester"]


@pytest.fixture(autouse=True)
def _isolated_git(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for name, folder in (("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config")):
        monkeypatch.setenv(name, str(home / folder))  # tools' caches: never the developer's
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    for name in (
        "BOTTIE_OSV_DB",
        "BOTTIE_OSV_URL",
        "BOTTIE_DEPLOY_ROOT",
        "BOTTIE_SECRETS_BASE",
        "CHECKLIST_HMAC_KEY",
        "BOTTIE_BOT_PYTHON",
    ):
        monkeypatch.delenv(name, raising=False)  # the developer's settings must not leak in


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    r = Repo(path)
    r.git("init", "-q", "-b", "main")
    return r
