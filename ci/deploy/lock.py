"""The deploy lock: one deploy, rollback, pause or restore per environment at a time.

An exclusive `flock(2)` on a file, held by an open descriptor for as long as the holder
runs: the kernel releases it when the holder exits, however it dies, so a dead process can
never hold it and there is no stale lock to recover (no race between recoverers). The file
also records who holds it, for the refusal message; that record is only informational.

A hook the holder runs under the lock inherits the descriptor (the caller passes it on):
the lock then stays held until the hook ends too, so a holder killed while its hook runs
lets no second deploy, and no second hook, start beside that hook. The refusal then names
the processes that still hold the file open.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ci.core import runtime
from ci.core.errors import RefusedError


class LockHeld(RefusedError):
    """Another deploy holds the lock."""


@dataclass(frozen=True)
class Held:
    fd: int  # the open descriptor that holds the lock
    record: dict[str, object]  # who holds it, as written to the file


@contextmanager
def deploy_lock(path: Path, *, sha: str, message: str) -> Iterator[Held]:
    """Hold the lock at `path` for the `with` block."""
    info: dict[str, object] = {
        "holder": f"{getpass.getuser()}@{socket.gethostname()}",
        "pid": os.getpid(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha": sha,
        "message": message,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(_held_by(_read(fd), path)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield Held(fd, info)
        finally:
            os.ftruncate(fd, 0)  # the record goes first, then the lock with the descriptor
    finally:
        os.close(fd)


def _read(fd: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(fd, 65536, 0) or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _held_by(holder: dict[str, object], path: Path) -> str:
    if not holder:
        return "another deploy holds the lock (it has not said who yet)"
    said = (
        f"another deploy holds the lock: {holder.get('holder')} (pid {holder.get('pid')}) "
        f"since {holder.get('since')}, deploying {str(holder.get('sha'))[:12]}: "
        f"{holder.get('message')}"
    )
    pid = holder.get("pid")
    if not isinstance(pid, int) or runtime.alive(pid):
        return said
    others = _holding(path)
    until = f"{said}; that process has exited, and the lock stays held until what it started "
    until += "under the lock ends (its pre_deploy hook, say)"
    if not others:
        return f"{until}, and no process this user may inspect has it open"
    return f"{until}: pid {', '.join(map(str, others))}"


def _holding(path: Path) -> list[int]:
    """The processes (of those this user may inspect, Linux's /proc) with `path` open,
    this one excepted."""
    target = str(path.resolve())
    found = []
    for fds in Path("/proc").glob("[0-9]*/fd"):
        pid = int(fds.parent.name)
        if pid == os.getpid():
            continue
        try:
            if any(str(fd.readlink()) == target for fd in fds.iterdir()):
                found.append(pid)
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return sorted(found)
