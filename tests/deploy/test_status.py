"""`status ENV` when nothing is live: the scheduled status check (status.yml, every 15
minutes) alarms when a deployed environment is gone, and stays green before the environment's
first deploy (the ladder reaches mainnet weeks after testnet)."""

from __future__ import annotations

import shutil
import subprocess

from ci.core.errors import ExitCode
from tests.deploy.conftest import BotRepo, stop_bot
from tests.helpers import Repo


def test_an_environment_never_deployed_is_green(standin: BotRepo) -> None:
    standin.repo.commit("adopted, nothing deployed")
    done = standin.ci("status", "testnet")
    assert done.code == ExitCode.OK, done.stderr
    assert done.stdout.splitlines() == [
        "testnet: nothing deployed yet (no deploy tag, no switch in its deploy log)"
    ]


def test_a_deployed_environment_that_is_gone_is_an_alarm_naming_its_tag(
    standin: BotRepo,
) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK
    [tag] = standin.tags()
    stop_bot(standin.base)  # the host lost the bot and its deploy root (with the pid file
    shutil.rmtree(standin.root)  # the fixture would stop the bot by)
    done = standin.ci("status", "testnet")
    assert done.code == ExitCode.FAILED
    assert done.stdout.splitlines() == [f"testnet: nothing live, but {tag} says it was deployed"]


def test_a_switch_in_the_deploy_log_is_an_alarm_without_any_tag(standin: BotRepo) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK
    for tag in standin.tags():  # the tag push failed, or the tags were never fetched
        standin.repo.git("tag", "-d", tag)
    (standin.base / "current").unlink()
    done = standin.ci("status", "testnet")
    assert done.code == ExitCode.FAILED
    assert done.stdout.splitlines() == [
        "testnet: nothing live, but its deploy log says it was deployed"
    ]


def test_a_shallow_clone_without_tags_cannot_tell_so_it_alarms(standin: BotRepo) -> None:
    standin.repo.commit("adopted, nothing deployed")
    clone = standin.repo.path.parent / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{standin.repo.path}", str(clone)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    standin.repo = Repo(clone)
    done = standin.ci("status", "testnet")
    assert done.code == ExitCode.FAILED
    assert done.stdout.splitlines() == [
        "testnet: nothing live, and this shallow clone has no deploy tags to tell if it was"
    ]
