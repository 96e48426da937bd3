"""A rollback starts its bot while it links the release's folder, for real: the bot serves from
the new release's own folder with that release's environment (the example bot, its app named
`bot.app:from_environment` as the launcher reads it, and the rollback a real process), and a
bot started ahead for a rollback that is then refused is stopped with it, the live bot
untouched (the stand-in, the rollback in this process: nothing but the target's own stop
ends that bot while the process that started it lives on)."""

from __future__ import annotations

import sys
from pathlib import Path

from ci.core.errors import ExitCode
from tests.deploy.conftest import BotRepo, health
from tests.deploy.test_safety import bot_processes


def bot_pid(bot: BotRepo) -> int:
    return int((bot.base / "shared" / "bot.pid").read_text())


def test_the_bot_started_ahead_serves_from_the_new_release(bot: BotRepo) -> None:
    first, _ = bot.deployed("first", "second")
    done = bot.ci("rollback", "testnet")
    assert done.code == ExitCode.OK, done.stderr
    live = bot.base / "releases" / bot.live()
    assert Path(f"/proc/{bot_pid(bot)}/cwd").resolve() == live.resolve()
    assert health(bot)["version"] == first
    assert bot_processes(bot.base) == [bot_pid(bot)]


def test_a_refused_rollback_stops_the_bot_it_started_ahead(standin: BotRepo) -> None:
    standin.deployed("first", "second")
    live, pid = standin.live(), bot_pid(standin)
    # The pre-deploy hook runs once the release is prepared, its bot started ahead: it counts
    # the bots then, and refuses.
    seen = standin.root / "seen"
    hook = [sys.executable, "-c", COUNT_AND_REFUSE, str(standin.base / "releases"), str(seen)]
    standin.repo.write("pyproject.toml", standin.pyproject(pre_deploy=hook))
    standin.repo.commit("a hook that refuses")
    refused = standin.ci("rollback", "testnet")
    assert refused.code == ExitCode.FAILED
    assert "pre_deploy hook failed" in refused.stderr
    assert seen.read_text() == "2"  # the live bot and the one waiting for go
    assert standin.live() == live and bot_pid(standin) == pid
    assert bot_processes(standin.base) == [pid]


# argv: the releases folder, a file to write the count of processes running in it to.
COUNT_AND_REFUSE = """\
import pathlib, sys
releases = pathlib.Path(sys.argv[1]).resolve()
count = 0
for proc in pathlib.Path("/proc").iterdir():
    try:
        cwd = (proc / "cwd").resolve()
    except OSError:
        continue
    count += proc.name.isdigit() and cwd.is_relative_to(releases)
pathlib.Path(sys.argv[2]).write_text(str(count))
sys.exit(1)
"""
