"""`python -m ci scan PATH...`: refuse to let an artifact out if it holds a secret.

Run before every upload (test reports, coverage, logs, checklist, snapshots): exit 0
when gitleaks finds nothing in the paths, 1 naming each file and rule otherwise.
"""

from __future__ import annotations

from pathlib import Path

import click

from ci.core import git
from ci.core.errors import ExitCode, GitError
from ci.scanning import gitleaks


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
    leaks = 0
    for path in paths:
        found = gitleaks.scan(
            ["dir", str(path.resolve())], root=root, config=config if config.is_file() else None
        )
        for finding in found.findings:
            leaks += 1
            click.echo(f"refused: {finding.render()}", err=True)
    if leaks:
        click.echo(f"error: {leaks} secret(s) in the artifact: not uploading it", err=True)
        return ExitCode.FAILED
    click.echo(f"clean: {', '.join(str(p) for p in paths)}")
    return ExitCode.OK
