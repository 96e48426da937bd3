"""The operations key before the environment's first deploy, against a real sshd: the
scheduled status check reads "nothing deployed yet" and stays green; pause has nothing to
pause and says so in one line. (The operations key on a deployed bot: test_ops_key.py.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from ci.deploy import ops_agent
from tests.deploy.conftest import BotRepo
from tests.deploy.targets.conftest import Sshd, install_ops_key


def test_status_is_green_and_pause_refused_before_the_first_deploy(
    ssh_bot: BotRepo, sshd: Sshd, ops_private_key: Path
) -> None:
    ssh_bot.repo.commit("adopted, nothing deployed")
    key = install_ops_key(sshd, ssh_bot.root, ops_private_key)
    ops = {"BOTTIE_SSH_KEY": key.read_text(encoding="utf-8")}

    status = ssh_bot.ci("status", "testnet", env=ops)
    assert status.code == ExitCode.OK, status.stderr
    assert status.stdout.splitlines() == [
        "testnet: nothing deployed yet (no deploy tag, no switch in its deploy log)"
    ]

    paused = ssh_bot.ci("pause", "testnet", env=ops)
    assert paused.code == ExitCode.FAILED
    assert paused.stderr.splitlines() == [
        "error: pause: nothing is deployed to testnet yet: the operations key acts only on a "
        "deployed bot"
    ]
    assert not (ssh_bot.base / "current").exists()


def test_a_live_release_without_a_pinned_spec_is_refused_not_read_as_undeployed(
    tmp_path: Path,
) -> None:
    """A bot live without the spec a deploy pins (made by hand, or by a pipeline before
    pinning) is not "nothing deployed": the agent refuses to serve, naming what is missing.
    In process: the agent's start, without SSH."""
    base = tmp_path / "root" / "testnet"
    (base / "releases" / "r1").mkdir(parents=True)
    (base / "current").symlink_to(base / "releases" / "r1")
    requests = io.BytesIO(b"0\n" + json.dumps({"spec": {"env": "testnet"}}).encode() + b"\n")
    replies = io.BytesIO()
    with pytest.raises(SystemExit) as stopped:
        ops_agent.main([str(tmp_path / "root"), "TRADE_ENABLED=0"], requests, replies)
    assert str(stopped.value) == (
        f"ops agent: testnet under {tmp_path / 'root'} has no agent-spec.json: deploy once "
        "with the deploy key to pin how its bot starts"
    )
    assert replies.getvalue() == b""  # no hello: nothing was served
