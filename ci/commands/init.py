"""`bottie-ci init`: inspect the repository and write what adopting the pipeline takes."""

from __future__ import annotations

from pathlib import Path

import click

from ci.adopt import files
from ci.adopt.describe import describe
from ci.adopt.inspect import inspect
from ci.core import git
from ci.core.errors import ExitCode, UsageError

LOCK_COMMAND = (
    "uv pip compile --generate-hashes requirements.in -o requirements.txt "
    "(or: pip-compile --generate-hashes requirements.in)"
)


@click.command("init")
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--pipeline-repo", default=None, metavar="OWNER/NAME", help="The pipeline's repo.")
@click.option(
    "--pipeline-ref", default=None, metavar="SHA", help="Pin the caller workflow to this commit."
)
def init_command(dry_run: bool, pipeline_repo: str | None, pipeline_ref: str | None) -> int:
    """Inspect this repository and write what adopting the pipeline takes.

    Describes the bot in [tool.bottie] and writes .gitignore entries, .env.example, hooks
    and (with --pipeline-repo and --pipeline-ref) a caller workflow pinned by SHA."""
    root = git.toplevel(Path.cwd())
    pipeline = _pipeline(pipeline_repo, pipeline_ref)
    found = inspect(root)
    description = describe(found)
    changes = files.plan(root, found, description, pipeline)
    for change in changes:
        click.echo(f"{'would write' if dry_run else 'wrote'} {change.path}: {change.why}")
        if dry_run:
            click.echo(change.text)
    if not dry_run:
        files.apply(root, changes)
    if not changes:
        click.echo("no changes: this repository is adopted already")
    if pipeline is None:
        click.echo("no caller workflow: give --pipeline-repo OWNER/NAME --pipeline-ref SHA")
    if description.decisions and any(c.path == "pyproject.toml" for c in changes):
        click.echo(f"open decisions ({len(description.decisions)}), in [tool.bottie.profile]:")
        for decision in description.decisions:
            click.echo(f"  - {decision}")
    lock = root / "requirements.txt"
    if lock.is_file() and not _hashed(lock) and not (root / "requirements.in").exists():
        click.echo("requirements.txt is not hash-locked: move it to requirements.in, then lock")
    if not lock.is_file() or not _hashed(lock):
        click.echo(f"lock the bot's dependencies with hashes: {LOCK_COMMAND}")
    click.echo("build the bot's environment from that lock: bottie-ci bot-env")
    return ExitCode.OK


def _pipeline(repo: str | None, ref: str | None) -> files.Pipeline | None:
    if repo is None and ref is None:
        return None
    if repo is None or ref is None:
        raise UsageError("--pipeline-repo and --pipeline-ref go together")
    try:
        return files.Pipeline(repo, ref)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _hashed(requirements: Path) -> bool:
    return "--hash=" in requirements.read_text(encoding="utf-8", errors="replace")
