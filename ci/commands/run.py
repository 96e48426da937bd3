"""`python -m ci run [GATE ...]`: run gates in parallel and report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from ci.core.errors import ExitCode
from ci.gates import SPECS

if TYPE_CHECKING:
    from ci.report.interface import Reporter


@click.command("run")
@click.argument("gates", nargs=-1)
@click.option("--list", "list_only", is_flag=True, help="List the gates and exit.")
@click.option("--fail-fast", is_flag=True, help="Stop the other gates at the first failure.")
@click.option("--json", "as_json", is_flag=True, help="Print all results as JSON on stdout.")
@click.option("--sequential", is_flag=True, help="Run one gate at a time.")
@click.option("-v", "--verbose", is_flag=True, help="Show every gate's output, not only failures'.")
@click.option(
    "--results-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where each gate's JSON result goes (default: results_dir from config, else the git dir).",
)
def run_command(
    gates: tuple[str, ...],
    list_only: bool,
    fail_fast: bool,
    as_json: bool,
    sequential: bool,
    verbose: bool,
    results_dir: Path | None,
) -> int:
    """Run the chosen GATES (default: all) and exit 0 only if all passed."""
    if list_only:
        for spec in SPECS:
            click.echo(f"{spec.name:<10} {spec.description}  [needs: {', '.join(spec.needs)}]")
        return ExitCode.OK
    # Imported here, not above, so that `--list` and `--help` stay quick.
    from ci.core import config_cache, git
    from ci.gates import GateContext, runner

    selected = runner.select(gates)
    root, git_dir = git.locate(Path.cwd())
    settings = config_cache.values(root, git_dir)
    ctx = GateContext(
        root=root,
        settings=settings,
        results_dir=(
            results_dir or git.results_dir(root, settings["results_dir"], git_dir)
        ).resolve(),
        sha=git.clean_head(root),
    )
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
