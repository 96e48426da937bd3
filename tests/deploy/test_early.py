"""A rollback starts its bot under the deploy lock before the config models and the deployer
load (ci/deploy/early.py); the deployer then decides everything again and lets that bot go
live only if it would start exactly that bot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ci.core import config, config_cache, git, runtime
from ci.core.errors import ExitCode, RefusedError
from ci.deploy import early
from ci.deploy.lock import LockHeld, deploy_lock
from ci.deploy.targets.local import LocalTarget, Spec
from ci.deploy.targets.registry import spec_for
from tests.deploy.conftest import BotRepo, health
from tests.deploy.test_safety import bot_processes
from tests.helpers import PROJECT_ROOT


def counting_starts(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders of the bots started waiting for go from now on, in order."""
    started: list[Path] = []
    real = runtime.prestart

    def prestart(argv: list[str], *, cwd: Path, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(cwd)
        return real(argv, cwd=cwd, **kwargs)

    monkeypatch.setattr(runtime, "prestart", prestart)
    return started


def two_releases(bot: BotRepo) -> str:
    first = bot.commit_green("first")
    assert bot.deploy().code == ExitCode.OK
    bot.commit_green("second")
    assert bot.deploy().code == ExitCode.OK
    return first


def bot_pid(bot: BotRepo) -> int:
    return int((bot.base / "shared" / "bot.pid").read_text())


def test_the_bot_starts_under_the_lock_and_stops_with_it_when_nothing_follows(
    standin: BotRepo,
) -> None:
    two_releases(standin)
    live, pid = standin.live(), bot_pid(standin)
    root, git_dir = git.locate(standin.repo.path)
    with early.rollback_bot(root, git_dir, "testnet", None, standin.env) as started:
        assert started is not None
        waiting = [p for p in bot_processes(standin.base) if p != pid]
        assert len(waiting) == 1  # waiting for go, beside the live bot
        with pytest.raises(LockHeld), deploy_lock(standin.base / "deploy.lock", sha="", message=""):
            pass
    assert bot_processes(standin.base) == [pid]
    assert standin.live() == live
    with deploy_lock(standin.base / "deploy.lock", sha="", message=""):
        pass  # let go


def test_with_todays_environment_nothing_starts_early_and_nothing_is_held(
    standin: BotRepo,
) -> None:
    two_releases(standin)
    root, git_dir = git.locate(standin.repo.path)
    pid = bot_pid(standin)
    with early.rollback_bot(root, git_dir, "testnet", None, standin.env, own_env=False) as started:
        assert started is None
        assert bot_processes(standin.base) == [pid]
        with deploy_lock(standin.base / "deploy.lock", sha="", message=""):
            pass


def test_the_rollback_puts_the_bot_started_early_live_without_a_second_start(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = two_releases(standin)
    starts = counting_starts(monkeypatch)
    done = standin.ci("rollback", "testnet")
    assert done.code == ExitCode.OK, done.stderr
    assert len(starts) == 1
    assert health(standin)["version"] == first
    assert bot_processes(standin.base) == [bot_pid(standin)]


def test_a_paused_environment_rolls_back_with_its_kill_switch_off(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_releases(standin)  # TRADE_ENABLED=1 in the test config
    assert standin.ci("pause", "testnet").code == ExitCode.OK
    starts = counting_starts(monkeypatch)
    done = standin.ci("rollback", "testnet")
    assert done.code == ExitCode.OK, done.stderr
    assert health(standin)["trade_enabled"] is False
    assert len(starts) == 1  # the early start held it off too: the deployer kept that bot
    assert standin.ci("resume", "testnet", "--yes-trade").code == ExitCode.OK
    assert health(standin)["trade_enabled"] is True


def test_the_bot_is_spawned_before_pydantic_and_the_deployer_are_imported(
    standin: BotRepo,
) -> None:
    two_releases(standin)
    config_cache.values(standin.repo.path)  # validated once, as any earlier command leaves it
    heavy = ("pydantic", "ci.core.config", "ci.deploy.deployer")
    assert loaded_at_spawn(standin, ["rollback", "testnet"], heavy) == ["exit 0", "[[]]"]


def test_a_bot_waiting_otherwise_than_the_release_now_starts_is_replaced(
    tmp_path: Path,
) -> None:
    spec = Spec(
        "testnet", str(tmp_path / "base"), 1, ["{python}", "-m", "nothing", "{port}"], "/", 1
    )
    target = LocalTarget(spec)
    target.layout.create()
    folder = tmp_path / "release"
    folder.mkdir()
    target.start_ahead("r1", "abc", {"TRADE_ENABLED": "1"}, folder)
    assert target._ahead is not None
    first = target._ahead.child
    target.start_ahead("r1", "abc", {"TRADE_ENABLED": "1"}, folder)
    assert target._ahead.child is first and first.poll() is None  # started exactly so: kept
    target.start_ahead("r1", "abc", {"TRADE_ENABLED": "0"}, folder)
    assert first.poll() is not None  # stopped before the other one started
    assert target._ahead.child is not first
    target._drop_ahead()


def test_a_config_changed_since_the_early_start_is_refused(standin: BotRepo) -> None:
    two_releases(standin)
    root, git_dir = git.locate(standin.repo.path)
    cfg = config.load(root)
    assert spec_for(cfg.model_dump(mode="json"), "testnet", standin.env).port == standin.port
    with early.rollback_bot(root, git_dir, "testnet", None, standin.env) as started:
        assert started is not None
        assert started.target_for(cfg, "testnet", standin.env) is started.target
        moved = cfg.model_copy(
            update={"deploy": cfg.deploy.model_copy(update={"ports": {"testnet": 1}})}
        )
        with pytest.raises(RefusedError, match="the configuration changed"):
            started.target_for(moved, "testnet", standin.env)


def test_a_moved_tag_found_while_the_bot_starts_stops_it_and_nothing_else_runs(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    two_releases(standin)
    (first, _) = standin.tags()
    live, pid = standin.live(), bot_pid(standin)
    standin.repo.git("tag", "-f", first, standin.repo.commit("never gated"))
    starts = counting_starts(monkeypatch)
    root, git_dir = git.locate(standin.repo.path)
    with early.rollback_bot(root, git_dir, "testnet", None, standin.env) as started:
        assert started is None  # refused: nothing is handed to the deployer, no lock held
        assert len(starts) == 1  # its interpreter was started before git was asked
        assert bot_processes(standin.base) == [pid]  # and stopped again, with the lock
        with deploy_lock(standin.base / "deploy.lock", sha="", message=""):
            pass
    refused = standin.ci("rollback", "testnet")
    assert refused.code == ExitCode.FAILED
    assert refused.stderr.count("\n") == 1, refused.stderr  # one line, no traceback
    assert f"{first}: the deploy tag is missing here or points at another commit" in (
        refused.stderr
    )
    assert standin.live() == live and bot_processes(standin.base) == [pid]


def loaded_at_spawn(standin: BotRepo, argv: list[str], heavy: tuple[str, ...]) -> list[str]:
    """`python -m ci ARGV`, a real process in the stand-in's repository: its exit line, and
    which of the `heavy` modules were loaded when the bot's interpreter was spawned."""
    probe = (
        "import runpy, sys\n"
        "from ci.core import runtime\n"
        "real, seen = runtime.prestart, []\n"
        "def prestart(*args, **kwargs):\n"
        f"    seen.append(sorted(m for m in {heavy!r} if m in sys.modules))\n"
        "    return real(*args, **kwargs)\n"
        "runtime.prestart = prestart\n"
        f"sys.argv = {['ci', *argv]!r}\n"
        "try:\n"
        "    runpy.run_module('ci', run_name='__main__')\n"
        "except SystemExit as exit:\n"
        "    print('exit', exit.code)\n"
        "print(seen)\n"
    )
    env = {**os.environ, **standin.env, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=standin.repo.path, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-2:]
