"""The bot's own environment: which interpreter runs its code, and what runs when it is
configured but missing (an error naming it, never a silent fallback)."""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import pytest

from ci.core import botenv, config, git, proc
from ci.core.errors import ConfigError, ExitCode
from ci.core.result import Status
from ci.gates.lint import LintGate
from ci.gates.tests import TestsGate
from tests.helpers import Repo, run_ci


def wrapper(path: Path, target: str, marker: Path) -> Path:
    """An executable that notes it ran, then runs `target` with the same arguments."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "$@" >> "{marker}"\nexec "{target}" "$@"\n')
    path.chmod(0o755)
    return path


class TestResolve:
    def test_unset_is_the_running_interpreter(self, tmp_path: Path) -> None:
        assert botenv.bot_python(tmp_path, "", {}) == sys.executable

    def test_a_relative_setting_is_under_the_repository(self, tmp_path: Path) -> None:
        python = wrapper(tmp_path / ".venv/bin/python", sys.executable, tmp_path / "m")
        assert botenv.bot_python(tmp_path, ".venv/bin/python", {}) == str(python)

    def test_the_environment_variable_wins(self, tmp_path: Path) -> None:
        other = wrapper(tmp_path / "other/python", sys.executable, tmp_path / "m")
        environ = {botenv.PYTHON_ENV: str(other)}
        assert botenv.bot_python(tmp_path, ".venv/bin/python", environ) == str(other)

    def test_configured_but_missing_is_an_error_naming_it(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigError, match=r"\.venv/bin/python .* does not exist") as caught:
            botenv.bot_python(tmp_path, ".venv/bin/python", {})
        assert caught.value.tip is not None and "bottie-ci bot-env" in caught.value.tip

    def test_a_deploy_uses_only_an_absolute_setting_as_it_stands(self, tmp_path: Path) -> None:
        """A relative interpreter lives in the work tree, which the next checkout cleans: the
        deploy builds the release's own environment instead (tests/deploy/test_venvs.py)."""
        kept = str(tmp_path / "bot-venv/bin/python")
        assert botenv.for_deploy(kept, {}) == kept
        assert not botenv.built_by_deploy(kept, {})
        for setting in (".venv/bin/python", ""):
            assert botenv.for_deploy(setting, {}) == ""
            assert botenv.built_by_deploy(setting, {})
        assert not botenv.built_by_deploy(".venv/bin/python", {botenv.PYTHON_ENV: kept})


class TestBuild:
    """Which pip fills the bot's environment (tests/commands/test_bot_env.py builds real ones
    with the pipeline's pip; the fallback is checked here by the commands it runs)."""

    def commands(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
        ran: list[list[str]] = []

        def run(argv: list[str], **_: object) -> proc.ProcResult:
            ran.append([str(arg) for arg in argv])
            return proc.ProcResult(tuple(argv), 0, "", "", 0.0)

        monkeypatch.setattr(proc, "run", run)
        (tmp_path / "requirements.txt").write_text("botdep==1.0 --hash=sha256:00\n")
        botenv.build(tmp_path, ["requirements.txt"], tmp_path / "venv")
        return ran

    def test_the_pipelines_pip_fills_a_venv_made_without_one(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        venv, pip = self.commands(monkeypatch, tmp_path)
        assert venv == [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")]
        python = str(tmp_path / "venv/bin/python")
        assert pip[:6] == [sys.executable, "-m", "pip", "--python", python, "install"]
        assert "--require-hashes" in pip and pip[-2:] == ["-r", "requirements.txt"]

    @pytest.mark.parametrize("version", [None, "22.2.2", "not-a-version"])
    def test_without_a_pip_that_can_the_venv_gets_its_own(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, version: str | None
    ) -> None:
        def installed(name: str) -> str:
            if version is None:
                raise importlib.metadata.PackageNotFoundError(name)
            return version

        monkeypatch.setattr(importlib.metadata, "version", installed)
        venv, pip = self.commands(monkeypatch, tmp_path)
        assert venv == [sys.executable, "-m", "venv", str(tmp_path / "venv")]
        assert pip[:4] == [str(tmp_path / "venv/bin/python"), "-m", "pip", "install"]
        assert "--require-hashes" in pip


def with_python(repo: Repo, python: str, extra: str = "") -> config.Config:
    repo.write("pyproject.toml", f'[tool.bottie]\npython = "{python}"\n{extra}')
    return config.load(repo.path)


class TestGatesUseIt:
    @pytest.mark.usefixtures("lean_child_pytest")
    def test_pytest_runs_under_the_bots_interpreter(self, repo: Repo) -> None:
        marker = repo.path.parent / "ran"
        wrapper(repo.path / "env/bin/python", sys.executable, marker)
        repo.write("tests/test_one.py", "def test_one():\n    assert True\n")
        cfg = with_python(repo, "env/bin/python", "[tool.bottie.tests]\nfail_under = 0\n")
        result = TestsGate().run(repo.context(cfg))
        assert result.status is Status.PASSED, result.output
        assert marker.read_text().startswith("-m pytest tests")

    def test_a_missing_interpreter_is_the_gates_error_not_a_fallback(self, repo: Repo) -> None:
        repo.write("tests/test_one.py", "def test_one():\n    assert True\n")
        cfg = with_python(repo, "env/bin/python")
        done = run_ci("run", "tests", "--json", cwd=repo.path)
        assert done.code == ExitCode.FAILED
        (result,) = json.loads(done.stdout)["gates"]
        assert result["status"] == "error"
        assert result["summary"].startswith(
            "the bot's interpreter env/bin/python (python / BOTTIE_BOT_PYTHON) does not exist"
        )
        assert cfg.python == "env/bin/python"

    def test_lint_uses_the_bots_own_ruff_when_its_env_has_one(self, repo: Repo) -> None:
        marker = repo.path.parent / "ruff-ran"
        wrapper(repo.path / "env/bin/python", sys.executable, repo.path.parent / "py")
        ours = str(Path(sys.executable).with_name("ruff"))
        wrapper(repo.path / "env/bin/ruff", ours, marker)
        repo.write("bot/calc.py", "x = 1\n")
        result = LintGate().run(repo.context(with_python(repo, "env/bin/python")))
        assert result.status is Status.PASSED, result.output
        assert result.summary == "ruff check and format clean (the bot's ruff)"
        assert "check" in marker.read_text()

    def test_lint_says_so_when_the_bots_environment_is_not_built(self, repo: Repo) -> None:
        repo.write("bot/calc.py", "x = 1\n")
        result = LintGate().run(repo.context(with_python(repo, "env/bin/python")))
        assert result.status is Status.PASSED
        assert result.summary.endswith("(the pipeline's ruff: the bot's environment is not built)")

    def test_lint_says_it_used_ours_when_the_bot_pins_none(self, repo: Repo) -> None:
        repo.write("bot/calc.py", "import os\n")
        result = LintGate().run(repo.context())
        assert result.summary == "1 problem(s) (the pipeline's ruff)"


class TestResultsOutsideTheTree:
    def test_results_go_under_the_git_dir_and_vouch_for_the_commit(self, repo: Repo) -> None:
        repo.write("bot/calc.py", "x = 1\n")
        repo.write(".gitignore", "__pycache__/\n")
        sha = repo.commit("clean")
        done = run_ci("run", "lint", "--json", cwd=repo.path)
        assert done.code == ExitCode.OK, done.stdout + done.stderr
        saved = git.results_dir(repo.path, "") / "lint.json"
        assert saved.is_relative_to(repo.path / ".git")
        assert f'"sha": "{sha}"' in saved.read_text()
        assert repo.git("status", "--porcelain") == ""  # nothing landed in the work tree

    def test_an_explicit_setting_is_under_the_repository(self, repo: Repo) -> None:
        assert git.results_dir(repo.path, "out/results") == (repo.path / "out/results").resolve()
