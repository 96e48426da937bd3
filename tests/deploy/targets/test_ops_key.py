"""The operations key against a real sshd: an authorized_keys forced command running the
operations agent installed on the host. It pauses and reads status and history; it is
refused, in one line, for deploy, rollback, resume and restore; it gets no shell, and the
code and spec its client sends are never used."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from ci.deploy import envfile
from tests.deploy.conftest import SECRETS, BotRepo, health
from tests.deploy.targets.conftest import Sshd, install_ops_key, user


def refused(what: str) -> list[str]:
    """The one line a refused command prints."""
    return [
        f"error: {what}: refused: this is the operations key, which may only pause and read "
        "status and history; use the deploy key (BOTTIE_SSH_KEY of the deploy environment)"
    ]


@pytest.fixture
def ops_key(ssh_bot: BotRepo, sshd: Sshd, ops_private_key: Path) -> Path:
    """The operations key's private half; its public half is in authorized_keys behind the
    forced command, the agent installed on the host beside it."""
    return install_ops_key(sshd, ssh_bot.root, ops_private_key)


def ssh_with(
    sshd: Sshd, key: Path, command: str, stdin: bytes
) -> subprocess.CompletedProcess[bytes]:
    """The system ssh with the given key, as an attacker holding the ops key would use it."""
    argv = [
        "ssh", "-F", "/dev/null", "-i", str(key), "-p", str(sshd.port),
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
        "-o", f"UserKnownHostsFile={sshd.folder / 'known_hosts'}",
        f"{user()}@127.0.0.1", command,
    ]  # fmt: skip
    (sshd.folder / "known_hosts").write_text(sshd.known_hosts + "\n", encoding="utf-8")
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=60, check=False)


def test_the_ops_key_pauses_and_reads_but_never_deploys(
    ssh_bot: BotRepo, sshd: Sshd, ops_key: Path
) -> None:
    ssh_bot.commit_green("first")
    assert ssh_bot.deploy().code == ExitCode.OK  # the deploy key
    first = ssh_bot.live()
    second_sha = ssh_bot.commit_green("second")
    assert ssh_bot.deploy().code == ExitCode.OK
    second = ssh_bot.live()
    assert health(ssh_bot)["trade_enabled"] is True
    ops = {"BOTTIE_SSH_KEY": ops_key.read_text(encoding="utf-8")}

    status = ssh_bot.ci("status", "testnet", env=ops)
    assert status.code == ExitCode.OK, status.stderr
    assert status.stdout.strip() == f"testnet: {second}: healthy on testnet"
    history = ssh_bot.ci("history", "testnet", env=ops)
    assert history.code == ExitCode.OK, history.stderr
    assert first in history.stdout and second in history.stdout

    for command, what in (
        (("deploy", "testnet", "--approver", "mallory"), "deploy"),
        (("rollback", "testnet", "--approver", "mallory"), "deploy"),
        (("restore", "testnet"), "restore"),
    ):
        done = ssh_bot.ci(*command, env=ops)
        assert done.code == ExitCode.FAILED, (command, done.stderr)
        assert done.stderr.splitlines() == refused(what)
        assert ssh_bot.live() == second and health(ssh_bot)["version"] == second_sha

    paused = ssh_bot.ci("pause", "testnet", env=ops)
    assert paused.code == ExitCode.OK, paused.stderr
    assert health(ssh_bot)["trade_enabled"] is False  # the bot itself says so
    assert (ssh_bot.base / "shared" / "paused").read_text() == "1"  # for a later resume
    values = envfile.read(ssh_bot.base / "shared" / "env" / f"{second}.env")
    assert values["TRADE_ENABLED"] == "0"
    assert {name: values[name] for name in SECRETS} == SECRETS  # the rest as it was
    assert (
        json.loads((ssh_bot.base / "deploy-log.jsonl").read_text().splitlines()[-1])["outcome"]
        == "paused"
    )

    resumed = ssh_bot.ci("resume", "testnet", "--yes-trade", env=ops)
    assert resumed.code == ExitCode.FAILED
    assert resumed.stderr.splitlines() == refused("resume")
    assert health(ssh_bot)["trade_enabled"] is False
    for secret in SECRETS.values():
        for output in (status, history, paused, resumed):
            assert secret not in output.stdout + output.stderr


def test_the_ops_key_gets_no_shell_and_its_code_never_runs(
    ssh_bot: BotRepo, sshd: Sshd, ops_key: Path, tmp_path: Path
) -> None:
    ssh_bot.commit_green("first")
    assert ssh_bot.deploy().code == ExitCode.OK
    proof = tmp_path / "pwned"

    shell = ssh_with(sshd, ops_key, f"touch {proof}; echo shell-ran", b"")
    assert b"shell-ran" not in shell.stdout and not proof.exists()

    # A zipapp whose agent would leave the proof behind, then a spec whose app command
    # would, then a restart (allowed only under the pause lock) and a pause's restart.
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("ci/__init__.py", "")
        archive.writestr("ci/deploy/__init__.py", "")
        archive.writestr(
            "ci/deploy/agent_main.py", f"open({str(proof)!r}, 'w')\ndef main(): return 0\n"
        )
    code = evil.getvalue()
    spec = {"env": "testnet", "base": str(ssh_bot.base), "port": ssh_bot.port,
            "command": ["sh", "-c", f"touch {proof}"], "health_path": "/health",
            "health_timeout": 5}  # fmt: skip
    calls = [
        {"call": "restart", "args": {}},
        {"call": "lock", "args": {"sha": "", "message": "pause testnet"}},
        {"call": "set_paused", "args": {"before": "what resume would put back"}},
        {"call": "restart", "args": {}},
        {"call": "health", "args": {}},
        {"call": "unlock", "args": {}},
    ]
    stdin = b"%d\n" % len(code) + code + json.dumps({"spec": spec}).encode() + b"\n"
    stdin += b"".join(json.dumps(c).encode() + b"\n" for c in calls)
    done = ssh_with(sshd, ops_key, "ignored", stdin)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0]["hello"]["mode"] == "ops"
    assert replies[1]["error"]["kind"] == "Refused"  # restart without the pause lock
    lock, remembered, restart, healthy, unlock = replies[2:]
    assert lock == remembered == restart == unlock == {"ok": None}
    assert (ssh_bot.base / "shared" / "paused").read_text() == "1"  # the host's own value
    assert healthy["ok"]["ok"] is True  # restarted from the host's own spec
    assert not proof.exists()
