"""The checks behind the commit hooks, on what is about to be committed: secrets in the
staged changes, lint of the staged files, the env gate. Each returns what it found and
prints nothing: `ci.commands.hook` prints them for the separate hooks (`hook secrets|lint|env`)
and `ci.commands.hook_all` runs the three at once (`hook all`).

The history and work-tree scans of the secrets gate are too broad for a commit hook: the
secrets check scans exactly what is about to be committed, with the same gitleaks and config.
The lint check lints the files pre-commit passes, as the lint gate would, with ruff's cache.
The env check is the env gate.

Their tools are imported when they run: the lint check, run on every commit of Python code,
needs neither gitleaks' wrapper nor the seed detector's wordlist.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from ci.core import git
from ci.core.result import GateResult

TYPE_CHECKING = False  # `typing` only for the type checker: it costs a commit hook more than json
if TYPE_CHECKING:
    from typing import Any

    from ci.scanning.model import Scan


def staged_scan(root: Path, settings: Mapping[str, Any]) -> Scan:
    """gitleaks and the BIP39 seed detector on the staged changes, with the secrets gate's
    gitleaks config."""
    from ci.core import background
    from ci.scanning import gitleaks

    path = root / settings["secrets"]["config"]
    mode = ["git", "--pre-commit", "--staged", str(root)]
    # gitleaks is most of the time: it starts first, the seed pass runs beside it.
    staged = background.started(
        lambda: gitleaks.scan(mode, root=root, config=path if path.is_file() else None),
        name="gitleaks",
    )
    try:
        from ci.scanning import seeds

        phrases = seeds.scan_staged(root)
    except BaseException:
        with contextlib.suppress(Exception):
            staged()  # gitleaks ends before the seed pass's error goes on
        raise
    return staged() + phrases


def secret_lines(found: Scan) -> list[str]:
    """One line a staged secret: where it is and which rule found it, never its value."""
    return [f"secret staged: {finding.render()}" for finding in found.findings]


def lint_files(root: Path, settings: Mapping[str, Any], files: Sequence[str]) -> GateResult | None:
    """ruff check + format --check (T20 on the bot's code) on those of FILES (relative to the
    current folder) that lie under the lint gate's paths, as the gate does; None when none do."""
    from ci.gates.lint import lint

    cfg = settings["lint"]
    named = [_relative(root, Path.cwd() / f) for f in files]
    paths = [f for f in named if _under(f, cfg["paths"])]
    if not paths:
        return None
    print_free = [f for f in paths if _under(f, cfg["print_free"])]
    return lint("lint", root, paths, print_free, force_exclude=True)


def env_check(root: Path, git_dir: Path, settings: Mapping[str, Any]) -> GateResult:
    """The env gate: .env stays out of git and .env.example is current."""
    from ci.gates.env import EnvGate
    from ci.gates.interface import GateContext

    folder = git.results_dir(root, settings["results_dir"], git_dir)  # the gate writes none
    return EnvGate().run(GateContext(root=root, settings=settings, results_dir=folder))


def _relative(root: Path, path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


def _under(path: str, folders: list[str]) -> bool:
    return any(folder in (".", "") or Path(path).is_relative_to(Path(folder)) for folder in folders)
