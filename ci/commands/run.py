"""What `python -m ci run` does: run gates in parallel and report (its options: `run_cli`).

No click here: `run GATE ...` with no option (`./dev run lint`) calls `run` directly
(`ci.cli`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ci.core.errors import ExitCode

TYPE_CHECKING = False  # `typing` only for the type checker: it costs `run lint` more than json
if TYPE_CHECKING:
    from typing import TextIO

    from ci.report.interface import Reporter


def list_gates() -> int:
    from ci.gates import SPECS

    for spec in SPECS:
        sys.stdout.write(f"{spec.name:<10} {spec.description}  [needs: {', '.join(spec.needs)}]\n")
    return ExitCode.OK


def run(
    gates: Sequence[str] = (),
    *,
    fail_fast: bool = False,
    as_json: bool = False,
    sequential: bool = False,
    verbose: bool = False,
    results_dir: Path | None = None,
) -> int:
    """Run the GATES named (all when none is) and exit 0 only if all passed."""
    from ci.core import config_cache, git

    # `git status` works while the root is found, the config read and the gates imported.
    head = git.start_clean_head(Path.cwd())
    from ci.gates import GateContext, runner

    selected = runner.select(gates)
    root, git_dir = git.locate(Path.cwd())
    settings = config_cache.values(root, git_dir)
    folder = results_dir or git.results_dir(root, settings["results_dir"], git_dir)
    ctx = GateContext(root=root, settings=settings, results_dir=folder.resolve(), sha=head())
    reporters = _reporters(as_json=as_json, verbose=verbose)
    results = runner.run_gates(
        selected, ctx, reporters, parallel=not sequential, fail_fast=fail_fast
    )
    return ExitCode.OK if all(r.status.ok for r in results) else ExitCode.FAILED


def _reporters(*, as_json: bool, verbose: bool) -> list[Reporter]:
    from ci.core import actions

    # With --json, stdout carries only the document; progress goes to stderr.
    stream = sys.stderr if as_json else sys.stdout
    reporters = [_progress(stream, verbose=verbose)]
    if as_json:
        from ci.report.json import JsonReporter

        reporters.append(JsonReporter(sys.stdout))
    if actions.active():
        from ci.report.github import GithubReporter

        reporters.append(GithubReporter(sys.stdout))
    return reporters


def _progress(stream: TextIO, *, verbose: bool) -> Reporter:
    """Live progress and a drawn table on a terminal (rich); plain lines anywhere else."""
    if not stream.isatty():
        from ci.report.plain import PlainReporter

        return PlainReporter(stream, verbose=verbose)
    from rich.console import Console

    from ci.report.terminal import TerminalReporter

    return TerminalReporter(Console(file=stream, highlight=False), verbose=verbose)
