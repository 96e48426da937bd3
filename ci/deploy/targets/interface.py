"""The one interface a deploy target implements: everything the deployer asks of the place
where the bot lives. The deployer speaks only to this; how a target lays out releases,
state, backups, the lock and the deploy log is its own business.

Arguments and results are plain data (str, dict, list, bytes, these dataclasses), so a
target on another host can be driven through a pipe (see the `ssh` target).

Reading methods write nothing: `status` and `history` on a host where nothing was ever
deployed leave no trace.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ci.core.errors import CiError


class TargetError(CiError):
    """A target could not do what it was asked (the message says what, and what state it
    left)."""


@dataclass(frozen=True)
class Release:
    id: str  # also the deploy tag's last part: <UTC time>-<short sha>
    sha: str
    env: str
    env_digest: dict[str, str] = field(default_factory=dict)  # names -> value hashes
    # The interpreter the release runs under: its own environment, built from its lock
    # (`Target.environment`), or "" for the target's (the configured or deploying one).
    python: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        return cls(
            id=str(data["id"]),
            sha=str(data["sha"]),
            env=str(data["env"]),
            env_digest={str(k): str(v) for k, v in dict(data.get("env_digest", {})).items()},
            python=str(data.get("python") or ""),
        )


@dataclass(frozen=True)
class Interpreter:
    """The environment built on a target from one lock."""

    python: str  # its interpreter, the `{python}` of the releases built from that lock
    built: bool  # built now (else it was there, complete, and is shared)


@dataclass(frozen=True)
class Health:
    ok: bool
    network: str | None
    detail: str
    body: dict[str, Any] | None = None  # the health route's JSON, when it answered


@dataclass(frozen=True)
class Collected:
    """Where a target put what an incident snapshot needs (fetched from a remote host first)."""

    logs: Path | None
    deploy_log: Path | None


class Target(Protocol):
    # -- reading: never writes anything ------------------------------------------------
    def live(self) -> str | None:
        """The id of the live release, if any."""

    def releases(self) -> list[str]:
        """Prepared release ids, oldest first."""

    def release(self, release_id: str) -> Release | None:
        """What `release_id` is (SHA, environment digest), if it is still on the target."""

    def release_env(self, release_id: str) -> dict[str, str] | None:
        """The environment `release_id` runs with, if its env file is still there."""

    def history(self) -> list[dict[str, Any]]:
        """The deploy log: every attempt, oldest first."""

    def paused(self) -> str | None:
        """The kill switch's value from before a pause, or None when not paused."""

    def running(self) -> bool:
        """Whether the process this target started for the live release still runs."""

    def health(self) -> Health:
        """Wait until the live release's bot is healthy (or its time is up) and say so."""

    def backups(self) -> list[str]:
        """State backups (named by the release they were taken before), oldest first."""

    def collect(self, into: Path) -> Collected:
        """What an incident snapshot needs: the bot's logs and the deploy log."""

    # -- changing: the deployer holds the lock around these ------------------------------
    def lock(self, *, sha: str, message: str) -> AbstractContextManager[None]:
        """Hold the environment's deploy lock; refuse (LockHeld) naming the holder."""

    def lock_descriptor(self) -> int | None:
        """While this process holds the lock here: the open descriptor that holds it, for a
        command run under the lock (the pre_deploy hook) to inherit, so that the lock outlives
        a deployer killed while that command runs. None when not held, or held elsewhere
        (the `ssh` target: on the bot's host, by its agent)."""

    def record(self, outcome: str, **fields: Any) -> None:
        """Append an entry to the deploy log."""

    def environment(self, lock: dict[str, str]) -> Interpreter | None:
        """The environment a release built from `lock` (hash-locked requirement files: path
        in the repository -> content) runs under, built on the target now unless the one of
        the same lock and Python is there complete; refuses (CiError) when the lock does not
        install, leaving nothing. None: this target builds none, and runs every release
        under its own interpreter (the `ssh` target: the host's configured python)."""

    def prepare(
        self, release: Release, tree: bytes, env_values: dict[str, str], reuse: str | None = None
    ) -> None:
        """Put the release's tree (a tar) and env file in place without touching what is
        live. With `reuse`, the tree is that release's (same commit, already on the target:
        a rollback) and `tree` may be empty."""

    def write_env(self, release_id: str, env_values: dict[str, str]) -> None:
        """Replace a release's env file (mode 0600)."""

    def backup_state(self, release_id: str) -> None:
        """Copy the bot's state files aside, named for the release about to go live."""

    def restore_state(self, backup_id: str) -> None:
        """Put a state backup back (the bot is restarted by the caller)."""

    def activate(self, release_id: str) -> None:
        """Stop the running bot, make `release_id` live and start it; the port must be free
        before the new bot starts."""

    def restart(self) -> None:
        """Restart the live release with its env file."""

    def stop(self) -> None:
        """Stop the bot (nothing runs afterwards)."""

    def set_paused(self, before: str | None) -> None:
        """Remember the kill switch's value from before a pause; None clears it."""

    def remove(self, release_id: str) -> None:
        """Delete a release that is not live, with its env file (the env file at once; the
        folder may be deleted beside later calls, and is gone when the lock is let go, with
        the environments no remaining release runs under)."""

    # -- ending: the command is done with the target ---------------------------------------
    def close(self) -> None:
        """Let go of what the target holds open for the command (the ssh target's session,
        and the host's lock with it); nothing is asked of it afterwards."""
