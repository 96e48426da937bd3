"""Choosing and building the configured deploy target: the one place a target is made from
`[tool.bottie]`; everything else speaks to `interface.Target`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci.core import botenv
from ci.core.errors import ConfigError, RefusedError
from ci.deploy.targets.interface import Target
from ci.deploy.targets.local import LocalTarget, Spec

if TYPE_CHECKING:  # the models load pydantic; a rollback builds its spec before them
    from ci.core.config import Config

ROOT_ENV = "BOTTIE_DEPLOY_ROOT"


class EphemeralRunner(RefusedError):
    """The `local` target on a machine that is destroyed when the job ends."""


def spec_for(values: Mapping[str, Any], env: str, environ: Mapping[str, str] | None = None) -> Spec:
    """The target's view of one environment, from `[tool.bottie]` as validated plain values
    (`config_cache.values`, or a Config's `model_dump(mode="json")`: the same values)."""
    environ = os.environ if environ is None else environ
    deploy, profile = values["deploy"], values["profile"]
    if not values["app"]["command"]:
        raise ConfigError("no app command in [tool.bottie.app] command: nothing to deploy")
    try:
        port = deploy["ports"][env]
    except KeyError:
        raise ConfigError(f"no port for {env!r} in [tool.bottie.deploy] ports") from None
    root = environ.get(ROOT_ENV) or deploy["root"]
    if deploy["target"] == "ssh":
        # A path on the bot's host: the agent expands `~` there, not here.
        base = f"{root.rstrip('/')}/{env}"
    else:
        base = str(Path(root).expanduser().absolute() / env)
    return Spec(
        env=env,
        base=base,
        port=port,
        command=list(values["app"]["command"]),
        health_path=profile["probes"]["health"],
        health_timeout=deploy["health_timeout"],
        state_files=list(profile["state_files"]),
        status_path=profile["probes"]["status"] or "",
        python=botenv.for_deploy(values["python"], environ),
    )


def open_target(config: Config, env: str, environ: Mapping[str, str] | None = None) -> Target:
    """The configured target for `env`."""
    environ = os.environ if environ is None else environ
    spec = spec_for(config.model_dump(mode="json"), env, environ)
    if config.deploy.target == "local":
        refuse_ephemeral_runner(environ)
        return LocalTarget(spec)
    if config.deploy.target == "ssh":
        from ci.deploy.targets.ssh import SshTarget, settings_from  # here: its agent, zipapp

        ssh = config.deploy.ssh
        settings = settings_from(
            ssh.host, ssh.port, ssh.user, ssh.known_hosts, ssh.python, ssh.connect_timeout, environ
        )
        return SshTarget(spec, settings, environ)
    raise ConfigError(f"unknown deploy target {config.deploy.target!r}")  # pragma: no cover


def refuse_ephemeral_runner(environ: Mapping[str, str]) -> None:
    """A GitHub-hosted runner is destroyed when the job ends: a bot deployed onto it with
    live keys would trade until then, and nothing could reach it afterwards."""
    hosted = environ.get("RUNNER_ENVIRONMENT") == "github-hosted"
    if environ.get("GITHUB_ACTIONS") == "true" and hosted:
        raise EphemeralRunner(
            "the local target would deploy onto this GitHub-hosted runner, which is destroyed "
            'when the job ends: set [tool.bottie.deploy] target = "ssh" to deploy to the bot\'s '
            "host, or run this job on a self-hosted runner on the bot's own host"
        )
