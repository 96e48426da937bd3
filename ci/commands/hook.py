"""`python -m ci hook secrets|lint`: the pre-commit entries, on staged changes only.

The history and work-tree scans of the secrets gate are too broad for a commit hook;
this scans exactly what is about to be committed, with the same gitleaks and config.
The lint hook lints the files pre-commit passes, as the lint gate would, with ruff's cache.
"""

from __future__ import annotations

from pathlib import Path

import click

from ci.core import config_cache, git
from ci.core.errors import ExitCode
from ci.gates.lint import lint

# The secrets hook's tools are imported when it runs: the lint hook, run on every commit of
# Python code, needs neither gitleaks' wrapper nor the seed detector's wordlist.


@click.group("hook")
def hook_group() -> None:
    """Entry points for pre-commit hooks."""


@hook_group.command("secrets")
def staged_secrets() -> int:
    """Scan the staged changes for secrets (gitleaks and BIP39 seed phrases)."""
    from ci.scanning import gitleaks, seeds

    root, git_dir = git.locate(Path.cwd())
    path = root / config_cache.values(root, git_dir)["secrets"]["config"]
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


@hook_group.command("lint")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
def staged_lint(files: tuple[Path, ...]) -> int:
    """Lint FILES (ruff check + format --check, T20 on the bot's code) as the lint gate does."""
    root, git_dir = git.locate(Path.cwd())
    cfg = config_cache.values(root, git_dir)["lint"]
    named = [_relative(root, Path.cwd() / f) for f in files]
    paths = [f for f in named if _under(f, cfg["paths"])]
    if not paths:
        return ExitCode.OK
    print_free = [f for f in paths if _under(f, cfg["print_free"])]
    result = lint("lint", root, paths, print_free, force_exclude=True)
    if result.status.ok:
        return ExitCode.OK
    for line in (result.output or result.summary).splitlines():
        click.echo(line, err=True)
    click.echo(f"error: lint: {result.summary}", err=True)
    return ExitCode.FAILED


def _relative(root: Path, path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)


def _under(path: str, folders: list[str]) -> bool:
    return any(folder in (".", "") or Path(path).is_relative_to(Path(folder)) for folder in folders)
