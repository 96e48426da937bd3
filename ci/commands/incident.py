"""`python -m ci incident snapshot ENV`: a redacted, gitleaks-checked incident archive."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ci.core import config, git
from ci.core.errors import ExitCode
from ci.core.settings import environment
from ci.deploy import paths
from ci.deploy.incident import Sources, snapshot


@click.group("incident")
def incident_group() -> None:
    """Incident response helpers (see the README's runbook)."""


@incident_group.command("snapshot")
@click.argument("env")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Archive to write (default: incident-ENV-<UTC time>.tar.gz).",
)
@click.option(
    "--logs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the bot's logs (default: the deploy target's).",
)
@click.option(
    "--deploy-log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The deploy log (default: the deploy target's).",
)
def snapshot_command(
    env: str, output: Path | None, logs: Path | None, deploy_log: Path | None
) -> int:
    """Collect logs, non-secret config, deploy history and the toggle card, redacted."""
    root = git.toplevel(Path.cwd())
    cfg = config.load(root)
    environment(cfg, env)  # an unknown environment is a usage error naming the valid ones
    default = _target_sources(cfg, env)
    sources = Sources(logs=logs or default.logs, deploy_log=deploy_log or default.deploy_log)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = snapshot(root, cfg, env, sources, output or Path(f"incident-{env}-{stamp}.tar.gz"))
    click.echo(f"snapshot written: {path} (redacted; gitleaks found nothing)")
    return ExitCode.OK


def _target_sources(cfg: config.Config, env: str) -> Sources:
    """Where the deploy target keeps the bot's logs and its deploy log."""
    layout = paths.for_environment(cfg, env)
    return Sources(logs=layout.logs, deploy_log=layout.deploy_log)
