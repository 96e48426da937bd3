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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ci.core.errors import ToolNotFoundError

if TYPE_CHECKING:
    from logsafe import Redactor


@dataclass(frozen=True)
class ProcResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    cancelled: bool = False

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
    # Here: logsafe is loaded once output is to be redacted (about 12 ms of CPU), not by
    # commands that read only verbatim output, such as a rollback before it starts its bot.
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
) -> ProcResult:
    """Run `argv` to completion and return its redacted output.

    A missing executable raises ToolNotFoundError; a non-zero exit does not
    raise: the caller decides what the code means (gitleaks says 1 for both
    leaks and its own errors, for instance).
    """
    start = time.monotonic()
    try:
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ToolNotFoundError(f"executable `{argv[0]}` not found") from exc
    timed_out = cancelled = False
    deadline = start + timeout
    communicate_input = stdin
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
    out, err = out or "", err or ""
    # verbatim: output a caller parses and never shows (a diff read for seed phrases). No
    # output holds no secret: the redactor is built only for some (about 6 ms of CPU with
    # its first scan, which a silent `git tag` cost a deploy between health and exit).
    if not verbatim and (out or err):
        redact = (redactor or _redactor()).redact
        out, err = (redact(text) if text else text for text in (out, err))
    return ProcResult(
        argv=tuple(argv),
        returncode=child.returncode,
        stdout=out,
        stderr=err,
        duration=time.monotonic() - start,
        timed_out=timed_out,
        cancelled=cancelled,
    )


def _stop(child: subprocess.Popen[str]) -> tuple[str, str]:
    """Stop the child's process group (the runtime's one grace policy), keeping its output."""
    collected: list[tuple[str, str]] = []

    def gone(_pid: int, timeout: float) -> bool:
        try:
            collected.append(child.communicate(timeout=timeout))
        except subprocess.TimeoutExpired:
            return False
        return True

    from ci.core import runtime  # only to stop a child: it imports sockets and HTTP

    runtime.stop_group(child.pid, gone=gone)
    return collected[0] if collected else child.communicate()
