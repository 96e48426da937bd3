"""One OpenSSH session to the bot's host, running the deploy agent (`ci.deploy.agent`).

The system `ssh` client, with nothing left to a user's or the machine's configuration
(`-F /dev/null`): the key is the one given, written 0600 into a private temporary folder
and deleted once the session is authenticated; the host key must match the known_hosts
value given (never trust on first use); no agent, no forwarding, no prompt. The ssh
client runs with PATH and HOME only, so no secret of the caller's environment is in its
/proc/PID/environ; the remote command line holds only the interpreter and a bootstrap.
Secrets go to the agent through the session's stdin.

One connection per session: the agent zipapp travels over the same stdin, before the
protocol's first line.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ci.core.errors import CiError, ExitCode, RefusedError, ToolNotFoundError
from ci.deploy import agent
from ci.deploy.lock import LockHeld
from ci.deploy.targets.interface import TargetError

# Read by the interpreter on the host: the zipapp's size on the first line of stdin, then
# the zipapp; imported from a private temporary folder, removed when the agent ends.
BOOTSTRAP = """\
import os, sys, tempfile
if sys.version_info < (3, 11):
    sys.exit("the bottie deploy agent needs Python 3.11+, this is " + sys.version.split()[0])
size = int(sys.stdin.buffer.readline())
folder = tempfile.mkdtemp(prefix="bottie-agent-")
path = os.path.join(folder, "agent.pyz")
with open(path, "wb") as handle:
    handle.write(sys.stdin.buffer.read(size))
sys.path.insert(0, path)
try:
    from ci.deploy.agent_main import main
    code = main()
finally:
    os.unlink(path)
    os.rmdir(folder)
sys.exit(code)
"""
_ENV_KEPT = ("PATH", "HOME")


class SshError(TargetError):
    """The host could not be reached or would not let us in (nothing was changed)."""


class ConnectionLost(TargetError):
    """The session ended in the middle of a command."""

    exit_code = ExitCode.FAILED


@dataclass(frozen=True)
class SshSettings:
    host: str
    port: int
    user: str
    key: str = field(repr=False)  # the private key itself (a secret)
    known_hosts: str  # known_hosts lines pinning the host's key
    python: str = "python3"  # the host's interpreter: the agent's and the bot's {python}
    connect_timeout: float = 10

    @property
    def destination(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


def ssh_argv(settings: SshSettings, key: Path, known_hosts: Path) -> list[str]:
    """The ssh command line: every option that matters, set here."""
    options = {
        "BatchMode": "yes",
        "IdentitiesOnly": "yes",
        "IdentityAgent": "none",
        "StrictHostKeyChecking": "yes",
        "UserKnownHostsFile": str(known_hosts),
        "GlobalKnownHostsFile": "/dev/null",
        "UpdateHostKeys": "no",
        "ConnectTimeout": f"{settings.connect_timeout:g}",
        "ServerAliveInterval": "5",
        "ServerAliveCountMax": "3",
        "ControlMaster": "no",
        "ControlPath": "none",
        "ForwardAgent": "no",
        "ForwardX11": "no",
        "ClearAllForwardings": "yes",
        "PermitLocalCommand": "no",
        "LogLevel": "ERROR",
    }
    argv = ["ssh", "-F", "/dev/null", "-T", "-i", str(key)]
    for name, value in options.items():
        argv += ["-o", f"{name}={value}"]
    argv += ["-p", str(settings.port), "-l", settings.user, "--", settings.host]
    return [*argv, remote_command(settings.python)]


def remote_command(python: str) -> str:
    """What the host's shell runs: the interpreter, isolated, with the bootstrap."""
    if python.startswith("~/"):
        program = '"$HOME"/' + shlex.quote(python[2:])
    else:
        program = shlex.quote(python)
    return f"exec {program} -I -S -c {shlex.quote(BOOTSTRAP)}"


class Session:
    """The agent on the host, behind one ssh process; `call` is one request and answer."""

    def __init__(self, settings: SshSettings, spec: dict[str, Any], environ: dict[str, str]):
        self.settings = settings
        self.spec = spec
        self.environ = environ
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.lost: ConnectionLost | None = None

    # -- opening -------------------------------------------------------------------------
    def open(self) -> dict[str, Any]:
        if shutil.which("ssh") is None:
            raise ToolNotFoundError("ssh is not installed: the ssh target needs OpenSSH's client")
        self.folder = Path(tempfile.mkdtemp(prefix="bottie-ssh-", dir=_temp_root(self.environ)))
        key, known_hosts = self.folder / "key", self.folder / "known_hosts"
        _write_private(key, _key_text(self.settings.key))
        _write_private(known_hosts, self.settings.known_hosts.strip() + "\n")
        env = {k: v for k, v in os.environ.items() if k in _ENV_KEPT}
        with (self.folder / "ssh.log").open("wb") as log:
            self.process = subprocess.Popen(
                ssh_argv(self.settings, key, known_hosts),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
        try:
            code = agent.bundle()
            self._write(str(len(code)).encode() + b"\n" + code)
            self._write(json.dumps({"spec": self.spec}).encode() + b"\n")
            hello = self._hello()
        except (OSError, ValueError, EOFError):
            raise self._refused() from None
        finally:
            key.unlink(missing_ok=True)  # authenticated (or not): the key is not needed again
        return dict(hello.get("hello", {}))

    def _hello(self) -> dict[str, Any]:
        # A login shell's start-up files may print something first: skip it, within reason.
        for _ in range(100):
            line = self._read_line()
            if line.startswith(b'{"hello"'):
                return dict(json.loads(line))
        raise EOFError

    def _refused(self) -> SshError:
        """Why the session never started, from ssh's own words, as one line."""
        assert self.process is not None
        try:
            code = self.process.wait(timeout=self.settings.connect_timeout + 5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        said = self.ssh_said()
        dest = self.settings.destination
        lowered = said.lower()
        if "host key verification failed" in lowered or "host identification has changed" in (
            lowered
        ):
            why = (
                f"the host key of {self.settings.host}:{self.settings.port} does not match "
                "BOTTIE_SSH_KNOWN_HOSTS (host key verification failed); not connecting"
            )
        elif "permission denied" in lowered:
            why = f"{dest} refused the key in BOTTIE_SSH_KEY (permission denied)"
        elif "connection refused" in lowered:
            why = f"cannot connect to {dest}: connection refused"
        elif "timed out" in lowered:
            why = f"cannot connect to {dest}: connection timed out"
        elif "invalid format" in lowered or "load key" in lowered:
            why = "BOTTIE_SSH_KEY is not a private key ssh can read"
        elif code == 127:
            why = f"{dest} has no {self.settings.python} (the deploy agent needs Python 3.11+)"
        else:
            last = said.strip().splitlines()[-1:] or [f"ssh exited with {code}"]
            why = f"cannot start the deploy agent on {dest}: {last[0]}"
        return SshError(f"ssh: {why}")

    # -- talking -------------------------------------------------------------------------
    def call(self, name: str, args: dict[str, Any], *, when_lost: str) -> Any:
        """One request and its answer; a lost session raises ConnectionLost with `when_lost`."""
        if self.lost is not None:
            raise self.lost
        if self.process is None:
            self.open()
        try:
            self._write(json.dumps({"call": name, "args": args}).encode() + b"\n")
            answer = json.loads(self._read_line())
        except (OSError, ValueError, EOFError):
            self.lost = ConnectionLost(
                f"ssh: the connection to {self.settings.destination} was lost during {name}"
                f"{when_lost}"
            )
            self.close()
            raise self.lost from None
        if "error" in answer:
            error = answer["error"]
            kinds: dict[str, type[CiError]] = {"LockHeld": LockHeld, "Refused": RefusedError}
            raise kinds.get(str(error.get("kind")), TargetError)(str(error.get("message")))
        return answer.get("ok")

    def _write(self, data: bytes) -> None:
        stdin = self._pipe(self.process.stdin if self.process else None)
        stdin.write(data)
        stdin.flush()

    def _read_line(self) -> bytes:
        line = self._pipe(self.process.stdout if self.process else None).readline()
        if not line.endswith(b"\n"):
            raise EOFError
        return line

    @staticmethod
    def _pipe(pipe: IO[bytes] | None) -> IO[bytes]:
        if pipe is None:
            raise BrokenPipeError
        return pipe

    def ssh_said(self) -> str:
        if self.folder is None:
            return ""
        try:
            return (self.folder / "ssh.log").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    # -- closing -------------------------------------------------------------------------
    def close(self) -> None:
        """End the session (the agent lets go of the lock) and remove the private folder."""
        process, self.process = self.process, None
        if process is not None:
            for pipe in (process.stdin, process.stdout):
                try:
                    if pipe is not None:
                        pipe.close()
                except OSError:
                    pass
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _temp_root(environ: dict[str, str]) -> str | None:
    runner_temp = environ.get("RUNNER_TEMP", "")
    return runner_temp if runner_temp and Path(runner_temp).is_dir() else None


def _key_text(key: str) -> str:
    # Secrets pasted into GitHub lose their last newline; OpenSSH wants it.
    return key.replace("\r\n", "\n").strip() + "\n"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
