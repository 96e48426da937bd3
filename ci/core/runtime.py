"""The one app runtime: start the bot in its own process group, wait until it is healthy,
stop it with one grace policy. The smoke gate and the deploy targets both use it.

Standard library only: the deploy agent that runs this on a bot's host needs nothing but
Python 3.11+.
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci.core import sockdiag

# One grace policy for every process we stop: SIGTERM, this long to exit, then SIGKILL.
STOP_GRACE_SECONDS = 5.0
_POLL_SECONDS = 0.01  # stopping: a gone process is noticed within this
_HEALTH_POLL_SECONDS = 0.025  # starting: between requests the app answered (not healthy yet)
_CONNECT_POLL_SECONDS = 0.005  # starting: between connects nobody accepted (about 20 us each)


# What a child gets of our environment when its own comes from elsewhere (the bot: its env
# file) or it runs code we did not write (a deploy hook, a package's build): a list of what to
# keep, never one of what to drop, so a secret whose name does not look like one (a DSN, a
# webhook URL) does not reach it either.
BASIC_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")


def trimmed_env(
    keep: Sequence[str] = (), prefixes: Sequence[str] = (), environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """`environ` (default: ours) cut down to `BASIC_ENV`, `keep` and names starting `prefixes`."""
    names = {*BASIC_ENV, *keep}
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if k in names or k.startswith(tuple(prefixes))}


def free_port() -> int:
    """A loopback port free right now (the caller must still cope with losing a race for it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def app_command(template: Sequence[str], *, port: int, python: str) -> list[str]:
    """The app's argv: `{python}` and `{port}` in the configured command filled in."""
    return [part.replace("{python}", python).replace("{port}", str(port)) for part in template]


def start(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """The app started in a new session (its own process group), output appended to a log."""
    return _spawn(argv, cwd=cwd, env=env, log_path=log_path, stdin=subprocess.DEVNULL)


def prestart(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    """`python -m MODULE ARGS` started as far as it goes without running any of the app's
    code (ci/core/launcher.py): interpreter up, libraries imported. It waits, holding no
    port and no app, until `go`; if this process dies or closes the pipe first, it exits."""
    if len(argv) < 3 or argv[1] != "-m":
        raise ValueError("only `python -m MODULE ...` can be started in advance")
    # pkgutil reads it from a folder or a zipapp (the deploy agent) alike, in 0.5 ms of CPU
    # where importlib.resources took 5 ms, before a rollback's bot could start.
    import pkgutil

    launcher = pkgutil.get_data("ci.core", "launcher.py")
    if launcher is None:
        raise OSError("ci/core/launcher.py cannot be read")
    argv = [argv[0], "-c", launcher.decode("utf-8"), *argv[1:]]
    return _spawn(argv, cwd=cwd, env=env, log_path=log_path, stdin=subprocess.PIPE)


def _spawn(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], log_path: Path, stdin: int
) -> subprocess.Popen[bytes]:
    """A process in a new session (its own process group), output appended to the log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            stdin=stdin,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )


def go(child: subprocess.Popen[bytes], folder: Path | None = None) -> None:
    """Let a prestarted app run: it builds the app, binds its port and serves, in `folder`
    when given (a release with the same files as the one it was started in)."""
    assert child.stdin is not None
    try:
        child.stdin.write(b"g" + (os.fsencode(folder) if folder else b""))
        child.stdin.close()
    except BrokenPipeError:
        pass  # it died waiting: the health check says so, as for a cold start


def alive(pid: int) -> bool:
    """Whether `pid` still runs (reaping it first when it is our exited child)."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass  # not our child: started by an earlier command
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether `pid` has exited and only waits to be reaped by a parent that is not us (its
    parent, or an init that reaps late): it runs nothing, holds no port, places no order."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False  # no /proc here: trust kill(2)
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def wait_gone(pid: int, timeout: float) -> bool:
    """True once `pid` has exited, within `timeout` seconds: noticed the moment it exits where
    the kernel says so (a pidfd: Linux 5.3 and later), else within `_POLL_SECONDS`. A deploy
    starts the next bot as soon as this returns."""
    deadline = time.monotonic() + timeout
    notice = _exit_notice(pid)
    try:
        while alive(pid):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if notice is None:
                time.sleep(min(_POLL_SECONDS, left))
            elif _readable(notice, left):
                os.close(notice)  # it exited: `alive` says so now (else polling asks again)
                notice = None
    finally:
        if notice is not None:
            os.close(notice)
    return True


def _readable(fd: int, timeout: float) -> bool:
    """Whether `fd` becomes readable within `timeout` seconds (poll(2): any descriptor number,
    where select(2) stops at 1024)."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    return bool(waiting.poll(max(1, math.ceil(timeout * 1000))))


def _exit_notice(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` exits (any process, not only our child),
    or None where there is none (not Linux, or the process is gone already)."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def stop_group(
    pid: int,
    *,
    grace: float = STOP_GRACE_SECONDS,
    gone: Callable[[int, float], bool] = wait_gone,
) -> None:
    """SIGTERM the process group `pid` leads, wait `grace` seconds, then SIGKILL it.

    `gone(pid, timeout)` says whether it exited in time (the subprocess helper passes one
    that also collects the child's output).
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        if gone(pid, grace):
            return


def stop_child(child: subprocess.Popen[bytes]) -> None:
    """Stop an app we started (its process group, by the grace policy) and reap it."""
    stop_group(child.pid)
    child.wait()


def listening_groups(port: int) -> set[int] | None:
    """The process groups of the processes listening on TCP `port` (IPv4 or IPv6), read from
    /proc; None where /proc cannot tell (not Linux), so callers fall back to weaker proof."""
    inodes = _listening_sockets(port)
    if inodes is None:
        return None
    groups = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and _holds(proc, inodes):
            try:
                groups.add(os.getpgid(int(proc.name)))
            except OSError:
                continue  # gone since
    return groups


def group_listens(pgid: int, port: int) -> bool | None:
    """Whether the process group `pgid` leads listens on TCP `port` (as `listening_groups`
    says); the leader is asked first, as it mostly holds the socket itself, before every
    process on the machine is read."""
    inodes = _listening_sockets(port)
    if inodes is None:
        return None
    if inodes and _holds(Path(f"/proc/{pgid}"), inodes):
        return True
    groups = listening_groups(port)
    return None if groups is None else pgid in groups


def _listening_sockets(port: int) -> set[str] | None:
    """The socket inodes listening on TCP `port`, as /proc/PID/fd links name them: asked of
    the kernel (`sockdiag`), else read from /proc/net/tcp and tcp6."""
    if not Path("/proc/net/tcp").exists():
        return None
    inodes = sockdiag.listening_inodes(port)
    if inodes is not None:
        return {f"socket:[{inode}]" for inode in inodes}
    return _listening_in_proc(port)


def _listening_in_proc(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the inode
            if (
                len(fields) > 9
                and fields[3] == "0A"
                and int(fields[1].rsplit(":", 1)[1], 16) == port
            ):
                inodes.add(f"socket:[{fields[9]}]")
    return inodes


def _holds(proc: Path, inodes: set[str]) -> bool:
    try:
        return any(str(fd.readlink()) in inodes for fd in (proc / "fd").iterdir())
    except OSError:
        return False  # gone, or not ours to read


@dataclass(frozen=True)
class Health:
    """What the bot's health route said: whether it is healthy, and its JSON body."""

    ok: bool
    detail: str
    body: dict[str, Any] | None = None


def wait_healthy(
    url: str,
    *,
    timeout: float,
    running: Callable[[], bool],
    cancel: threading.Event | None = None,
) -> Health:
    """Poll `url` until it answers 200 with a JSON object, the app exits, or time runs out.

    Until something accepts connections on the URL's port, a bare connect every few ms asks
    (no request, nothing for the app to do), so the first moment it can answer is not missed
    by a coarse poll; requests then come at the slower pace."""
    deadline = time.monotonic() + timeout
    # The HTTP client is loaded now, while the app starts, not once the app first answers
    # (ssl and http.client: about 30 ms of CPU before the first request). So is the idna
    # codec: the first request's socket.getaddrinfo encodes its str host with it, and its
    # first use imports encodings.idna and stringprep (about 8 ms, after the app listens).
    import encodings.idna  # noqa: F401
    import urllib.request

    last = "no answer"
    while time.monotonic() < deadline:
        if cancel is not None and cancel.is_set():
            return Health(False, "cancelled")
        if not running():
            return Health(False, "the app exited before it was healthy")
        if _refused(url):
            last = "connection refused"
            time.sleep(_CONNECT_POLL_SECONDS)
            continue
        status, body = _get_json(url)
        if status == 200 and isinstance(body, dict):
            return Health(True, "healthy", body)
        last = f"{urllib.parse.urlsplit(url).path} answered {status}" if status else str(body)
        time.sleep(_HEALTH_POLL_SECONDS)
    return Health(False, f"not healthy after {timeout:g}s ({last})")


def _refused(url: str) -> bool:
    """Whether nothing accepts connections at the URL's host and port yet."""
    parts = urllib.parse.urlsplit(url)
    try:
        return not port_in_use(parts.port or 80, parts.hostname or "127.0.0.1")
    except (OSError, ValueError):
        return False  # cannot tell (not an IPv4 address): the request will say


def get_status(url: str) -> int:
    """The HTTP status `url` answers with, 0 when nothing answers."""
    status, _ = _get_json(url)
    return status


def _get_json(url: str) -> tuple[int, object]:
    """(HTTP status, parsed JSON body) or (0, why there was no answer)."""
    import urllib.error  # here: every CLI command imports this module, few ask for health
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:  # noqa: S310 (loopback URL)
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return 0, type(reason).__name__ if not isinstance(reason, str) else reason
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None
