"""`python -m ci hook secrets`: the pre-commit entry for secrets, on staged changes only.

The history and work-tree scans of the secrets gate are too broad for a commit hook;
this scans exactly what is about to be committed, with the same gitleaks and config.
"""

from __future__ import annotations

from pathlib import Path

import click

from ci.core import config, git
from ci.core.errors import ExitCode
from ci.scanning import gitleaks, seeds


@click.group("hook")
def hook_group() -> None:
    """Entry points for pre-commit hooks."""


@hook_group.command("secrets")
def staged_secrets() -> int:
    """Scan the staged changes for secrets (gitleaks and BIP39 seed phrases)."""
    root = git.toplevel(Path.cwd())
    path = root / config.load(root).secrets.config
    found = gitleaks.scan(
        ["git", "--pre-commit", "--staged", str(root)],
        root=root,
        config=path if path.is_file() else None,
    ) + seeds.scan_staged(root)
    for finding in found.findings:
        click.echo(f"secret staged: {finding.render()}", err=True)
    if found.findings:
        click.echo(
            "error: commit refused: remove the secret and rotate it if it was real", err=True
        )
        click.echo(found.allow_hint(), err=True)
        return ExitCode.FAILED
    return ExitCode.OK
