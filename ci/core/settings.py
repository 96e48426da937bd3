"""The effective settings of one environment: config values, overridden by the process.

GitHub passes an environment's secrets and variables to a step as environment
variables, so a name set in the process wins over `[tool.bottie.environments.ENV]
vars`. An empty value counts as unset: `${{ vars.X }}` of an undefined variable is
"" and must not blank a configured setting. Secret values are held here but never
rendered: see `Setting.display`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ci.core.config import Config
from ci.core.errors import UsageError
from logsafe import is_secret_name

_TRUE = frozenset({"1", "true", "yes", "on"})


class Source(StrEnum):
    ENVIRONMENT = "environment"  # the process environment (GitHub secrets/vars)
    CONFIG = "config"  # [tool.bottie.environments.ENV] vars
    UNSET = "unset"


@dataclass(frozen=True)
class Setting:
    name: str
    value: str | None
    secret: bool
    source: Source

    @property
    def display(self) -> str:
        """What may be shown: the value of a non-secret, only set/unset for a secret."""
        if self.value is None:
            return "unset"
        if self.secret:
            return "set" if self.value else "set (empty)"
        return self.value


@dataclass(frozen=True)
class Settings:
    env: str
    network: str
    by_name: Mapping[str, Setting]
    required: tuple[str, ...] = ()

    def get(self, name: str) -> str | None:
        setting = self.by_name.get(name)
        return None if setting is None else setting.value

    def missing(self) -> list[str]:
        """Required variables that have no value."""
        return [name for name in self.required if not self.get(name)]

    def deployed(self) -> dict[str, str]:
        """The values the deploy writes into the bot's environment: every setting that is set."""
        return {s.name: s.value for s in self.by_name.values() if s.value is not None}

    def flag(self, name: str) -> bool:
        """Whether a boolean toggle is on; unset means off."""
        return (self.get(name) or "").strip().lower() in _TRUE


def environment(config: Config, env: str) -> str:
    """`env` itself, once known to be one of the configured environments."""
    if env not in config.environments:
        known = ", ".join(config.environments)
        raise UsageError(f"unknown environment {env!r}; configured environments: {known}")
    return env


def resolve(config: Config, env: str, environ: Mapping[str, str]) -> Settings:
    """Every setting of `env`: the profile's variables, the environment's configured vars and
    its required secrets. The card shows these, the checklist checks these, and the deploy
    writes exactly the ones that are set (`Settings.deployed`)."""
    env_config = config.environments[environment(config, env)]
    profile = config.profile
    names = dict.fromkeys([*profile.card_settings(), *env_config.vars, *env_config.required])
    secret_names = {*env_config.required, *profile.secret_names}
    by_name: dict[str, Setting] = {}
    for name in names:
        secret = name in secret_names or is_secret_name(name)
        if environ.get(name):
            by_name[name] = Setting(name, environ[name], secret, Source.ENVIRONMENT)
        elif name in env_config.vars:
            by_name[name] = Setting(name, env_config.vars[name], secret, Source.CONFIG)
        else:
            by_name[name] = Setting(name, None, secret, Source.UNSET)
    return Settings(
        env=env, network=env_config.network, by_name=by_name, required=tuple(env_config.required)
    )
