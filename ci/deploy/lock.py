"""The deploy lock: one deploy, rollback, pause or restore per environment at a time.

An exclusive `flock(2)` on a file, held by an open descriptor for as long as the holder
runs: the kernel releases it when the holder exits, however it dies, so a dead process can
never hold it and there is no stale lock to recover (no race between recoverers). The file
also records who holds it, for the refusal message; that record is only informational.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ci.core.errors import RefusedError


class LockHeld(RefusedError):
    """Another deploy holds the lock."""


@contextmanager
def deploy_lock(path: Path, *, sha: str, message: str) -> Iterator[dict[str, object]]:
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
            raise LockHeld(_held_by(_read(fd))) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield info
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


def _held_by(holder: dict[str, object]) -> str:
    if not holder:
        return "another deploy holds the lock (it has not said who yet)"
    return (
        f"another deploy holds the lock: {holder.get('holder')} (pid {holder.get('pid')}) "
        f"since {holder.get('since')}, deploying {str(holder.get('sha'))[:12]}: "
        f"{holder.get('message')}"
    )
