"""Where one environment lives on a host, Capistrano-style (the `local` target's layout; the
`ssh` target runs the same code on the bot's host).

<base>/releases/<id>/         one tree per deploy (git archive of the SHA) + .release.json
<base>/venvs/<key>            the environment releases built from one lock run under (a link
                              to the complete build; ci/deploy/venvs.py)
<base>/current                symlink to the live release, switched atomically
<base>/shared/env/<id>.env    each release's environment file (mode 0600), never in a release
<base>/shared/state/          the bot's JSON state (STATE_DIR)
<base>/shared/backups/<id>/   state snapshots, taken before <id> went live
<base>/shared/logs/           the bot's output
<base>/shared/bot.pid         the bot's process (group) id
<base>/shared/paused          present while paused: the kill switch's value from before
<base>/shared/agent-spec.json how the live bot was started (the operations agent's only spec)
<base>/deploy.lock            flock(2)-held while a deploy, rollback, pause or restore runs
<base>/deploy-log.jsonl       append-only record of every attempt
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    base: Path

    @property
    def releases(self) -> Path:
        return self.base / "releases"

    def release(self, release_id: str) -> Path:
        return self.releases / release_id

    @property
    def venvs(self) -> Path:
        return self.base / "venvs"

    @property
    def current(self) -> Path:
        return self.base / "current"

    @property
    def shared(self) -> Path:
        return self.base / "shared"

    @property
    def agent_spec(self) -> Path:
        return self.shared / "agent-spec.json"

    def env_file(self, release_id: str) -> Path:
        return self.shared / "env" / f"{release_id}.env"

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
    def paused(self) -> Path:
        return self.shared / "paused"

    @property
    def lock(self) -> Path:
        return self.base / "deploy.lock"

    @property
    def deploy_log(self) -> Path:
        return self.base / "deploy-log.jsonl"

    def create(self) -> None:
        """Make the folders a deploy writes to; shared/ and its env files stay private."""
        for folder in (self.releases, self.state, self.backups, self.logs, self.shared / "env"):
            folder.mkdir(parents=True, exist_ok=True)
        self.shared.chmod(0o700)
        (self.shared / "env").chmod(0o700)

    def live_release(self) -> str | None:
        """The id of the release `current` points at, if any."""
        if not self.current.is_symlink():
            return None
        return self.current.readlink().name
