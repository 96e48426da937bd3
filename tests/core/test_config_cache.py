"""The validated-config cache: the same values as the models, and never a way around them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ci.core import config, config_cache
from ci.core.errors import ConfigError
from tests.helpers import EXAMPLE_BOT_TOML, Repo, heavy_imports_of_two_runs


def entry(repo: Repo) -> Path:
    return Path(repo.git("rev-parse", "--absolute-git-dir").strip()) / config_cache.ENTRY


def test_values_are_the_models_dump_when_validated_and_when_remembered(repo: Repo) -> None:
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.commit()
    expected = config.load(repo.path).model_dump(mode="json")
    assert not entry(repo).exists()
    assert config_cache.values(repo.path) == expected  # validated, then remembered
    assert entry(repo).exists()
    assert config_cache.values(repo.path) == expected  # read back
    assert repo.git("status", "--porcelain", "--ignored") == ""  # nothing in the work tree


def test_a_repository_without_pyproject_gets_the_defaults(repo: Repo) -> None:
    assert config_cache.values(repo.path) == config.Config().model_dump(mode="json")


def test_a_config_made_bad_after_a_good_one_is_refused_every_time(repo: Repo) -> None:
    repo.write("pyproject.toml", "[tool.bottie.tests]\nfail_under = 90\n")
    assert config_cache.values(repo.path)["tests"]["fail_under"] == 90
    repo.write("pyproject.toml", '[tool.bottie.tests]\nfail_under = "sk-live-SECRETVALUE"\n')
    for _ in range(2):  # a refused config is never remembered
        with pytest.raises(ConfigError) as refused:
            config_cache.values(repo.path)
        with pytest.raises(ConfigError) as by_the_models:
            config.load(repo.path)
        assert str(refused.value) == str(by_the_models.value)
        assert "[tool.bottie.tests.fail_under]" in str(refused.value)
        assert "SECRETVALUE" not in str(refused.value)


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "[]",
        '{"key": "another pyproject", "config": {"lint": {"paths": ["elsewhere"]}}}',
        "[" * 100_000,
    ],
)
def test_an_entry_that_does_not_match_is_validated_again(repo: Repo, stored: str) -> None:
    repo.write("pyproject.toml", "[tool.bottie.lint]\npaths = ['bot']\n")
    entry(repo).write_text(stored)
    assert config_cache.values(repo.path)["lint"]["paths"] == ["bot"]
    assert json.loads(entry(repo).read_text())["config"]["lint"]["paths"] == ["bot"]


def test_an_entry_for_a_valid_config_does_not_vouch_for_a_changed_one(repo: Repo) -> None:
    repo.write("pyproject.toml", "[tool.bottie.lint]\npaths = ['bot']\n")
    config_cache.values(repo.path)
    repo.write("pyproject.toml", "[tool.bottie.lint]\npaths = ['bot']\npath = ['x']\n")
    with pytest.raises(ConfigError, match=r"\[tool\.bottie\.lint\.path\]"):
        config_cache.values(repo.path)


def test_outside_a_git_repository_it_validates_without_remembering(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.bottie.lint]\nprint_free = ['bot']\n")
    assert config_cache.values(tmp_path)["lint"]["print_free"] == ["bot"]
    assert list(tmp_path.iterdir()) == [tmp_path / "pyproject.toml"]


def test_a_remembered_config_runs_the_lint_gate_without_pydantic_or_rich(repo: Repo) -> None:
    # What makes `run lint` and the commit hooks quick: only a command that needs the models
    # (or a terminal to draw on) imports them.
    repo.write("pyproject.toml", EXAMPLE_BOT_TOML)
    repo.write("bot/calc.py", "VALUE = 1\n")
    printed = heavy_imports_of_two_runs(
        repo.path, ["run", "lint"], {"httpx", "pydantic", "rich", "yaml"}
    )
    assert printed[0] == ["exit 0", "['pydantic']"]  # validated on the first run
    assert printed[1] == ["exit 0", "[]"]


def test_the_ruff_facts_are_remembered_with_the_config(repo: Repo) -> None:
    repo.write("pyproject.toml", '[tool.ruff.lint]\nselect = ["T20"]\n')
    assert config_cache.ruff_facts(repo.path)["t20"] is True
    assert json.loads(entry(repo).read_text())["ruff"]["t20"] is True
    repo.write("pyproject.toml", '[tool.ruff.lint]\nselect = ["T20"]\nignore = ["T201"]\n')
    assert config_cache.ruff_facts(repo.path)["t20"] is False  # new text: read again
