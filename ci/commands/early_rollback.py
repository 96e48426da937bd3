"""A rollback's bot started before click is imported and parses the command line.

`ci.deploy.early` starts a rollback's bot (waiting for go, under the deploy lock) before the
config models and the deployer load; from the command, that was after click's import, its
parse and the command modules: about 35 ms of CPU more before the bot's interpreter could
start. So for the plain shapes a rollback is typed in, `rollback ENV` with `--to TAG`,
`--approver NAME`, `--push` or `--no-push`, `ci.cli` starts that bot first (`started`), and
the command takes it once click has read the same line (`take`).

Click stays the one definition of the command line: what is read here is only a guess at
ENV and `--to`, for the bot to start. The command takes the bot only if click parsed the
same repository, ENV and `--to` (and no `--with-current-env`); anything else stops it and
lets the lock go before the command goes on, as if nothing had started. Any other shape (an
option not named above, `-C`, `--help`, a second argument) starts nothing here. A bot the
command did not take, or a command that failed, is stopped with the lock when the command
ends; the go signal is still the deployer's alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ci.core import git
from ci.core.errors import CiError
from ci.deploy import early

_FLAGS = frozenset({"--push", "--no-push"})
_WITH_VALUE = frozenset({"--to", "--approver"})

# The bot started for the command line being parsed: (repository, ENV, --to), the bot, and
# what holds it (the lock, the waiting bot).
_Pending = tuple[tuple[Path, str, str | None], early.Started, ExitStack]
_pending: list[_Pending] = []


def wanted(args: list[str]) -> tuple[str, str | None] | None:
    """ENV and `--to` of the arguments after `rollback`, or None when they are not one of
    the plain shapes (click then reads them alone)."""
    if not args or args[0].startswith("-"):
        return None
    env, to, rest = args[0], None, args[1:]
    while rest:
        arg, rest = rest[0], rest[1:]
        name, equals, value = arg.partition("=")
        if arg in _FLAGS:
            continue
        if not (name in _WITH_VALUE and equals):
            if arg not in _WITH_VALUE or not rest:
                return None
            name, value, rest = arg, rest[0], rest[1:]
        if name == "--to":
            to = value
    return env, to


@contextmanager
def started(args: list[str]) -> Iterator[None]:
    """While the command runs: the rollback's bot waiting, for `take`, when `args` (after
    `rollback`) are a plain shape and `ci.deploy.early` starts one; stopped with the lock
    when the command ends without taking it."""
    found = wanted(args)
    with ExitStack() as held:
        if found is not None:
            env, to = found
            try:
                located: tuple[Path, Path] | None = git.locate(Path.cwd())
            except (CiError, OSError):
                located = None  # the command says so, after click
            if located is not None:
                root, git_dir = located
                bot = held.enter_context(early.rollback_bot(root, git_dir, env, to, os.environ))
                if bot is not None:
                    _pending.append(((root, env, to), bot, held))
        try:
            yield
        finally:
            _pending.clear()


def take(root: Path, env: str, to: str | None, *, own_env: bool) -> early.Started | None:
    """The bot started for this very rollback (the same repository, ENV and `--to`, with the
    release's own environment), or None: a bot started for anything else is stopped, and
    its lock let go, first."""
    if not _pending:
        return None
    wanted_for, bot, held = _pending.pop()
    if own_env and wanted_for == (root, env, to):
        return bot
    held.close()
    return None
