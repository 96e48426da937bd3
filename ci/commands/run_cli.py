"""`python -m ci run`'s options: the one definition of what it accepts (`ci.commands.run`
does the work; with no option given, `ci.cli` calls it without importing click)."""

from __future__ import annotations

from pathlib import Path

import click

from ci.commands import run


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
        return run.list_gates()
    return run.run(
        gates,
        fail_fast=fail_fast,
        as_json=as_json,
        sequential=sequential,
        verbose=verbose,
        results_dir=results_dir,
    )
