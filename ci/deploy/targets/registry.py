"""Choosing and building the configured deploy target: the one place a target is made from
`[tool.bottie]`; everything else speaks to `interface.Target`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ci.core import botenv
from ci.core.config import Config
from ci.core.errors import ConfigError
from ci.deploy.targets.interface import Target
from ci.deploy.targets.local import LocalTarget, Spec

ROOT_ENV = "BOTTIE_DEPLOY_ROOT"


def spec_for(config: Config, env: str, environ: Mapping[str, str] | None = None) -> Spec:
    """The target's view of one environment, from `[tool.bottie]`."""
    environ = os.environ if environ is None else environ
    deploy = config.deploy
    if not config.app.command:
        raise ConfigError("no app command in [tool.bottie.app] command: nothing to deploy")
    try:
        port = deploy.ports[env]
    except KeyError:
        raise ConfigError(f"no port for {env!r} in [tool.bottie.deploy] ports") from None
    root = environ.get(ROOT_ENV) or deploy.root
    return Spec(
        env=env,
        base=str(Path(root).expanduser().absolute() / env),
        port=port,
        command=list(config.app.command),
        health_path=config.profile.probes.health,
        health_timeout=deploy.health_timeout,
        state_files=list(config.profile.state_files),
        status_path=config.profile.probes.status or "",
        python=botenv.for_deploy(config.python, environ),
    )


def open_target(config: Config, env: str, environ: Mapping[str, str] | None = None) -> Target:
    """The configured target for `env`."""
    spec = spec_for(config, env, environ)
    if config.deploy.target == "local":
        return LocalTarget(spec)
    raise ConfigError(f"unknown deploy target {config.deploy.target!r}")  # pragma: no cover
