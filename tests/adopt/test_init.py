"""`bottie-ci init` on small bots built here: what it infers, what it leaves as a decision,
that a second run changes nothing, --dry-run, and bad input."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ci.checklist import items
from ci.checklist.items import ItemContext
from ci.checklist.model import ItemStatus
from ci.core import config, settings
from ci.core.errors import ExitCode
from tests.helpers import Repo, invoke_ci

SHA = "0123456789abcdef0123456789abcdef01234567"

BYBIT_BOT = """\
import os

from fastapi import FastAPI
from pybit.unified_trading import HTTP

KEY = os.environ["BYBIT_API_KEY"]
SECRET = os.getenv("BYBIT_API_SECRET")
URL = os.getenv("BYBIT_BASE_URL", "https://api-testnet.bybit.com")
ON = os.getenv("TRADING_ENABLED", "0") == "1"
TOKEN = os.getenv("TELEGRAM_TOKEN")


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/positions")
    def positions() -> list[str]:
        return []

    @app.post("/orders")
    def order() -> dict[str, str]:
        return {}

    return app
"""


def init(repo: Repo, *args: str) -> tuple[int, str, str]:
    # In process: what init infers and writes is the point (tests/test_in_process.py holds it
    # to the real process's answers; test_outside_a_git_repository_is_exit_3 runs one).
    done = invoke_ci("-C", str(repo.path), "init", *args, cwd=repo.path.parent)
    return done.code, done.stdout, done.stderr


def bottie_table(repo: Repo) -> dict[str, object]:
    return dict(tomllib.loads((repo.path / "pyproject.toml").read_text())["tool"]["bottie"])


@pytest.fixture
def bybit_bot(repo: Repo) -> Repo:
    repo.write("trader/__init__.py", "")
    repo.write("trader/api.py", BYBIT_BOT)
    repo.write("tests/test_api.py", "def test_nothing():\n    pass\n")
    repo.write("requirements.in", "fastapi\npybit\n")
    repo.write(".gitignore", "__pycache__/\n")
    repo.commit("bot")
    return repo


class TestWhatItInfers:
    def test_the_profile_comes_from_the_code(self, bybit_bot: Repo) -> None:
        code, out, err = init(bybit_bot)
        assert code == ExitCode.OK, err
        cfg = config.load(bybit_bot.path)
        profile = cfg.profile
        assert profile.exchange == "bybit"
        assert profile.credentials == ["BYBIT_API_KEY", "BYBIT_API_SECRET"]
        assert profile.secrets == ["TELEGRAM_TOKEN"]
        assert profile.kill_switch is not None
        assert (profile.kill_switch.name, profile.kill_switch.off) == ("TRADING_ENABLED", "0")
        assert profile.exchange_url is not None
        assert profile.exchange_url.name == "BYBIT_BASE_URL"
        assert profile.exchange_url.network_of("api-testnet.bybit.com") == "testnet"
        assert (profile.probes.health, profile.probes.order) == ("/health", "/orders")
        assert profile.probes.routes == ["/positions"]
        assert cfg.app.command == [
            "{python}", "-m", "uvicorn", "--factory", "trader.api:create_app",
            "--host", "127.0.0.1", "--port", "{port}",
        ]  # fmt: skip
        testnet = cfg.environments["testnet"]
        assert testnet.vars == {
            "TRADING_ENABLED": "0",
            "BYBIT_BASE_URL": "https://api-testnet.bybit.com",
        }
        assert testnet.required == ["BYBIT_API_KEY", "BYBIT_API_SECRET", "TELEGRAM_TOKEN"]
        assert cfg.python == ".venv/bin/python"
        assert "lock the bot's dependencies with hashes: uv pip compile --generate-hashes" in out

    def test_only_what_it_cannot_know_is_left_open(self, bybit_bot: Repo) -> None:
        init(bybit_bot)
        decisions = config.load(bybit_bot.path).profile.decisions
        assert [d.split(":")[0] for d in decisions] == ["probes.order_body", "state_files"]

    @pytest.mark.parametrize(
        ("variable", "off"),
        [("DRY_RUN", "1"), ("PAPER_TRADING", "1"), ("LIVE_TRADING", "0")],
    )
    def test_kill_switch_names_and_their_off_values(
        self, bybit_bot: Repo, variable: str, off: str
    ) -> None:
        source = (bybit_bot.path / "trader/api.py").read_text()
        bybit_bot.write("trader/api.py", source.replace("TRADING_ENABLED", variable))
        init(bybit_bot)
        switch = config.load(bybit_bot.path).profile.kill_switch
        assert switch is not None
        assert (switch.name, switch.off) == (variable, off)

    def test_two_candidate_switches_are_a_decision_not_a_guess(self, bybit_bot: Repo) -> None:
        bybit_bot.write("trader/extra.py", 'import os\nDRY = os.getenv("DRY_RUN")\n')
        init(bybit_bot)
        cfg = config.load(bybit_bot.path)
        assert cfg.profile.kill_switch is None
        assert any(d.startswith("kill_switch:") for d in cfg.profile.decisions)

    def test_env_example_lists_every_variable_without_values(self, bybit_bot: Repo) -> None:
        init(bybit_bot)
        lines = (bybit_bot.path / ".env.example").read_text().splitlines()
        assert [line for line in lines if not line.startswith("#")] == [
            "BYBIT_API_KEY=",
            "BYBIT_API_SECRET=",
            "BYBIT_BASE_URL=",
            "TELEGRAM_TOKEN=",
            "TRADING_ENABLED=",
        ]

    def test_gitignore_keeps_its_lines_and_gains_the_missing_ones(self, bybit_bot: Repo) -> None:
        init(bybit_bot)
        text = (bybit_bot.path / ".gitignore").read_text()
        assert text.startswith("__pycache__/\n")
        for entry in (".env", ".venv/", "checklist.json"):
            assert entry in text.splitlines()

    def test_an_entry_written_another_way_is_not_added_again(self, bybit_bot: Repo) -> None:
        bybit_bot.write(".gitignore", "/.venv\n.env\nchecklist.json/\n.ci-results\n")
        init(bybit_bot)
        assert (bybit_bot.path / ".gitignore").read_text() == (
            "/.venv\n.env\nchecklist.json/\n.ci-results\n"
        )

    def test_hooks_call_the_installed_tool(self, bybit_bot: Repo) -> None:
        init(bybit_bot)
        hooks = (bybit_bot.path / ".pre-commit-config.yaml").read_text()
        assert "entry: bottie-ci hook all" in hooks
        assert "language: unsupported" in hooks
        assert "./dev" not in hooks


class TestIdempotence:
    def test_a_second_run_changes_nothing(self, bybit_bot: Repo) -> None:
        init(bybit_bot, "--pipeline-repo", "acme/bottie", "--pipeline-ref", SHA)
        before = {p: p.read_bytes() for p in bybit_bot.path.rglob("*") if _ours(p)}
        code, out, _ = init(bybit_bot, "--pipeline-repo", "acme/bottie", "--pipeline-ref", SHA)
        assert code == ExitCode.OK
        assert "no changes: this repository is adopted already" in out
        after = {p: p.read_bytes() for p in bybit_bot.path.rglob("*") if _ours(p)}
        assert after == before

    def test_dry_run_prints_and_writes_nothing(self, bybit_bot: Repo) -> None:
        code, out, _ = init(bybit_bot, "--dry-run")
        assert code == ExitCode.OK
        assert "would write pyproject.toml" in out
        assert "[tool.bottie.profile]" in out
        assert not (bybit_bot.path / "pyproject.toml").exists()
        assert bybit_bot.git("status", "--porcelain") == ""

    def test_an_adopted_pyproject_is_never_rewritten(self, bybit_bot: Repo) -> None:
        bybit_bot.write("pyproject.toml", "[tool.bottie]\nresults_dir = 'x'\n")
        init(bybit_bot)
        assert (
            bybit_bot.path / "pyproject.toml"
        ).read_text() == "[tool.bottie]\nresults_dir = 'x'\n"

    def test_an_existing_project_table_is_kept(self, bybit_bot: Repo) -> None:
        bybit_bot.write("pyproject.toml", '[project]\nname = "trader"\n')
        init(bybit_bot)
        text = (bybit_bot.path / "pyproject.toml").read_text()
        assert text.startswith('[project]\nname = "trader"\n\n# -- bottie-ci init: begin')


def _ours(path: Path) -> bool:
    return path.is_file() and ".git" not in path.parts


class TestWorkflow:
    def test_the_caller_workflow_is_pinned_by_sha(self, bybit_bot: Repo) -> None:
        init(bybit_bot, "--pipeline-repo", "acme/bottie", "--pipeline-ref", SHA)
        workflow = (bybit_bot.path / ".github/workflows/bottie.yml").read_text()
        uses = [line.split("uses: ")[1] for line in workflow.splitlines() if "uses: " in line]
        assert uses and all(u.endswith(f"@{SHA}") for u in uses)
        assert "gate: tests," in workflow  # the bot has tests
        gate_jobs = [line for line in workflow.splitlines() if "gate.yml@" in line]
        calls = [line for line in workflow.splitlines() if "pipeline-ref:" in line]
        assert len(gate_jobs) == 6
        # Into the pipeline's venv goes nothing of the bot: its own env is built per gate.
        assert sum('requirements: ""' in line for line in calls) == len(gate_jobs)
        assert "permissions: {}" in workflow

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--pipeline-ref", SHA], "--pipeline-repo and --pipeline-ref go together"),
            (["--pipeline-repo", "acme/bottie", "--pipeline-ref", "main"], "full 40-character"),
            (["--pipeline-repo", "not a repo", "--pipeline-ref", SHA], "OWNER/NAME"),
        ],
    )
    def test_bad_pipeline_options_are_one_line_exit_2(
        self, bybit_bot: Repo, args: list[str], message: str
    ) -> None:
        code, _, err = init(bybit_bot, *args)
        assert code == ExitCode.USAGE
        assert message in err
        assert len(err.strip().splitlines()) == 1
        assert not (bybit_bot.path / "pyproject.toml").exists()


FLASK_BOT = """\
from flask import Flask

OKX_API_KEY = "a-literal-key-value"
OKX_API_SECRET = ""
HOST = "https://www.okx.com"


def create_app():
    app = Flask(__name__)

    @app.route("/healthz")
    def health():
        return {"ok": True}

    @app.route("/signal", methods=["POST"])
    def signal():
        return {}

    return app
"""


class TestFlaskBot:
    @pytest.fixture
    def flask_bot(self, repo: Repo) -> Repo:
        repo.write("service.py", FLASK_BOT)
        repo.commit("bot")
        return repo

    def test_a_flask_factory_is_served_by_flask(self, flask_bot: Repo) -> None:
        code, _, err = init(flask_bot)
        assert code == ExitCode.OK, err
        cfg = config.load(flask_bot.path)
        assert cfg.app.command == [
            "{python}", "-m", "flask", "--app", "service:create_app()", "run",
            "--host", "127.0.0.1", "--port", "{port}",
        ]  # fmt: skip
        assert (cfg.profile.probes.health, cfg.profile.probes.order) == ("/healthz", "/signal")

    def test_the_exchange_comes_from_the_host_its_urls_name(self, flask_bot: Repo) -> None:
        init(flask_bot)
        profile = config.load(flask_bot.path).profile
        assert profile.exchange == "okx"
        # A host written in the code cannot differ between testnet and mainnet: a decision.
        (url,) = [d for d in profile.decisions if d.startswith("exchange_url:")]
        assert "(service: www.okx.com)" in url

    def test_secret_literals_are_a_decision_named_never_shown(self, flask_bot: Repo) -> None:
        _, out, _ = init(flask_bot)
        decisions = config.load(flask_bot.path).profile.decisions
        assert decisions[0].startswith("secrets in code: service.OKX_API_KEY are string literals")
        assert "OKX_API_SECRET" not in decisions[0]  # empty: nothing kept in code
        assert "a-literal-key-value" not in out + (flask_bot.path / "pyproject.toml").read_text()


def test_outside_a_git_repository_is_exit_3(tmp_path: Path) -> None:
    done = invoke_ci("-C", str(tmp_path), "init", cwd=tmp_path)
    assert done.code == ExitCode.ERROR
    assert "not a git repository" in done.stderr
    assert "Traceback" not in done.stderr


class TestDecisionsItem:
    def context(self, decisions: list[str]) -> ItemContext:
        cfg = config.parse({"profile": {"decisions": decisions, "exchange": "okx"}})
        return ItemContext(Path(), cfg, settings.resolve(cfg, "testnet", {}), {}, "0" * 40)

    def test_an_open_decision_fails_naming_it(self) -> None:
        item = items.decisions(self.context(["kill_switch: which variable"]))
        assert item.status is ItemStatus.FAILED
        assert item.evidence.endswith("kill_switch: which variable")

    def test_none_open_passes(self) -> None:
        assert items.decisions(self.context([])).status is ItemStatus.PASSED
