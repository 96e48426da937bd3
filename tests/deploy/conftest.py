"""A bot repository to deploy for real: the example bot (or its standard-library stand-in,
tests/deploy/standin_bot.py, where the bot's own code is not the point), a complete
checklist, a temp target."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ci.core.result import GateResult, Status
from ci.gates import runner
from tests.helpers import (
    EXAMPLE_BOT_TOML,
    PROJECT_ROOT,
    CliResult,
    Repo,
    free_ports,
    invoke_ci,
    run_ci,
)

GATES = ("secrets", "env", "lint", "tests", "smoke", "audit", "workflows")
# The stand-in serves the example bot's profile: only the command that starts it differs.
_EXAMPLE_COMMAND = next(
    line for line in EXAMPLE_BOT_TOML.splitlines() if line.startswith("command = ")
)
STANDIN_BOT_TOML = EXAMPLE_BOT_TOML.replace(
    _EXAMPLE_COMMAND, 'command = ["{python}", "-m", "standin_bot", "--port", "{port}"]'
)
STANDIN_SOURCE = Path(__file__).with_name("standin_bot.py")
SECRETS = {"BINANCE_API_KEY": "tk-0123456789abcdef", "BINANCE_API_SECRET": "ts-fedcba9876543210"}


def pyproject(
    ports: tuple[int, int], pre_deploy: list[str] | None = None, bot_toml: str = EXAMPLE_BOT_TOML
) -> str:
    """The bot's config with the testnet and mainnet ports given (free ones, never the
    defaults: a bot may be live there)."""
    hook = f"pre_deploy = {json.dumps(pre_deploy)}\n" if pre_deploy else ""
    return (
        bot_toml
        + f"""\
[tool.bottie.environments.testnet]
network = "testnet"
required = ["BINANCE_API_KEY", "BINANCE_API_SECRET"]
vars = {{ BINANCE_BASE_URL = "https://testnet.binance.vision", TRADE_ENABLED = "1", \
CORS_ORIGINS = "http://localhost:3000", DASHBOARD_POLL_SECONDS = "5" }}

[tool.bottie.environments.mainnet]
network = "mainnet"
required = ["BINANCE_API_KEY", "BINANCE_API_SECRET"]
vars = {{ BINANCE_BASE_URL = "https://api.binance.com", TRADE_ENABLED = "0", \
CORS_ORIGINS = "https://dash.example.com", DASHBOARD_POLL_SECONDS = "5" }}

[tool.bottie.deploy]
ports = {{ testnet = {ports[0]}, mainnet = {ports[1]} }}
health_timeout = 15
keep_releases = 3
{hook}"""
    )


@dataclass
class BotRepo:
    repo: Repo
    root: Path  # the deploy target's root
    ports: tuple[int, int]  # testnet, mainnet

    @property
    def port(self) -> int:
        return self.ports[0]

    extra_env: dict[str, str] = field(default_factory=dict)  # e.g. the ssh target's host
    bot_toml: str = EXAMPLE_BOT_TOML  # how the bot starts, and its profile
    app_file: str = "bot/app.py"  # the module the bot's command runs (a test may break it)
    # The CLI called in the test's process (invoke_ci) rather than as `python -m ci`: for
    # what a command decides and records; the exit-code and output contract of the deploy
    # commands, and bots outliving the command, are tested with real processes (the example
    # bot's tests, a killed deploy in test_safety.py, the ssh target's deploy whose bot
    # outlives its session and the second runner refused beside a first).
    in_process: bool = False

    def pyproject(self, pre_deploy: list[str] | None = None) -> str:
        return pyproject(self.ports, pre_deploy, self.bot_toml)

    @property
    def env(self) -> dict[str, str]:
        return {**SECRETS, "BOTTIE_DEPLOY_ROOT": str(self.root), **self.extra_env}

    @property
    def base(self) -> Path:
        return self.root / "testnet"

    def ci(self, *args: str, env: dict[str, str] | None = None) -> CliResult:
        if not self.in_process:
            return run_ci(*args, cwd=self.repo.path, env={**self.env, **(env or {})})
        return self.ci_here(*args, env=env)

    def ci_here(self, *args: str, env: dict[str, str] | None = None) -> CliResult:
        """The CLI in this process, whatever `in_process` says."""
        return invoke_ci(*args, cwd=self.repo.path, env={**self.env, **(env or {})})

    def deployed(self, *messages: str) -> list[str]:
        """Set-up, not the behaviour under test: a green commit per message, each deployed
        and healthy, by the CLI in this process (a real `python -m ci` costs a Python start-up
        and the imports each time); the commands under test keep
        `in_process` as the test set it. The commits' SHAs."""
        shas = []
        for message in messages:
            shas.append(self.commit_green(message))
            done = self.ci_here("deploy", "testnet", "--approver", "alice")
            assert done.code == 0, done.stderr
        return shas

    def deploy_in_background(self) -> subprocess.Popen[bytes]:
        """`ci deploy testnet` as a process of its own group, for a test to watch or kill;
        what it says goes to `background_stderr`, for `until` to show when it ends early."""
        with self.background_stderr.open("wb") as stderr:
            return subprocess.Popen(
                [sys.executable, "-m", "ci", "deploy", "testnet"],
                cwd=self.repo.path,
                env={**os.environ, **self.env, "PYTHONPATH": str(PROJECT_ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )

    @property
    def background_stderr(self) -> Path:
        return self.repo.path.parent / "background-deploy.err"

    def until(
        self, reached: Callable[[], bool], deploy: subprocess.Popen[bytes], what: str
    ) -> None:
        """Wait (60 s at most) until `reached()`, failing at once, with what the background
        `deploy` said, if it ends first."""
        deadline = time.monotonic() + 60
        while not reached():
            ended = deploy.poll()
            assert ended is None, (
                f"{what}: the deploy ended first (exit {ended}): "
                + self.background_stderr.read_text(encoding="utf-8", errors="replace")
            )
            assert time.monotonic() < deadline, f"{what}: not within 60 s"
            time.sleep(0.05)

    def commit_green(self, message: str) -> str:
        """Commit, and record every gate as passed on that commit, with its checklist."""
        sha = self.repo.commit(message)
        results = self.repo.results
        for gate in GATES:
            results.mkdir(exist_ok=True)
            runner.save(GateResult(gate, Status.PASSED, "ok", sha=sha), results)
        # Set-up, not the behaviour under test: built in this process (tests/checklist tests
        # the command); the deploy that reads it stays a real process.
        built = invoke_ci(
            "checklist",
            "build",
            "--env",
            "testnet",
            "--attest",
            "rollback-target,toggle-card",
            "--actor",
            "alice",
            cwd=self.repo.path,
            env=self.env,
        )
        assert built.code == 0, built.stderr
        return sha

    def deploy(self, *extra: str, env: dict[str, str] | None = None) -> CliResult:
        return self.ci("deploy", "testnet", "--approver", "alice", *extra, env=env)

    def live(self) -> str:
        return (self.base / "current").resolve().name

    def tags(self) -> list[str]:
        return self.repo.git("tag", "--list", "deploy/*").split()


def health(bot: BotRepo) -> dict[str, object]:
    """The live bot's /health document, read as the deploy's own check reads it (urllib:
    httpx.get builds a TLS context, reading the whole CA bundle, for each plain-HTTP call)."""
    url = f"http://127.0.0.1:{bot.port}/health"
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return dict(json.load(answer))
    except urllib.error.HTTPError as refused:  # an unhealthy bot's document all the same
        return dict(json.load(refused))


@pytest.fixture
def bot(repo: Repo, tmp_path: Path) -> Iterator[BotRepo]:
    """The example bot (FastAPI under uvicorn), for the tests where its own code is the point."""
    for package in ("bot", "logsafe"):
        shutil.copytree(
            PROJECT_ROOT / package,
            repo.path / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    target = _bot_repo(repo, tmp_path, EXAMPLE_BOT_TOML, "bot/app.py")
    yield target
    stop_bot(target.base)


@pytest.fixture
def standin(repo: Repo, tmp_path: Path) -> Iterator[BotRepo]:
    """The standard-library stand-in (standin_bot.py), for the tests of what the pipeline
    keeps about deploys (history, tags, the lock, each release's environment, the transport):
    the same profile, healthy after about 0.05 s of CPU where the example bot takes 0.55 s. The
    CLI runs in the test's process (`in_process`) unless a test asks for real processes."""
    shutil.copy(STANDIN_SOURCE, repo.path / STANDIN_SOURCE.name)
    target = _bot_repo(repo, tmp_path, STANDIN_BOT_TOML, STANDIN_SOURCE.name)
    target.in_process = True
    yield target
    stop_bot(target.base)


def _bot_repo(repo: Repo, tmp_path: Path, bot_toml: str, app_file: str) -> BotRepo:
    testnet, mainnet = free_ports(2)
    repo.write("pyproject.toml", pyproject((testnet, mainnet), bot_toml=bot_toml))
    repo.write(".gitignore", ".ci-results/\nchecklist.json\n")
    ports = (testnet, mainnet)
    return BotRepo(repo, tmp_path / "target", ports, bot_toml=bot_toml, app_file=app_file)


def stop_bot(base: Path) -> None:
    pid_file = base / "shared" / "bot.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)
