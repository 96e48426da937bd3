"""The `local` target: the bot lives on the machine that runs this code, in the layout of
`ci.deploy.paths`. The `ssh` target runs this very class on the bot's host.

Standard library only: on a bot's host it needs nothing but Python 3.11+.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ci.core import runtime
from ci.deploy import envfile, journal
from ci.deploy.lock import deploy_lock
from ci.deploy.paths import Layout
from ci.deploy.targets.interface import Collected, Health, Interpreter, Release, TargetError

# Of the deployer's environment, the installer of a release's environment gets pip's own
# settings (an index or mirror, find-links), proxies and CA bundles, besides the basics.
_INSTALLER_ENV = (
    "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE",
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """What a target needs to know about one environment's bot: plain data, so the same spec
    can be sent to a deploy agent on another host."""

    env: str
    base: str  # the environment's folder on the host
    port: int
    command: list[str]  # the app's argv template: {python} and {port} are filled in
    health_path: str
    health_timeout: float
    state_files: list[str] = field(default_factory=list)
    status_path: str = ""  # a route that must answer 2xx too (the bot's state is readable)
    # The interpreter for {python} of a release that names none of its own ("" = the one
    # running this code).
    python: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Spec:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class _Ahead:
    """A release's bot started before its folder was ready, in an earlier release's folder
    of the same commit, and how it was started."""

    release_id: str
    child: subprocess.Popen[bytes]
    argv: list[str]
    env: dict[str, str]

    def waits_as(self, release_id: str, argv: list[str], env: dict[str, str]) -> bool:
        """Whether it still waits for go, started exactly as `release_id` starts now."""
        same = (self.release_id, self.argv, self.env) == (release_id, argv, env)
        return same and self.child.poll() is None


class LocalTarget:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.layout = Layout(Path(spec.base))
        self._removing: list[subprocess.Popen[bytes]] = []  # release folders being deleted
        self._ahead: _Ahead | None = None
        self._lock_fd: int | None = None  # the descriptor holding the deploy lock, if held

    # -- reading ---------------------------------------------------------------------
    def live(self) -> str | None:
        return self.layout.live_release()

    def releases(self) -> list[str]:
        if not self.layout.releases.is_dir():
            return []
        found = [
            p for p in self.layout.releases.iterdir() if p.is_dir() and not p.name.startswith(".")
        ]
        return [p.name for p in sorted(found, key=lambda p: p.name)]

    def release(self, release_id: str) -> Release | None:
        path = self.layout.release(release_id) / ".release.json"
        try:
            return Release.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def release_env(self, release_id: str) -> dict[str, str] | None:
        path = self.layout.env_file(release_id)
        try:
            return envfile.read(path)
        except OSError:
            return None

    def history(self) -> list[dict[str, Any]]:
        return journal.entries(self.layout.deploy_log)

    def paused(self) -> str | None:
        try:
            return self.layout.paused.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TargetError(f"{self.layout.paused}: cannot read it: {exc.strerror}") from None

    def running(self) -> bool:
        pid = self._pid()
        return pid is not None and runtime.alive(pid)

    def health(self) -> Health:
        pid = self._pid()
        if pid is None or not runtime.alive(pid):
            return Health(False, None, "the bot is not running")
        url = f"http://127.0.0.1:{self.spec.port}{self.spec.health_path}"
        answer = runtime.wait_healthy(
            url, timeout=self.spec.health_timeout, running=lambda: runtime.alive(pid)
        )
        if not answer.ok:
            gone = not runtime.alive(pid)
            return Health(False, None, "the bot exited" if gone else answer.detail)
        body = answer.body or {}
        if runtime.group_listens(pid, self.spec.port) is False:
            return Health(
                False,
                None,
                f"port {self.spec.port} answers, but not from the bot this target started "
                f"(pid {pid}): another process holds it",
            )
        if self.spec.status_path:
            status_url = f"http://127.0.0.1:{self.spec.port}{self.spec.status_path}"
            status = runtime.get_status(status_url)
            if not 200 <= status < 300:
                why = f"{self.spec.status_path} answered {status or 'nothing'}"
                return Health(False, None, f"healthy, but {why}: its state may be broken")
        network = body.get("network")
        return Health(True, str(network) if network is not None else None, "healthy", body)

    def backups(self) -> list[str]:
        if not self.layout.backups.is_dir():
            return []
        return sorted(p.name for p in self.layout.backups.iterdir() if p.is_dir())

    def collect(self, into: Path) -> Collected:
        del into  # everything is already on this machine
        logs = self.layout.logs if self.layout.logs.is_dir() else None
        log = self.layout.deploy_log if self.layout.deploy_log.is_file() else None
        return Collected(logs=logs, deploy_log=log)

    # -- changing ----------------------------------------------------------------------
    @contextmanager
    def lock(self, *, sha: str, message: str) -> Iterator[None]:
        """The deploy lock; taken again by its holder (a rollback took it before its bot
        started early, `ci.deploy.early`), it stays held until the first taking ends."""
        if self._lock_fd is not None:
            yield
            return
        self._create()
        with deploy_lock(self.layout.lock, sha=sha, message=message) as held:
            self._lock_fd = held.fd
            try:
                yield
            finally:
                self._lock_fd = None
                self._drop_ahead()
                self._removed()

    def lock_descriptor(self) -> int | None:
        return self._lock_fd

    def record(self, outcome: str, **fields: Any) -> None:
        self._create()
        journal.record(self.layout.deploy_log, outcome, **fields)

    def environment(self, lock: dict[str, str]) -> Interpreter | None:
        # Here: the build needs the pipeline's pip, which the deploy agent on an ssh host
        # neither has nor is asked for (its target builds nothing).
        from ci.deploy import venvs

        self._create()
        # The installer runs without the deploy's secrets or tokens (a package's build runs its
        # code): pip's own settings (an index or mirror, find-links), proxies and CA bundles.
        env = runtime.trimmed_env(_INSTALLER_ENV, prefixes=("PIP_",))
        python, built = venvs.ensure(self.layout.venvs, lock, env)
        return Interpreter(python, built)

    def prepare(
        self, release: Release, tree: bytes, env_values: dict[str, str], reuse: str | None = None
    ) -> None:
        self._create()
        self.write_env(release.id, env_values)
        target = self.layout.release(release.id)
        if target.exists():
            return  # the same release prepared before: its tree is immutable
        staging = self.layout.releases / f".{release.id}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            source = self.release(reuse) if reuse else None
            if source is not None and source.sha == release.sha:
                # The same commit is here already: its bot starts (waiting for go) in that
                # folder while the new one is made of hard links, not a second extraction.
                written = envfile.read(self.layout.env_file(release.id))
                folder = self.layout.release(source.id)
                self.start_ahead(release.id, release.sha, written, folder, release.python)
                shutil.copytree(folder, staging, copy_function=os.link)
            else:
                import io  # here: a rollback reuses a release and extracts nothing
                import tarfile

                staging.mkdir(parents=True)
                with tarfile.open(fileobj=io.BytesIO(tree)) as tar:
                    tar.extractall(staging, filter="data")
            meta = json.dumps(release.to_dict(), indent=2)
            (staging / ".release.json").unlink(missing_ok=True)  # never write through a link
            (staging / ".release.json").write_text(meta, encoding="utf-8")
            staging.rename(target)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise TargetError(
                f"cannot prepare release {release.id} in {self.layout.releases}: "
                f"{exc.strerror or exc}; nothing live was touched"
            ) from None

    def write_env(self, release_id: str, env_values: dict[str, str]) -> None:
        try:
            envfile.write(self.layout.env_file(release_id), env_values)
        except OSError as exc:
            raise TargetError(
                f"cannot write the environment of {release_id}: {exc.strerror or exc}"
            ) from None

    def backup_state(self, release_id: str) -> None:
        backup = self.layout.backups / release_id
        backup.mkdir(parents=True, exist_ok=True)
        for name in self.spec.state_files:
            source = self.layout.state / name
            if source.is_file():
                shutil.copy2(source, backup / name)

    def restore_state(self, backup_id: str) -> None:
        chosen = self.layout.backups / backup_id
        if backup_id not in self.backups():
            raise TargetError(f"no state backup {backup_id} for {self.spec.env}")
        for file in chosen.iterdir():
            shutil.copy2(file, self.layout.state / file.name)

    def activate(self, release_id: str) -> None:
        release = self.layout.release(release_id)
        if not release.is_dir():
            raise TargetError(f"release {release_id} is not on this target")
        with self._replacing(release):
            if runtime.port_in_use(self.spec.port):
                raise TargetError(
                    f"port {self.spec.port} is still in use after the bot stopped: another "
                    "process holds it, so a health check could not tell our bot from it"
                )
            link = self.layout.current.with_name(".current.tmp")
            link.unlink(missing_ok=True)
            link.symlink_to(release)
            link.replace(self.layout.current)  # rename(2): atomic switch

    def restart(self) -> None:
        with self._replacing(self.layout.current.resolve()):
            pass

    @contextmanager
    def _replacing(self, release: Path) -> Iterator[None]:
        """Replace the running bot by `release`'s, with what the body does in between.

        The new bot's interpreter starts and imports its libraries while the old bot stops;
        it builds the app and binds the port only on `go`, given once the old bot's process
        group is gone (and the body, e.g. the port check and the switch, went through):
        never two bots that can trade. If anything fails first, the waiting bot is stopped."""
        waiting = self._waiting_for(release)
        try:
            self.stop()
            yield
        except BaseException:
            if waiting is not None:
                runtime.stop_child(waiting)
            raise
        if waiting is None:
            self._start()
            return
        self.layout.pid_file.write_text(str(waiting.pid), encoding="utf-8")
        runtime.go(waiting, release)

    def stop(self) -> None:
        pid = self._pid()
        if pid is not None:
            runtime.stop_group(pid)
        self.layout.pid_file.unlink(missing_ok=True)

    def set_paused(self, before: str | None) -> None:
        if before is None:
            self.layout.paused.unlink(missing_ok=True)
            return
        self._create()
        self.layout.paused.write_text(before, encoding="utf-8")

    def remove(self, release_id: str) -> None:
        """The release's env file goes now; its folder leaves the releases at once (a rename)
        and is deleted beside what the deploy does next, finished before the lock is let go.

        By `rm -rf`, a process of its own: a thread of ours deleting a release's hundreds of
        files got the interpreter lock only between the deploy's own steps, and the command
        waited for it once its bot was healthy (0.1 to 0.7 s here, more the busier the
        machine)."""
        if release_id == self.live():
            raise TargetError(f"refusing to delete the live release {release_id}")
        self.layout.env_file(release_id).unlink(missing_ok=True)
        leaving = self.layout.releases / f".{release_id}.removing"
        try:
            self.layout.release(release_id).rename(leaving)
        except FileNotFoundError:
            return
        except OSError:
            leaving = self.layout.release(release_id)  # cannot move it: delete it where it is
        try:
            deleting = subprocess.Popen(
                ["rm", "-rf", "--", str(leaving)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError:  # no `rm` here: this process deletes it, now
            shutil.rmtree(leaving, ignore_errors=True)
            return
        self._removing.append(deleting)

    def _removed(self) -> None:
        """Wait for the folders `remove` is deleting (and sweep what it could not delete, or a
        killed deploy left), then remove the environments no remaining release runs under."""
        while self._removing:
            self._removing.pop().wait()
        if self.layout.releases.is_dir():
            for left in self.layout.releases.glob(".*.removing"):
                shutil.rmtree(left, ignore_errors=True)
        if self.layout.venvs.is_dir():
            from ci.deploy import venvs  # here: only a target with environments has them

            used = (self.release(r) for r in self.releases())
            names = (venvs.name_of(self.layout.venvs, r.python) for r in used if r is not None)
            with contextlib.suppress(OSError):  # the next lock's end sweeps again
                venvs.sweep(self.layout.venvs, {n for n in names if n})

    def close(self) -> None:
        """Nothing stays open between calls: the lock is let go where it is taken."""

    # -- inside ------------------------------------------------------------------------
    def _create(self) -> None:
        try:
            self.layout.create()
        except OSError as exc:
            raise TargetError(f"cannot use {self.layout.base}: {exc.strerror or exc}") from None

    def _pid(self) -> int | None:
        try:
            return int(self.layout.pid_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def _start(self) -> None:
        release = self.layout.current.resolve()
        argv, env = self._command(release)
        child = runtime.start(argv, cwd=release, env=env, log_path=self.layout.logs / "bot.log")
        self.layout.pid_file.write_text(str(child.pid), encoding="utf-8")

    def start_ahead(
        self,
        release_id: str,
        sha: str,
        env_values: dict[str, str],
        folder: Path,
        python: str = "",
    ) -> None:
        """Start the bot of release `release_id` (commit `sha`, run under `python`, "" for
        the target's) in `folder` (the same commit's files), waiting for go, as it will be
        started once its own folder is ready with `env_values` in its env file. A bot already
        waiting that was started exactly so is kept; any other is stopped first."""
        argv, env = self._command_of(sha, env_values, python)
        if self._ahead is not None and self._ahead.waits_as(release_id, argv, env):
            return
        self._drop_ahead()
        child = self._prestart(folder, argv, env)
        if child is not None:
            self._ahead = _Ahead(release_id, child, argv, env)

    def _waiting_for(self, release: Path) -> subprocess.Popen[bytes] | None:
        """The bot started ahead for `release`, when it was started exactly as the release
        starts now and still waits; else one prestarted in the release's folder now."""
        ahead, self._ahead = self._ahead, None
        argv, env = self._command(release)
        if ahead is not None:
            if ahead.waits_as(release.name, argv, env):
                return ahead.child
            runtime.stop_child(ahead.child)
        return self._prestart(release, argv, env)

    def _drop_ahead(self) -> None:
        """Stop a bot started ahead that no switch used (the deploy failed before it)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            runtime.stop_child(ahead.child)

    def _prestart(
        self, folder: Path, argv: list[str], env: dict[str, str]
    ) -> subprocess.Popen[bytes] | None:
        """The bot, waiting for `runtime.go`; None when its command is not `{python} -m
        ...` or it cannot start now (it is then started cold, after the stop, and fails
        there as it always did)."""
        if self.spec.command[:2] != ["{python}", "-m"]:
            return None
        try:
            return runtime.prestart(
                argv, cwd=folder, env=env, log_path=self.layout.logs / "bot.log"
            )
        except (OSError, ValueError):
            return None

    def _command(self, release: Path) -> tuple[list[str], dict[str, str]]:
        """The bot's argv and environment for a release folder."""
        meta = self.release(release.name)
        env_values = envfile.read(self.layout.env_file(release.name))
        return self._command_of(meta.sha if meta else "", env_values, meta.python if meta else "")

    def _command_of(
        self, sha: str, env_values: dict[str, str], python: str
    ) -> tuple[list[str], dict[str, str]]:
        """The argv and environment of commit `sha`'s bot with `env_values` as its env file,
        under `python` (its release's own; "" for the target's)."""
        env = {
            **runtime.trimmed_env(),  # the rest comes from the release's env file
            **env_values,
            "STATE_DIR": str(self.layout.state),
            "BOT_VERSION": sha,
        }
        python = python or self.spec.python or sys.executable
        return runtime.app_command(self.spec.command, port=self.spec.port, python=python), env
