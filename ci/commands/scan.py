"""`python -m ci scan PATH...`: refuse to let an artifact out if it holds a secret.

Run before every upload (test reports, coverage, logs, checklist, snapshots): exit 0
when gitleaks and the seed-phrase detector find nothing in the paths (symlinks followed,
archives opened, `.git/` included), 1 naming each file and rule otherwise, and 1 when a
path cannot be read. What was skipped (FIFOs, devices) or followed outside is said.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ci.core import git
from ci.core.errors import ExitCode, GitError
from ci.scanning import artifacts


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def scan_command(paths: tuple[Path, ...]) -> int:
    """Scan files or folders about to be uploaded; exit 1 if any holds a secret."""
    cwd = Path.cwd()
    try:
        root = git.toplevel(cwd)
    except GitError:
        root = cwd
    config = root / ".gitleaks.toml"
    with tempfile.TemporaryDirectory(prefix="bottie-scan-") as tmp:
        found, staging = artifacts.scan(
            list(paths), root=root, config=config if config.is_file() else None, into=Path(tmp)
        )
    for note in [*staging.followed, *staging.skipped]:
        click.echo(note, err=True)
    for finding in found.findings:
        click.echo(f"refused: {finding.render()}", err=True)
    if found.findings:
        click.echo(
            f"error: {len(found.findings)} secret(s) in the artifact: not uploading it", err=True
        )
        return ExitCode.FAILED
    click.echo(f"clean: {', '.join(str(p) for p in paths)} ({len(staging.files)} file(s) read)")
    return ExitCode.OK
