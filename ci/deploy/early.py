"""A rollback's bot started before the config models and the deployer are imported.

`python -m ci rollback` spent most of its start-up importing pydantic, the config models and
the deployer (about 0.25 s of CPU here) before its bot could start. None of that is needed to
know which bot the rollback will start: the remembered validated config (`config_cache`: only
values the models accepted), the target's deploy log and the deploy tags choose the release
(`ci.deploy.rollback.target`, the deployer's own choice; the tag is checked while the bot's
interpreter starts, before anything can go live), and the release's env file holds
its environment, with the kill switch forced off while the environment is paused. So the
command takes the deploy lock, starts that bot waiting for go (libraries only:
ci/core/launcher.py), and only then imports the rest; for the plain shapes of its command
line, before click is even imported (ci/commands/early_rollback.py: click still reads the
line, and the command keeps that bot only if it asks for the same one). (In a clone whose
config was never validated, `config_cache` validates it first, with the models, as any
command would.)

The deployer then decides everything again from the validated models, under the same lock,
as if nothing had started: the target uses the bot started early only if the deployer would
start exactly that bot (same release, argv and environment, `LocalTarget.start_ahead`), and
stops it otherwise; a refusal or failure stops it with the lock. The go signal, the only
thing that lets the bot build its app, is still given only by the deployer's switch, once
the old bot's process group is gone. Anything unusual (another target, an interrupted switch
to recover, `--with-current-env`, no release to return to, any error) starts nothing early
and lets the lock go: the deployer does it all, as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci.core import config_cache
from ci.core.errors import CiError, RefusedError
from ci.deploy import rollback, tags
from ci.deploy.targets import registry
from ci.deploy.targets.local import LocalTarget

if TYPE_CHECKING:
    from ci.core.config import Config


@dataclass(frozen=True)
class Started:
    """The locked target with a bot waiting for go, and the time that names its release."""

    target: LocalTarget
    when: datetime

    def target_for(self, config: Config, env: str, environ: Mapping[str, str]) -> LocalTarget:
        """The target, once the validated config describes the very one started from; a
        pyproject changed in between refuses (the lock goes, and the waiting bot with it)."""
        same = config.deploy.target == "local"
        if not same or registry.spec_for(config.model_dump(mode="json"), env, environ) != (
            self.target.spec
        ):
            raise RefusedError(
                "the configuration changed while the rollback started: nothing was changed, "
                "run it again"
            )
        return self.target


@contextmanager
def rollback_bot(
    root: Path,
    git_dir: Path,
    env: str,
    to: str | None,
    environ: Mapping[str, str],
    *,
    own_env: bool = True,
) -> Iterator[Started | None]:
    """Hold the deploy lock with the rollback's bot waiting, or None (nothing held). With
    today's environment instead of the release's own (`own_env` false), nothing starts."""
    with ExitStack() as held:
        started = None
        try:
            values = config_cache.values(root, git_dir)
            target = _local_target(values, env, environ) if own_env else None
            if target is not None:
                held.enter_context(target.lock(sha="", message=f"rollback {env}"))
                started = _start(target, values, root, env, to)
        except (CiError, OSError, ValueError, KeyError, TypeError):
            started = None  # the deployer meets the same problem, and says so
        if started is None:
            held.close()
        yield started


def _local_target(
    values: Mapping[str, Any], env: str, environ: Mapping[str, str]
) -> LocalTarget | None:
    if values["deploy"]["target"] != "local" or env not in values["environments"]:
        return None
    registry.refuse_ephemeral_runner(environ)
    return LocalTarget(registry.spec_for(values, env, environ))


def _start(
    target: LocalTarget, values: Mapping[str, Any], root: Path, env: str, to: str | None
) -> Started | None:
    history = target.history()
    if history and history[-1].get("outcome") == "switching":
        return None  # the deployer first recovers the interrupted switch
    chosen = rollback.chosen(history, env, to, target.live())
    release = target.release(chosen["release"])
    env_values = target.release_env(chosen["release"])
    if release is None or env_values is None or release.sha != chosen["sha"]:
        return None
    if target.paused() is not None:
        switch = values["profile"]["kill_switch"]
        if not switch:
            return None
        env_values = {**env_values, switch["name"]: switch["off"]}
    when = datetime.now(UTC)
    release_id = tags.release_id(tags.tag_name(env, release.sha, when))
    folder = target.layout.release(release.id)
    # Under the environment the release recorded: the deployer's choice for a release of the
    # same lock, built then (ci/deploy/venvs.py).
    target.start_ahead(release_id, release.sha, env_values, folder, release.python)
    # Its tag is asked of git while that interpreter starts (it runs no code of the release
    # before go): a tag missing or moved refuses here, and the waiting bot goes with the lock.
    rollback.verified(chosen, root, env)
    return Started(target, when)
