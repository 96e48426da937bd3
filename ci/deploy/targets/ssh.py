"""The `ssh` target: the bot lives on its own host (a VPS), which is the single source of
truth for its releases, lock, deploy log, state backups and env files. This class only
forwards each `Target` call to the deploy agent on the host (`ci.deploy.agent`, which runs
`LocalTarget` there) through one SSH session for the whole command (`ssh_session.py`).

The lock is the agent's flock on the host, held while the session lives: a runner that dies
or loses the connection lets go of it with the agent. A session lost after the switch is
undone on the host (the agent puts back what was live when the lock was taken).
"""

from __future__ import annotations

import atexit
import base64
import io
import tarfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ci.core.errors import ConfigError
from ci.deploy.targets.interface import Collected, Health, Interpreter, Release
from ci.deploy.targets.local import Spec
from ci.deploy.targets.ssh_session import Session, SshSettings

HOST_ENV = "BOTTIE_SSH_HOST"
PORT_ENV = "BOTTIE_SSH_PORT"
USER_ENV = "BOTTIE_SSH_USER"
KEY_ENV = "BOTTIE_SSH_KEY"
KNOWN_HOSTS_ENV = "BOTTIE_SSH_KNOWN_HOSTS"
SECRETS = (KEY_ENV,)
VARIABLES = (HOST_ENV, PORT_ENV, USER_ENV, KNOWN_HOSTS_ENV)


def settings_from(
    host: str,
    port: int,
    user: str,
    known_hosts: str,
    python: str,
    connect_timeout: float,
    environ: Mapping[str, str],
) -> SshSettings:
    """The session's settings: the environment (GitHub environment secrets and variables)
    first, `[tool.bottie.deploy.ssh]` second; one line names whatever is missing."""
    host = environ.get(HOST_ENV) or host
    user = environ.get(USER_ENV) or user
    known_hosts = environ.get(KNOWN_HOSTS_ENV) or known_hosts
    key = environ.get(KEY_ENV, "")
    raw_port = environ.get(PORT_ENV, "")
    if raw_port:
        if not raw_port.isdigit() or not 1 <= int(raw_port) <= 65535:
            raise ConfigError(f"{PORT_ENV} is not a port number")
        port = int(raw_port)
    for value, name, where in (
        (host, HOST_ENV, "host"),
        (user, USER_ENV, "user"),
        (known_hosts, KNOWN_HOSTS_ENV, "known_hosts"),
    ):
        if not value.strip():
            raise ConfigError(
                f"the ssh target has no {where}: set {name} or [tool.bottie.deploy.ssh] {where}"
            )
    if not key.strip():
        raise ConfigError(f"the ssh target needs the private key in {KEY_ENV} (a secret)")
    return SshSettings(host, port, user, key, known_hosts, python, connect_timeout)


class SshTarget:
    def __init__(
        self, spec: Spec, settings: SshSettings, environ: Mapping[str, str] | None = None
    ) -> None:
        self.spec = spec
        self.session = Session(settings, spec.to_dict(), dict(environ or {}))
        self.locked = False
        self.switched = False
        atexit.register(self.close)  # for a caller that never closes it

    def close(self) -> None:
        """End the session now: the agent lets go of the host's lock, and the private
        folder goes. The commands close their target when they end, so a caller that runs
        several commands in one process (tests, a library user) holds no session between
        them."""
        atexit.unregister(self.close)
        self.session.close()

    def _call(self, name: str, **args: Any) -> Any:
        return self.session.call(name, args, when_lost=self._state())

    def _state(self) -> str:
        """What a lost session left behind, for the one line the user reads."""
        if not self.locked:
            return "; nothing was changed"
        if not self.switched:
            return (
                "; nothing live was touched, and the host let go of the deploy lock when the "
                "agent's session ended"
            )
        return (
            ", after the switch: the host puts back the release that was live before (a "
            "switch its session did not confirm is undone), and lets go of the deploy lock; "
            f"check with `python -m ci status {self.spec.env}`"
        )

    # -- reading ---------------------------------------------------------------------
    def live(self) -> str | None:
        found = self._call("live")
        return None if found is None else str(found)

    def releases(self) -> list[str]:
        return [str(r) for r in self._call("releases")]

    def release(self, release_id: str) -> Release | None:
        found = self._call("release", release_id=release_id)
        return None if found is None else Release.from_dict(found)

    def release_env(self, release_id: str) -> dict[str, str] | None:
        found = self._call("release_env", release_id=release_id)
        return None if found is None else {str(k): str(v) for k, v in found.items()}

    def history(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self._call("history")]

    def paused(self) -> str | None:
        found = self._call("paused")
        return None if found is None else str(found)

    def running(self) -> bool:
        return bool(self._call("running"))

    def health(self) -> Health:
        found = self._call("health")
        return Health(
            ok=bool(found["ok"]),
            network=found.get("network"),
            detail=str(found["detail"]),
            body=found.get("body"),
        )

    def backups(self) -> list[str]:
        return [str(b) for b in self._call("backups")]

    def collect(self, into: Path) -> Collected:
        archive = base64.b64decode(self._call("collect"))
        into.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
        logs, log = into / "logs", into / "deploy-log.jsonl"
        return Collected(
            logs=logs if logs.is_dir() else None, deploy_log=log if log.is_file() else None
        )

    # -- changing ----------------------------------------------------------------------
    @contextmanager
    def lock(self, *, sha: str, message: str) -> Iterator[None]:
        self._call("lock", sha=sha, message=message)
        self.locked, self.switched = True, False
        try:
            yield
        finally:
            if self.session.lost is None:
                self._call("unlock")
            self.locked = self.switched = False

    def lock_descriptor(self) -> int | None:
        """None: the lock is the agent's, on the host, and cannot be handed to a hook that
        runs here. A deploy killed while its hook runs frees the host's lock with its session;
        the hook may run on here until it ends (on GitHub, until the job does)."""
        return None

    def record(self, outcome: str, **fields: Any) -> None:
        self._call("record", outcome=outcome, **fields)

    def environment(self, lock: dict[str, str]) -> Interpreter | None:
        """None: every release runs under the host's `[tool.bottie.deploy.ssh] python`, an
        environment the operator keeps there (building one on the host needs a pip there)."""
        del lock
        return None

    def prepare(
        self, release: Release, tree: bytes, env_values: dict[str, str], reuse: str | None = None
    ) -> None:
        encoded = base64.b64encode(tree).decode("ascii")
        extra = {"reuse": reuse} if reuse else {}  # a release already on the host (rollback)
        self._call(
            "prepare", release=release.to_dict(), tree=encoded, env_values=env_values, **extra
        )

    def write_env(self, release_id: str, env_values: dict[str, str]) -> None:
        self._call("write_env", release_id=release_id, env_values=env_values)

    def backup_state(self, release_id: str) -> None:
        self._call("backup_state", release_id=release_id)

    def restore_state(self, backup_id: str) -> None:
        self._call("restore_state", backup_id=backup_id)

    def activate(self, release_id: str) -> None:
        self.switched = self.switched or self.locked
        self._call("activate", release_id=release_id)

    def restart(self) -> None:
        self._call("restart")

    def stop(self) -> None:
        self._call("stop")

    def set_paused(self, before: str | None) -> None:
        self._call("set_paused", before=before)

    def remove(self, release_id: str) -> None:
        self._call("remove", release_id=release_id)
