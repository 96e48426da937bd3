"""A rollback typed in a plain shape starts its bot before click is imported
(ci/commands/early_rollback.py); click still reads the command line, and the command keeps
that bot only if it is the one click's reading asks for."""

from __future__ import annotations

import pytest

from ci.commands import early_rollback
from ci.core import config_cache, git
from ci.core.errors import ExitCode
from ci.deploy.lock import LockHeld, deploy_lock
from tests.deploy.conftest import BotRepo, health
from tests.deploy.test_early import bot_pid, counting_starts, loaded_at_spawn
from tests.deploy.test_safety import bot_processes


def test_the_bot_is_spawned_before_click_is_imported(standin: BotRepo) -> None:
    standin.deployed("first", "second")
    config_cache.values(standin.repo.path)  # validated once, as any earlier command leaves it
    heavy = ("click", "pydantic", "ci.cli_group", "ci.deploy.deployer")
    argv = ["rollback", "testnet", "--approver", "alice", "--no-push"]
    assert loaded_at_spawn(standin, argv, heavy) == ["exit 0", "[[]]"]


def test_to_is_read_as_click_reads_it_and_the_bot_starts_once(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    oldest, _, _ = standin.deployed("first", "second", "third")
    tag = standin.repo.git("tag", "--points-at", oldest, "--list", "deploy/*").strip()
    starts = counting_starts(monkeypatch)
    done = standin.ci("rollback", "testnet", f"--to={tag}", "--approver", "alice")
    assert done.code == ExitCode.OK, done.stderr
    assert health(standin)["version"] == oldest  # not the default, the second
    assert len(starts) == 1  # the bot started before click was the one kept
    assert bot_processes(standin.base) == [bot_pid(standin)]


def test_a_command_line_click_refuses_starts_nothing_and_changes_nothing(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin.deployed("first", "second")
    live, pid = standin.live(), bot_pid(standin)
    starts = counting_starts(monkeypatch)
    refused = standin.ci("rollback", "testnet", "--no-such-option")
    assert refused.code == ExitCode.USAGE
    assert refused.stderr.count("\n") == 1 and "--no-such-option" in refused.stderr
    assert starts == []
    assert standin.live() == live and bot_processes(standin.base) == [pid]
    with deploy_lock(standin.base / "deploy.lock", sha="", message=""):
        pass  # nothing holds it


def test_a_bot_started_for_another_rollback_is_stopped_with_its_lock(
    standin: BotRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin.deployed("first", "second")
    live, pid = standin.live(), bot_pid(standin)
    for name, value in standin.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(standin.repo.path)
    root, _ = git.locate(standin.repo.path)
    with early_rollback.started(["testnet"]):
        assert len(bot_processes(standin.base)) == 2  # the live bot, one waiting for go
        with pytest.raises(LockHeld), deploy_lock(standin.base / "deploy.lock", sha="", message=""):
            pass
        # click read another --to than the bot was started for: not that bot, and no lock
        assert early_rollback.take(root, "testnet", "deploy/testnet/x", own_env=True) is None
        assert bot_processes(standin.base) == [pid]
        with deploy_lock(standin.base / "deploy.lock", sha="", message=""):
            pass
    assert standin.live() == live and bot_processes(standin.base) == [pid]
