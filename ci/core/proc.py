"""The one subprocess helper: argv lists, timeouts, captured output, redaction.

Every child runs in its own process group so that a timeout, `--fail-fast` or
Ctrl-C can stop it together with whatever it started.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ci.core.errors import ToolNotFoundError
from ci.core.frozen import Frozen

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:  # and logsafe is imported only for output that may hold a secret (`wait`)
    from logsafe import Redactor


class ProcResult(Frozen):
    __slots__ = _fields = (
        "argv",
        "returncode",
        "stdout",
        "stderr",
        "duration",
        "timed_out",
        "cancelled",
    )
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool
    cancelled: bool

    def __init__(
        self,
        argv: tuple[str, ...],
        returncode: int,
        stdout: str,
        stderr: str,
        duration: float,
        timed_out: bool = False,
        cancelled: bool = False,
    ) -> None:
        self._set(
            argv=argv,
            returncode=returncode,
            stdout=stdout,
            stderr=stderr,
            duration=duration,
            timed_out=timed_out,
            cancelled=cancelled,
        )

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.cancelled

    @property
    def output(self) -> str:
        """stdout and stderr together, as a person would read them."""
        return "\n".join(part for part in (self.stdout.rstrip(), self.stderr.rstrip()) if part)

    def describe(self) -> str:
        name = Path(self.argv[0]).name
        if self.timed_out:
            return f"{name} timed out after {self.duration:.0f}s"
        if self.cancelled:
            return f"{name} was cancelled"
        return f"{name} exited with {self.returncode}"


def tool(name: str, *, install_hint: str) -> str:
    """The executable installed beside this interpreter first (so a venv's pinned copy wins
    over whatever is on PATH), else the one on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.is_file() else which(name, install_hint=install_hint)


def which(tool: str, *, install_hint: str) -> str:
    """Absolute path of `tool`, or a ToolNotFoundError that says how to install it."""
    import shutil  # only here: with its archive modules it costs more than a git call

    found = shutil.which(tool)
    if found is None:
        raise ToolNotFoundError(f"executable `{tool}` not found", tip=install_hint)
    return found


def _redactor() -> Redactor:
    # logsafe is loaded once output may hold a secret (about 10 to 12 ms of CPU with its
    # first scan), not by commands that read only verbatim or empty output, such as a
    # rollback before it starts its bot, or a clean ruff's `[]`.
    from ci.core import redaction

    return redaction.redactor()


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 600.0,
    stdin: str | None = None,
    cancel: threading.Event | None = None,
    redactor: Redactor | None = None,
    verbatim: bool = False,
    keep_fds: Sequence[int] = (),
) -> ProcResult:
    """Run `argv` to completion and return its redacted output; `keep_fds`: descriptors of
    this process the child inherits (all others are closed in it).

    A missing executable raises ToolNotFoundError; a non-zero exit does not
    raise: the caller decides what the code means (gitleaks says 1 for both
    leaks and its own errors, for instance).
    """
    child = start(argv, cwd=cwd, env=env, stdin=stdin, keep_fds=keep_fds)
    return child.wait(timeout=timeout, cancel=cancel, redactor=redactor, verbatim=verbatim)


def start(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    keep_fds: Sequence[int] = (),
) -> Running:
    """Start `argv` now; `wait` on what it returns for its redacted output (as `run` does).

    A caller that starts a tool first can do its own preparation while the tool works."""
    began = time.monotonic()
    try:
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            pass_fds=tuple(keep_fds),
        )
    except FileNotFoundError as exc:
        raise ToolNotFoundError(f"executable `{argv[0]}` not found") from exc
    return Running(tuple(argv), child, began, stdin)


class Running:
    """A child `start`ed, not yet waited for."""

    def __init__(
        self, argv: tuple[str, ...], child: subprocess.Popen[bytes], began: float, stdin: str | None
    ) -> None:
        self.argv, self._child, self._began, self._stdin = argv, child, began, stdin

    def wait(
        self,
        *,
        timeout: float = 600.0,
        cancel: threading.Event | None = None,
        redactor: Redactor | None = None,
        verbatim: bool = False,
    ) -> ProcResult:
        """Its output, redacted, once it exits; stopped (its whole group) after `timeout`
        seconds from its start or when `cancel` is set.

        verbatim: output a caller parses and never shows (a diff read for seed phrases)."""
        child = self._child
        timed_out = cancelled = False
        deadline = self._began + timeout
        communicate_input = (
            self._stdin.encode("utf-8", "replace") if self._stdin is not None else None
        )
        while True:
            try:
                out, err = child.communicate(communicate_input, timeout=0.1)
                break
            except subprocess.TimeoutExpired:
                communicate_input = None
                if cancel is not None and cancel.is_set():
                    cancelled = True
                elif time.monotonic() > deadline:
                    timed_out = True
                else:
                    continue
                out, err = _stop(child)
                break
        stdout, stderr = _text(out), _text(err)
        if not verbatim and (redactor is not None or not _nothing_to_hide(stdout + stderr)):
            redact = (redactor or _redactor()).redact
            stdout, stderr = redact(stdout), redact(stderr)
        return ProcResult(
            argv=self.argv,
            returncode=child.returncode,
            stdout=stdout,
            stderr=stderr,
            duration=time.monotonic() - self._began,
            timed_out=timed_out,
            cancelled=cancelled,
        )


def _nothing_to_hide(text: str) -> bool:
    """Text with no letter or digit, shorter than the shortest secret value logsafe masks (6
    characters): no value, token or `name=value` field fits in it. A clean ruff's `[]` and
    gitleaks' silence are such text, and need not import logsafe at all (about 10 ms)."""
    return len(text) < 6 and not any(char.isalnum() for char in text)


def _text(data: bytes | None) -> str:
    """Output as text mode reads it (UTF-8, errors replaced, universal newlines), with the
    newline passes only when there is a carriage return: on a long history read for seed
    phrases (16 MB), text mode's two passes over every character cost more than decoding."""
    text = (data or b"").decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _stop(child: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Stop the child's process group (the runtime's one grace policy), keeping its output."""
    collected: list[tuple[bytes, bytes]] = []

    def gone(_pid: int, timeout: float) -> bool:
        try:
            collected.append(child.communicate(timeout=timeout))
        except subprocess.TimeoutExpired:
            return False
        return True

    from ci.core import runtime  # only to stop a child: it imports sockets and HTTP

    runtime.stop_group(child.pid, gone=gone)
    return collected[0] if collected else child.communicate()
