"""The embedded default target: deploys on this host, Capistrano-style (see ci/deploy/paths)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import httpx

from ci.core.config import Config
from ci.core.errors import CiError
from ci.deploy import envfile
from ci.deploy.paths import Layout
from ci.deploy.targets.interface import Health, Release
from ci.gates.smoke_probe import app_command

_STOP_GRACE_SECONDS = 10.0


class LocalTarget:
    def __init__(self, root: Path, config: Config, env: str, layout: Layout) -> None:
        self.root = root
        self.config = config
        self.env = env
        self.layout = layout
        layout.create()

    @property
    def port(self) -> int:
        try:
            return self.config.deploy.ports[self.env]
        except KeyError:
            raise CiError(f"no port for {self.env!r} in [tool.bottie.deploy] ports") from None

    # -- releases ----------------------------------------------------------------------
    def prepare(self, release: Release, env_values: dict[str, str]) -> None:
        envfile.write(self.layout.env_file(release.id), env_values)
        target = self.layout.releases / release.id
        if target.exists():
            return  # the same release prepared before: its tree is immutable
        staging = self.layout.releases / f".{release.id}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        self._extract(release.sha, staging)
        meta = {
            "id": release.id,
            "sha": release.sha,
            "env": release.env,
            "env_digest": release.env_digest,
        }
        (staging / ".release.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        staging.rename(target)

    def _extract(self, sha: str, into: Path) -> None:
        # git archive again as bytes: ProcResult holds text, and a tree may hold binaries.
        data = subprocess.run(
            ["git", "archive", "--format=tar", sha],
            cwd=self.root,
            capture_output=True,
            check=True,
            timeout=300,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(into, filter="data")

    def release_meta(self, release_id: str) -> dict[str, object]:
        path = self.layout.releases / release_id / ".release.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}

    def releases(self) -> list[str]:
        found = [
            p for p in self.layout.releases.iterdir() if p.is_dir() and not p.name.startswith(".")
        ]
        return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]

    def remove(self, release_id: str) -> None:
        if release_id == self.live():
            raise CiError(f"refusing to delete the live release {release_id}")
        shutil.rmtree(self.layout.releases / release_id, ignore_errors=True)

    def live(self) -> str | None:
        return self.layout.live_release()

    # -- the process ---------------------------------------------------------------------
    def activate(self, release_id: str) -> None:
        self._stop()
        link = self.layout.current.with_name(".current.tmp")
        link.unlink(missing_ok=True)
        link.symlink_to(self.layout.releases / release_id)
        link.replace(self.layout.current)  # rename(2): atomic switch
        self._start()

    def restart(self) -> None:
        self._stop()
        self._start()

    def _start(self) -> None:
        release = self.layout.current.resolve()
        meta = self.release_meta(release.name)
        env = {
            **_base_env(),
            **envfile.read(self.layout.env_file(release.name)),
            "STATE_DIR": str(self.layout.state),
            "BOT_VERSION": str(meta.get("sha", "")),
        }
        command = app_command(self.config.app, port=self.port, python=sys.executable)
        log = (self.layout.logs / "bot.log").open("ab")
        with log:
            child = subprocess.Popen(
                command,
                cwd=release,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.layout.pid_file.write_text(str(child.pid), encoding="utf-8")

    def _stop(self) -> None:
        try:
            pid = int(self.layout.pid_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(pid, sig)
            except ProcessLookupError:
                break
            if _wait_gone(pid, _STOP_GRACE_SECONDS):
                break
        self.layout.pid_file.unlink(missing_ok=True)

    def health(self) -> Health:
        url = f"http://127.0.0.1:{self.port}{self.config.app.health_path}"
        deadline = time.monotonic() + self.config.deploy.health_timeout
        last = "no answer"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.running():
                    return Health(False, None, "the bot exited")
                try:
                    response = client.get(url)
                    if response.status_code == 200:
                        network = response.json().get("network")
                        return Health(True, network, f"healthy on {network}")
                    last = f"health answered {response.status_code}"
                except (httpx.HTTPError, ValueError) as exc:
                    last = type(exc).__name__
                time.sleep(0.1)
        return Health(
            False, None, f"not healthy after {self.config.deploy.health_timeout:g}s ({last})"
        )

    def running(self) -> bool:
        try:
            pid = int(self.layout.pid_file.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return False
        return not _wait_gone(pid, 0)


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR")
    return {k: v for k, v in os.environ.items() if k in keep}


def _wait_gone(pid: int, timeout: float) -> bool:
    """True once `pid` has exited (reaping it if it is our child)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return True
        except ChildProcessError:
            pass  # not our child: started by an earlier deploy
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
