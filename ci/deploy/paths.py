"""Where one environment lives on the local target (Capistrano-style).

<root>/<env>/releases/<id>/     one tree per deploy (git archive of the SHA)
<root>/<env>/current            symlink to the live release, switched atomically
<root>/<env>/shared/bot.env     the environment file (mode 0600), never in a release
<root>/<env>/shared/state/      the bot's JSON state (STATE_DIR)
<root>/<env>/shared/backups/    state snapshots, one folder per release
<root>/<env>/shared/logs/       the bot's output
<root>/<env>/deploy.lock/       held while a deploy runs
<root>/<env>/deploy-log.jsonl   append-only record of every attempt
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ci.core.config import Config

ROOT_ENV = "BOTTIE_DEPLOY_ROOT"


@dataclass(frozen=True)
class Layout:
    base: Path

    @property
    def releases(self) -> Path:
        return self.base / "releases"

    @property
    def current(self) -> Path:
        return self.base / "current"

    @property
    def shared(self) -> Path:
        return self.base / "shared"

    def env_file(self, release_id: str) -> Path:
        return self.shared / "env" / f"{release_id}.env"

    def live_env_file(self) -> Path | None:
        live = self.live_release()
        return self.env_file(live) if live else None

    @property
    def state(self) -> Path:
        return self.shared / "state"

    @property
    def backups(self) -> Path:
        return self.shared / "backups"

    @property
    def logs(self) -> Path:
        return self.shared / "logs"

    @property
    def pid_file(self) -> Path:
        return self.shared / "bot.pid"

    @property
    def lock(self) -> Path:
        return self.base / "deploy.lock"

    @property
    def deploy_log(self) -> Path:
        return self.base / "deploy-log.jsonl"

    def create(self) -> None:
        for folder in (self.releases, self.state, self.backups, self.logs, self.shared / "env"):
            folder.mkdir(parents=True, exist_ok=True)
        self.shared.chmod(0o700)
        (self.shared / "env").chmod(0o700)

    def live_release(self) -> str | None:
        """The id of the release `current` points at, if any."""
        if not self.current.is_symlink():
            return None
        return self.current.readlink().name


def for_environment(config: Config, env: str) -> Layout:
    root = os.environ.get(ROOT_ENV) or config.deploy.root
    return Layout(Path(root).expanduser().resolve() / env)
