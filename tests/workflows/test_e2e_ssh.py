"""The `ssh` target end to end under act (the harness of test_e2e.py): the workflows deploy
to a bot's host through a real OpenSSH server on a loopback port (tests/deploy/targets'
sshd), and a later run on a fresh runner finds everything it needs on that host.

The host is this machine, reached by the workflows only through SSH: the deploy root is a
path on the host given to the jobs as the `BOTTIE_DEPLOY_ROOT` variable, the SSH settings
are variables and the keys secrets, as `ci github setup` stores them: the deploy key for
the deploys and the rollback, the operations key (pause and read only, enforced by the
host) for the pause. The test reads the host's files only to assert, and counts sshd's
logins. Each later run is on a runner with a HOME of its own (act keeps every job's work
and temp folders under it), so nothing of an earlier run on the runner's side can help it:
what the rollback and the pause see (the releases, the deploy log, the live release) can
only have come from the host.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.deploy.targets.conftest import (
    Sshd,
    install_ops_key,
    running_sshd,
    ssh_pyproject,
    user,
)
from tests.workflows.test_e2e import Run, Sandbox, open_sandbox

pytestmark = pytest.mark.e2e

BOTH_ATTESTED = ("--var", "BOTTIE_TESTNET_ATTEST=toggle-card,rollback-target")


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Sshd]:
    """The bot's host: an sshd on a free loopback port, its keys made for this test."""
    with running_sshd(tmp_path / "host-sshd") as server:
        yield server


@pytest.fixture
def ssh_sandbox(tmp_path: Path, wheels: Path, host: Sshd) -> Iterator[Sandbox]:
    """A clone whose deploy target is the ssh host, and whose testnet trades (turned on
    explicitly in its config), so that a pause has something to stop."""
    (tmp_path / "sandbox").mkdir()
    for sandbox in open_sandbox(tmp_path / "sandbox", wheels):
        pyproject = sandbox.work / "pyproject.toml"
        text = ssh_pyproject(pyproject.read_text(encoding="utf-8"))
        testnet_off = '"https://testnet.binance.vision", TRADE_ENABLED = "0"'
        trading = text.replace(testnet_off, testnet_off.replace('"0"', '"1"'), 1)
        assert trading != text, "the clone's testnet kill switch was not found"
        pyproject.write_text(trading, encoding="utf-8")
        sandbox.commit("e2e: deploy to the bot's host over ssh; testnet trades")
        yield sandbox


def _ssh_settings(sandbox: Sandbox, host: Sshd) -> tuple[str, ...]:
    """The SSH settings as a job gets them: variables, and the keys as secrets (from a file
    of act's, so that they are on no command line): the deploy key, and the operations key
    that the host lets only pause and read (its forced command, as `ci ops-agent` prints)."""
    ops_key = install_ops_key(host, sandbox.deploy_root)
    secrets = sandbox.root / "ssh-secrets.yml"  # act reads a .yml secret file as YAML
    secrets.touch(mode=0o600)
    keys = {
        "BOTTIE_SSH_KEY": host.client_key.read_text(encoding="utf-8"),
        "BOTTIE_SSH_OPS_KEY": ops_key.read_text(encoding="utf-8"),
    }
    secrets.write_text(json.dumps(keys), encoding="utf-8")  # JSON is YAML
    variables = {
        "BOTTIE_SSH_HOST": "127.0.0.1",
        "BOTTIE_SSH_PORT": str(host.port),
        "BOTTIE_SSH_USER": user(),
        "BOTTIE_SSH_KNOWN_HOSTS": host.known_hosts,
    }
    pairs = (("--var", f"{name}={value}") for name, value in variables.items())
    return ("--secret-file", str(secrets), *(arg for pair in pairs for arg in pair))


def _live(sandbox: Sandbox) -> dict[str, object]:
    """The live release on the host (read only to assert)."""
    meta = sandbox.deploy_root / "testnet" / "current" / ".release.json"
    return dict(json.loads(meta.read_text(encoding="utf-8")))


def _deploy_log(sandbox: Sandbox) -> list[dict[str, object]]:
    lines = (sandbox.deploy_root / "testnet" / "deploy-log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in lines.splitlines()]


def _health(sandbox: Sandbox) -> dict[str, object]:
    """The bot's own answer, on the host's loopback."""
    return dict(httpx.get(f"http://127.0.0.1:{sandbox.ports[0]}/health", timeout=5).json())


def _key_lines(host: Sshd) -> list[str]:
    """The private keys' base64 lines: none may show up in any log."""
    text = "".join(k.read_text(encoding="utf-8") for k in host.folder.glob("*_key"))
    return [line for line in text.splitlines() if line and not line.startswith("-----")]


def _assert_no_key(run: Run, host: Sshd) -> None:
    leaked = [line for line in _key_lines(host) if line in run.log]
    assert not leaked, "an SSH private key shows in act's log"


def test_state_lives_on_the_host_a_later_run_rolls_back_and_pauses_over_ssh(
    ssh_sandbox: Sandbox, host: Sshd
) -> None:
    sandbox = ssh_sandbox
    ssh = _ssh_settings(sandbox, host)

    first = sandbox.git("rev-parse", "HEAD")
    deployed = sandbox.act("push", "ci.yml", *BOTH_ATTESTED, *ssh, name="first")
    assert deployed.job("deploy-testnet") == "succeeded", deployed.log[-3000:]
    assert _live(sandbox)["sha"] == first
    assert _health(sandbox)["version"] == first
    assert host.accepted() == 1  # the whole deploy went through one SSH connection
    _assert_no_key(deployed, host)

    (sandbox.work / "CHANGELOG.e2e").write_text("a second release\n", encoding="utf-8")
    second = sandbox.commit("a second release")
    sandbox.fetch_tags()
    pushed = sandbox.act("push", "ci.yml", *BOTH_ATTESTED, *ssh, name="second")
    assert pushed.job("deploy-testnet") == "succeeded", pushed.log[-3000:]
    assert _live(sandbox)["sha"] == second
    tags = sorted(pushed.deploy_tags("testnet"))
    assert len(tags) == 2

    # A runner that has never seen the deploys: only the host knows what to roll back to.
    sandbox.new_runner("rollback")
    sandbox.fetch_tags()
    rolled = sandbox.act(
        "workflow_dispatch",
        "rollback.yml",
        *ssh,
        name="rollback",
        inputs={"environment": "testnet"},
    )
    assert rolled.code == 0, rolled.log[-3000:]
    assert "Success - Main Roll back" in rolled.log
    assert host.accepted() == 3  # one connection each: two deploys, the rollback
    assert str(sandbox.root / "home-rollback") in rolled.log  # its RUNNER_TEMP, fresh
    assert _live(sandbox)["sha"] == first  # the earlier release is live on the host
    health = _health(sandbox)
    assert health["version"] == first and health["trade_enabled"] is True
    newest = sorted(rolled.deploy_tags("testnet"))[-1]
    assert newest not in tags  # the redeploy's tag, pushed as for the local target
    sandbox.fetch_tags()
    assert sandbox.git("rev-parse", f"{newest}^{{commit}}") == first
    # One deploy log on the host: the first two runs' deploys, then the rollback, which
    # chose the earlier release from it and marked the one it replaced.
    log = _deploy_log(sandbox)
    successes = [(e["sha"], e.get("rolled_back_from")) for e in log if e["outcome"] == "success"]
    assert successes == [(first, None), (second, None), (first, tags[-1])], successes
    assert any(e["outcome"] == "marked-bad" and e["tag"] == tags[-1] for e in log)
    _assert_no_key(rolled, host)

    sandbox.new_runner("pause")
    paused = sandbox.act(
        "workflow_dispatch", "pause.yml", *ssh, name="pause", inputs={"environment": "testnet"}
    )
    assert paused.code == 0, paused.log[-3000:]
    assert "testnet paused: TRADE_ENABLED=0" in paused.log
    assert host.accepted() == 4
    assert _health(sandbox)["trade_enabled"] is False  # the bot itself says it stopped
    assert (sandbox.deploy_root / "testnet" / "shared" / "paused").is_file()
    assert _live(sandbox)["sha"] == first
    assert paused.tags_after == rolled.tags_after  # a pause makes no deploy tag
    last = _deploy_log(sandbox)[-1]  # paused through the operations key
    assert (last["outcome"], last["by"]) == ("paused", "the operations key")
    _assert_no_key(paused, host)
