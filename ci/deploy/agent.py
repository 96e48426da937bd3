"""The deploy agent: `LocalTarget` served as JSON lines over stdin/stdout, on the bot's host.

The `ssh` target ships this module and the few it imports (standard library only, listed in
`MODULES`) to the host as a zipapp inside the SSH session, and drives it through the pipe:
the host keeps the layout, lock, deploy log, backups and env files; there is one
implementation of them, `LocalTarget`.

The protocol, one JSON object per line:
  client → agent   {"spec": {...}}                     once, first
  agent → client   {"hello": {"python": "3.11.9", ...}}
  client → agent   {"call": NAME, "args": {...}}        then any number of these
  agent → client   {"ok": RESULT} | {"error": {"kind": ..., "message": ...}}

Secrets (env values) travel only in these lines, never on a command line or in the agent's
environment. `lock` takes the environment's flock and holds it until `unlock` or until the
agent exits: one session per command, so the lock dies with the connection. A session lost
while it holds the lock, after it switched releases, puts back the release that was live
when it took the lock: a switch nobody confirmed healthy does not stay live.
"""

from __future__ import annotations

import base64
import io
import json
import os
import socket
import sys
import tarfile
import zipfile
from contextlib import ExitStack
from dataclasses import asdict, replace
from pathlib import Path
from typing import IO, Any

from ci.core.errors import RefusedError
from ci.deploy.lock import LockHeld
from ci.deploy.targets.interface import Release, TargetError
from ci.deploy.targets.local import LocalTarget, Spec

# The agent's import closure, relative to the folder holding `ci/`: stdlib-only modules.
MODULES = (
    "ci/__init__.py",
    "ci/core/__init__.py",
    "ci/core/errors.py",
    "ci/core/launcher.py",
    "ci/core/runtime.py",
    "ci/core/sockdiag.py",
    "ci/deploy/__init__.py",
    "ci/deploy/agent.py",
    "ci/deploy/agent_main.py",
    "ci/deploy/ops_agent.py",
    "ci/deploy/envfile.py",
    "ci/deploy/journal.py",
    "ci/deploy/lock.py",
    "ci/deploy/paths.py",
    "ci/deploy/venvs.py",  # a target's lock end sweeps environments (none on an ssh host)
    "ci/deploy/targets/__init__.py",
    "ci/deploy/targets/interface.py",
    "ci/deploy/targets/local.py",
)
MAIN = "import sys\nfrom ci.deploy.agent_main import main\nsys.exit(main(sys.argv[1:]))\n"
# Every member gets the same time and mode: the same code is the same bytes, whenever it was
# built, so an operator can compare the agent on the host with a fresh `ops-agent` by checksum.
_MEMBER_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_MEMBER_MODE = 0o644 << 16


def bundle() -> bytes:
    """The agent as a zipapp, built from the installed `ci` package's own files; the same
    files give the same bytes."""
    root = Path(__file__).resolve().parents[2]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in MODULES:
            archive.writestr(_member(name), (root / name).read_bytes())
        archive.writestr(_member("__main__.py"), MAIN)
    return buffer.getvalue()


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_MEMBER_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = _MEMBER_MODE
    return info


class SessionLost(Exception):
    """The client is gone: stdin closed, stdout broken, or SIGHUP."""


class Agent:
    def __init__(self, target: LocalTarget) -> None:
        self.target = target
        self.held = ExitStack()
        self.live_at_lock: str | None = None
        self.locked = False
        self.switched = False

    def serve(self, requests: IO[bytes], replies: IO[bytes]) -> None:
        """Answer requests until the client says `unlock` and goes, or the session is lost."""
        try:
            for line in requests:
                request = json.loads(line)
                send(replies, self.answer(str(request["call"]), dict(request.get("args", {}))))
        except (ValueError, KeyError, TypeError, OSError, SessionLost):
            pass  # a torn line, a broken pipe or a hang-up: the client is gone
        finally:
            self.abandon()

    def answer(self, call: str, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"ok": self.dispatch(call, args)}
        except LockHeld as exc:
            return {"error": {"kind": "LockHeld", "message": str(exc)}}
        except RefusedError as exc:
            return {"error": {"kind": "Refused", "message": str(exc)}}
        except TargetError as exc:
            return {"error": {"kind": "TargetError", "message": str(exc)}}
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            message = f"{call}: {where}{exc.strerror or exc}"
            return {"error": {"kind": "TargetError", "message": message}}
        except Exception as exc:
            message = f"{call}: {type(exc).__name__}: {exc}"
            return {"error": {"kind": "TargetError", "message": message}}

    def dispatch(self, call: str, args: dict[str, Any]) -> Any:
        t = self.target
        if call == "lock":
            self.held.enter_context(t.lock(sha=str(args["sha"]), message=str(args["message"])))
            self.locked, self.switched, self.live_at_lock = True, False, t.live()
            return None
        if call == "unlock":
            self.locked = False
            self.held.close()
            return None
        if call == "prepare":
            tree = base64.b64decode(args["tree"])
            extra = {"reuse": str(args["reuse"])} if args.get("reuse") else {}
            t.prepare(Release.from_dict(args["release"]), tree, dict(args["env_values"]), **extra)
            return None
        if call == "activate":
            self.switched = self.switched or self.locked
            t.activate(str(args["release_id"]))
            pin_spec(t)
            return None
        if call == "release":
            found = t.release(str(args["release_id"]))
            return found.to_dict() if found else None
        if call == "health":
            return asdict(t.health())
        if call == "collect":
            return _collected(t)
        if call in _PLAIN:
            return getattr(t, call)(**args)
        raise TargetError(f"the deploy agent does not know {call!r}")

    def abandon(self) -> None:
        """The session ended: undo an unconfirmed switch, then let the lock go."""
        try:
            if self.locked and self.switched and self.target.live() != self.live_at_lock:
                self._put_back()
        finally:
            self.held.close()

    def _put_back(self) -> None:
        reason = "the deploy's SSH session was lost after the switch"
        if self.live_at_lock is None:
            self.target.stop()
            self.target.record("failed", reason=f"{reason}; nothing was live before, so stopped")
            return
        self.target.activate(self.live_at_lock)
        health = self.target.health()
        state = "serves again" if health.ok else f"is unhealthy too: {health.detail}"
        self.target.record("switched-back", release=self.live_at_lock, reason=reason, health=state)


# Methods whose arguments and results are already plain data.
_PLAIN = frozenset(
    (
        "live",
        "releases",
        "release_env",
        "history",
        "paused",
        "running",
        "backups",
        "record",
        "write_env",
        "backup_state",
        "restore_state",
        "restart",
        "stop",
        "set_paused",
        "remove",
    )
)


def _collected(target: LocalTarget) -> str:
    """The bot's logs and the deploy log as a base64 tar (the client unpacks it)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        if target.layout.logs.is_dir():
            archive.add(target.layout.logs, arcname="logs")
        if target.layout.deploy_log.is_file():
            archive.add(target.layout.deploy_log, arcname="deploy-log.jsonl")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def send(replies: IO[bytes], message: dict[str, Any]) -> None:
    replies.write(json.dumps(message).encode() + b"\n")
    replies.flush()


def hang_up(signum: int, frame: object) -> None:
    """SIGHUP: the SSH session is gone."""
    del signum, frame
    raise SessionLost


def pin_spec(target: LocalTarget) -> None:
    """Keep the spec the live bot was started with beside it: the operations agent restarts
    the bot with this one, never with a spec its client sends."""
    path = target.layout.agent_spec
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(target.spec.to_dict(), handle)
    temporary.replace(path)


def hello(mode: str) -> dict[str, Any]:
    return {
        "hello": {
            "python": ".".join(map(str, sys.version_info[:3])),
            "executable": sys.executable,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "mode": mode,
        }
    }


def run(requests: IO[bytes], replies: IO[bytes]) -> int:
    """The full agent: the spec its client sends, then its calls until the session ends."""
    first = json.loads(requests.readline() or b"{}")
    spec = Spec.from_dict(first["spec"])
    spec = replace(spec, base=str(Path(spec.base).expanduser().absolute()))
    send(replies, hello("deploy"))
    Agent(LocalTarget(spec)).serve(requests, replies)
    return 0
