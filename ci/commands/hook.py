"""`python -m ci hook all|secrets|lint|env`: the pre-commit entries, on what is staged.

`hook all FILES` is the one hook a config needs (`ci.commands.hook_all`): the three checks in
one process. `hook secrets`, `hook lint FILES` and `hook env` are each one of them, as separate
hooks; configs written before `hook all` call them, and they stay as they were. The checks
themselves are in `ci.commands.hook_checks`.

Each commit starts them, so they take no option and parse their own arguments (the files
pre-commit passes): `ci.cli` calls `main` without importing click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ci.commands import hook_checks
from ci.core import config_cache, git
from ci.core.errors import ExitCode, UsageError
from ci.core.result import GateResult

TYPE_CHECKING = False  # `typing` only for the type checker: it costs a commit hook more than json
if TYPE_CHECKING:
    from typing import TextIO


def all_parts(*files: str) -> int:
    """Secrets, lint (of FILES) and env in one process; SKIP=bottie-<part> skips a part."""
    from ci.commands import hook_all

    code, lines = hook_all.run(files, os.environ)
    _say(*lines)
    return code


def staged_secrets() -> int:
    """Scan the staged changes for secrets (gitleaks and BIP39 seed phrases)."""
    root, git_dir = git.locate(Path.cwd())
    found = hook_checks.staged_scan(root, config_cache.values(root, git_dir))
    if not found.findings:
        return ExitCode.OK
    lines = hook_checks.secret_lines(found)
    lines.append("error: commit refused: remove the secret and rotate it if it was real")
    _say(*lines, found.allow_hint())
    return ExitCode.FAILED


def staged_lint(*files: str) -> int:
    """Lint FILES (ruff check + format --check, T20 on the bot's code) as the lint gate does."""
    root, git_dir = git.locate(Path.cwd())
    result = hook_checks.lint_files(root, config_cache.values(root, git_dir), files)
    return ExitCode.OK if result is None else _verdict(result)


def env_gate() -> int:
    """Check that .env stays out of git and .env.example is current, as the env gate does."""
    root, git_dir = git.locate(Path.cwd())
    return _verdict(hook_checks.env_check(root, git_dir, config_cache.values(root, git_dir)))


def _verdict(result: GateResult) -> int:
    if result.status.ok:
        return ExitCode.OK
    name = result.gate
    _say(*(result.output or result.summary).splitlines(), f"error: {name}: {result.summary}")
    return ExitCode.FAILED


# name: (what it runs, whether it takes FILES)
HOOKS: dict[str, tuple[Callable[..., int], bool]] = {
    "all": (all_parts, True),
    "secrets": (staged_secrets, False),
    "lint": (staged_lint, True),
    "env": (env_gate, False),
}


def main(args: Sequence[str]) -> int:
    """Run the hook named first in `args`, given the files that follow (`all` and `lint`)."""
    name, rest = (args[0], list(args[1:])) if args else ("", [])
    if name in ("-h", "--help") or "-h" in rest or "--help" in rest:
        _say(_help(name if name in HOOKS else ""), stream=sys.stdout)
        return ExitCode.OK
    if name not in HOOKS:
        raise UsageError(
            f"hook: {f'no such hook {name!r}' if name else 'which one?'}; hooks: {', '.join(HOOKS)}"
        )
    command, takes_files = HOOKS[name]
    wrong = [arg for arg in rest if arg.startswith("-")] or ([] if takes_files else rest)
    if wrong:
        raise UsageError(
            f"hook {name} takes {'FILES' if takes_files else 'no argument'}, not {wrong[0]!r}"
        )
    return command(*rest)


def _help(name: str) -> str:
    if name:
        command, takes_files = HOOKS[name]
        usage = f"Usage: python -m ci hook {name}{' [FILES]...' if takes_files else ''}"
        return f"{usage}\n\n  {(command.__doc__ or '').strip()}"
    rows = [f"  {hook:<8} {(c.__doc__ or '').strip()}" for hook, (c, _) in HOOKS.items()]
    head = ["Usage: python -m ci hook HOOK [FILES]...", "", "  Entry points for pre-commit hooks."]
    return "\n".join([*head, "", "Hooks:", *rows])


def _say(*lines: str, stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    out.write("".join(f"{line}\n" for line in lines))
    out.flush()
