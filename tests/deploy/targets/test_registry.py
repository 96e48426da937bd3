"""Which target a configuration builds, and what each refuses before touching anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci.core.errors import ConfigError, ExitCode
from ci.deploy.targets.local import LocalTarget
from ci.deploy.targets.registry import EphemeralRunner, open_target
from ci.deploy.targets.ssh import SshTarget
from ci.deploy.targets.ssh_session import ssh_argv
from tests.deploy.conftest import BotRepo
from tests.helpers import example_config

HOSTED = {"GITHUB_ACTIONS": "true", "RUNNER_ENVIRONMENT": "github-hosted"}
SSH_TOML = """
[tool.bottie.deploy]
target = "ssh"
root = "/srv/bottie"
[tool.bottie.deploy.ssh]
host = "bot.example.com"
user = "deploy"
known_hosts = "bot.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPinned"
"""
KEY = "canary-private-key-0123456789abcdef"  # not parsed here: only carried


def test_the_local_target_refuses_a_github_hosted_runner(standin: BotRepo) -> None:
    result = standin.ci("status", "testnet", env=HOSTED)
    assert result.code == ExitCode.FAILED
    assert result.stderr.splitlines() == [
        "error: the local target would deploy onto this GitHub-hosted runner, which is "
        'destroyed when the job ends: set [tool.bottie.deploy] target = "ssh" to deploy to '
        "the bot's host, or run this job on a self-hosted runner on the bot's own host"
    ]


def test_the_local_target_runs_on_a_self_hosted_runner_and_outside_github() -> None:
    config = example_config()
    with pytest.raises(EphemeralRunner):
        open_target(config, "testnet", HOSTED)
    for environ in ({**HOSTED, "RUNNER_ENVIRONMENT": "self-hosted"}, {}):
        assert isinstance(open_target(config, "testnet", environ), LocalTarget)


def test_the_ssh_target_takes_the_host_from_the_environment_first() -> None:
    target = open_target(
        example_config(SSH_TOML),
        "mainnet",
        {**HOSTED, "BOTTIE_SSH_KEY": KEY, "BOTTIE_SSH_HOST": "10.0.0.7", "BOTTIE_SSH_PORT": "2222"},
    )
    assert isinstance(target, SshTarget)
    settings = target.session.settings
    assert (settings.host, settings.port, settings.user) == ("10.0.0.7", 2222, "deploy")
    assert target.spec.base == "/srv/bottie/mainnet"  # a path on the host, left as written
    assert KEY not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "the ssh target needs the private key in BOTTIE_SSH_KEY (a secret)"),
        ({"BOTTIE_SSH_KEY": KEY, "BOTTIE_SSH_PORT": "22x"}, "BOTTIE_SSH_PORT is not a port number"),
    ],
)
def test_missing_or_bad_ssh_settings_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_target(example_config(SSH_TOML), "testnet", environ)
    assert str(caught.value) == message


def test_a_missing_host_names_both_places() -> None:
    config = example_config('[tool.bottie.deploy]\ntarget = "ssh"\n')
    with pytest.raises(ConfigError) as caught:
        open_target(config, "testnet", {"BOTTIE_SSH_KEY": KEY})
    assert str(caught.value) == (
        "the ssh target has no host: set BOTTIE_SSH_HOST or [tool.bottie.deploy.ssh] host"
    )


def test_ssh_trusts_only_the_pinned_host_key_and_the_given_key() -> None:
    target = open_target(example_config(SSH_TOML), "testnet", {"BOTTIE_SSH_KEY": KEY})
    assert isinstance(target, SshTarget)
    argv = ssh_argv(target.session.settings, Path("/t/key"), Path("/t/known_hosts"))
    options = {argv[i + 1] for i, a in enumerate(argv) if a == "-o"}
    assert argv[:3] == ["ssh", "-F", "/dev/null"]  # no user or system config
    assert {
        "StrictHostKeyChecking=yes",
        "UserKnownHostsFile=/t/known_hosts",
        "GlobalKnownHostsFile=/dev/null",
        "BatchMode=yes",
        "IdentitiesOnly=yes",
    } <= options
    assert KEY not in " ".join(argv)
