"""The one small interface a deploy target implements (local today; SSH or a PaaS later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Release:
    id: str  # also the folder name on the local target
    sha: str
    env: str
    env_digest: dict[str, str] = field(default_factory=dict)  # names -> value hashes


@dataclass(frozen=True)
class Health:
    ok: bool
    network: str | None
    detail: str


class Target(Protocol):
    def prepare(self, release: Release, env_values: dict[str, str]) -> None:
        """Put the release's tree and environment in place, without touching what is live."""

    def activate(self, release_id: str) -> None:
        """Make `release_id` the live release and (re)start the bot on it."""

    def health(self) -> Health:
        """Ask the live bot whether it is healthy and which network it trades on."""

    def live(self) -> str | None:
        """The id of the live release, if any."""

    def releases(self) -> list[str]:
        """Prepared release ids, oldest first."""

    def remove(self, release_id: str) -> None:
        """Delete a release that is neither live nor a rollback target."""

    def restart(self) -> None:
        """Restart the live release with the current environment file."""
