"""The deploy lock: one deploy per environment at a time.

Taken with an atomic `mkdir` (never test-then-write); it records holder, pid, time,
SHA and message. A lock whose process is gone is stale and is recovered by renaming
it away first, so two recoverers cannot both win.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ci.core.errors import RefusedError

_INFO = "holder.json"


class LockHeld(RefusedError):
    """Another deploy holds the lock."""


@contextmanager
def deploy_lock(path: Path, *, sha: str, message: str) -> Iterator[dict[str, object]]:
    info = {
        "holder": f"{getpass.getuser()}@{socket.gethostname()}",
        "pid": os.getpid(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha": sha,
        "message": message,
    }
    _acquire(path, info)
    try:
        yield info
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _acquire(path: Path, info: dict[str, object]) -> None:
    for _ in range(2):
        try:
            path.mkdir(parents=True)
        except FileExistsError:
            holder = read(path)
            if holder is not None and _alive(holder.get("pid")):
                raise LockHeld(_held_by(holder)) from None
            _recover(path)
            continue
        (path / _INFO).write_text(json.dumps(info), encoding="utf-8")
        return
    raise LockHeld(f"{path}: could not take the deploy lock")


def _held_by(holder: dict[str, object]) -> str:
    return (
        f"another deploy holds the lock: {holder.get('holder')} (pid {holder.get('pid')}) "
        f"since {holder.get('since')}, deploying {str(holder.get('sha'))[:12]}: "
        f"{holder.get('message')}"
    )


def read(path: Path) -> dict[str, object] | None:
    for _ in range(20):  # the holder writes its info right after mkdir
        try:
            data = json.loads((path / _INFO).read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else None
        except FileNotFoundError:
            if not path.exists():
                return None
            time.sleep(0.05)
        except ValueError:
            return None
    return None


def _recover(path: Path) -> None:
    stale = path.with_name(f"{path.name}.stale-{os.getpid()}-{time.monotonic_ns()}")
    try:
        path.rename(stale)
    except FileNotFoundError:
        return  # someone else recovered it first
    shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
