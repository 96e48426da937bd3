"""Typed errors of the library and the exit codes the CLI maps them to.

The library raises; only `ci.cli` prints and exits.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit-code contract of `python -m ci`."""

    OK = 0
    FAILED = 1  # a gate failed, a checklist was refused, a deploy was refused or rolled back
    USAGE = 2  # bad command line: unknown gate, missing argument
    ERROR = 3  # a known fatal condition: bad config, missing tool, not a git repository
    UNEXPECTED = 4  # a bug: the traceback goes to a log file, never to the terminal
    INTERRUPTED = 130


class CiError(Exception):
    """A known fatal condition, reported as one line."""

    exit_code = ExitCode.ERROR

    def __init__(self, message: str, *, tip: str | None = None) -> None:
        super().__init__(message)
        self.tip = tip


class UsageError(CiError):
    exit_code = ExitCode.USAGE


class ConfigError(CiError):
    """The `[tool.bottie]` table (or another input file) is malformed."""


class ToolNotFoundError(CiError):
    """An executable a gate needs is not installed."""


class ToolError(CiError):
    """A tool ran but could not do its job (crashed, printed something unreadable)."""


class GitError(CiError):
    """git failed or this is not a git repository."""


class RefusedError(CiError):
    """A safety check said no (checklist incomplete, lock held, ...)."""

    exit_code = ExitCode.FAILED
