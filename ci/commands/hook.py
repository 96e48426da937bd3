"""`python -m ci hook secrets|lint|env`: the pre-commit entries, on what is staged.

The history and work-tree scans of the secrets gate are too broad for a commit hook;
this scans exactly what is about to be committed, with the same gitleaks and config.
The lint hook lints the files pre-commit passes, as the lint gate would, with ruff's cache.
The env hook runs the env gate and prints its findings.

Each commit starts the three, so they take no option and parse their own arguments (the
files pre-commit passes): `ci.cli` calls `main` without importing click.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ci.core import config_cache, git
from ci.core.errors import ExitCode, UsageError
from ci.core.result import GateResult

TYPE_CHECKING = False  # `typing` only for the type checker: it costs a commit hook more than json
if TYPE_CHECKING:
    from typing import TextIO

    from ci.scanning.model import Scan

# The secrets hook's tools are imported when it runs: the lint hook, run on every commit of
# Python code, needs neither gitleaks' wrapper nor the seed detector's wordlist.


def staged_secrets() -> int:
    """Scan the staged changes for secrets (gitleaks and BIP39 seed phrases)."""
    import threading

    from ci.scanning import gitleaks

    root, git_dir = git.locate(Path.cwd())
    path = root / config_cache.values(root, git_dir)["secrets"]["config"]
    # gitleaks is most of the hook's time: it starts first, the seed pass runs beside it.
    staged: list[Scan | BaseException] = []

    def scan() -> None:
        try:
            mode = ["git", "--pre-commit", "--staged", str(root)]
            staged.append(gitleaks.scan(mode, root=root, config=path if path.is_file() else None))
        except BaseException as exc:  # raised again below, as the scan's own error
            staged.append(exc)

    scanning = threading.Thread(target=scan, name="gitleaks")
    scanning.start()
    try:
        from ci.scanning import seeds

        phrases = seeds.scan_staged(root)
    finally:
        scanning.join()
    if isinstance(staged[0], BaseException):
        raise staged[0]
    found = staged[0] + phrases
    if not found.findings:
        return ExitCode.OK
    lines = [f"secret staged: {finding.render()}" for finding in found.findings]
    lines.append("error: commit refused: remove the secret and rotate it if it was real")
    _say(*lines, found.allow_hint())
    return ExitCode.FAILED


def staged_lint(*files: str) -> int:
    """Lint FILES (ruff check + format --check, T20 on the bot's code) as the lint gate does."""
    from ci.gates.lint import lint

    root, git_dir = git.locate(Path.cwd())
    cfg = config_cache.values(root, git_dir)["lint"]
    named = [_relative(root, Path.cwd() / f) for f in files]
    paths = [f for f in named if _under(f, cfg["paths"])]
    if not paths:
        return ExitCode.OK
    print_free = [f for f in paths if _under(f, cfg["print_free"])]
    return _verdict(lint("lint", root, paths, print_free, force_exclude=True))


def env_gate() -> int:
    """Check that .env stays out of git and .env.example is current, as the env gate does."""
    from ci.gates.env import EnvGate
    from ci.gates.interface import GateContext

    root, git_dir = git.locate(Path.cwd())
    settings = config_cache.values(root, git_dir)
    folder = git.results_dir(root, settings["results_dir"], git_dir)  # the gate writes none
    return _verdict(EnvGate().run(GateContext(root=root, settings=settings, results_dir=folder)))


def _verdict(result: GateResult) -> int:
    if result.status.ok:
        return ExitCode.OK
    name = result.gate
    _say(*(result.output or result.summary).splitlines(), f"error: {name}: {result.summary}")
    return ExitCode.FAILED


# name: (what it runs, whether it takes FILES)
HOOKS: dict[str, tuple[Callable[..., int], bool]] = {
    "secrets": (staged_secrets, False),
    "lint": (staged_lint, True),
    "env": (env_gate, False),
}


def main(args: Sequence[str]) -> int:
    """Run the hook named first in `args`, given the files that follow (only `lint` takes any)."""
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


def _relative(root: Path, path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


def _under(path: str, folders: list[str]) -> bool:
    return any(folder in (".", "") or Path(path).is_relative_to(Path(folder)) for folder in folders)
