"""The ssh target against a real sshd on loopback: every command, the lock on the host,
secrets only through the channel, and one clear line for each network fault."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from ci.core.errors import ExitCode
from tests.deploy.conftest import SECRETS, BotRepo
from tests.deploy.targets.conftest import Sshd


def health(bot: BotRepo) -> dict[str, object]:
    return dict(httpx.get(f"http://127.0.0.1:{bot.port}/health", timeout=5).json())


def outcomes(bot: BotRepo) -> list[str]:
    lines = (bot.base / "deploy-log.jsonl").read_text().splitlines()
    return [json.loads(line)["outcome"] for line in lines]


def agents() -> list[int]:
    """Deploy agents still running on the host (the bootstrap names its temporary folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"bottie-agent-" in cmdline:
                found.append(int(entry.name))
    return found


def test_every_command_works_through_ssh(ssh_bot: BotRepo, sshd: Sshd) -> None:
    first_sha = ssh_bot.commit_green("first")
    deployed = ssh_bot.deploy()
    assert deployed.code == ExitCode.OK, deployed.stderr
    first = ssh_bot.live()
    assert health(ssh_bot)["version"] == first_sha
    env_file = ssh_bot.base / "shared" / "env" / f"{first}.env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    assert sshd.accepted() == 1  # the whole deploy: one connection

    second_sha = ssh_bot.commit_green("second")
    assert ssh_bot.deploy().code == ExitCode.OK
    assert health(ssh_bot)["version"] == second_sha

    status = ssh_bot.ci("status", "testnet")
    assert status.code == ExitCode.OK, status.stderr
    assert status.stdout.strip() == f"testnet: {ssh_bot.live()}: healthy on testnet"

    rolled = ssh_bot.ci("rollback", "testnet", "--approver", "bob")
    assert rolled.code == ExitCode.OK, rolled.stderr
    assert health(ssh_bot)["version"] == first_sha

    paused = ssh_bot.ci("pause", "testnet")
    assert paused.code == ExitCode.OK, paused.stderr
    assert health(ssh_bot)["trade_enabled"] is False
    resumed = ssh_bot.ci("resume", "testnet", "--yes-trade")
    assert resumed.code == ExitCode.OK, resumed.stderr
    assert health(ssh_bot)["trade_enabled"] is True

    restored = ssh_bot.ci("restore", "testnet")
    assert restored.code == ExitCode.OK, restored.stderr

    history = ssh_bot.ci("history", "testnet")
    assert history.code == ExitCode.OK
    assert [line.split()[1] for line in history.stdout.splitlines()] == outcomes(ssh_bot)
    assert outcomes(ssh_bot) == [
        "success",
        "success",
        "success",
        "marked-bad",
        "paused",
        "resumed",
        "restored",
    ]
    for result in (deployed, status, rolled, paused, resumed, history):
        for value in SECRETS.values():
            assert value not in result.stdout + result.stderr
    assert agents() == []  # every session ended with its command
