"""`python -m ci incident snapshot ENV`: a redacted, gitleaks-checked incident archive."""

from __future__ import annotations

import tempfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click

from ci.core import config, git
from ci.core.errors import ExitCode, UsageError
from ci.core.settings import environment
from ci.deploy.incident import Sources, snapshot
from ci.deploy.targets.interface import Collected
from ci.deploy.targets.registry import open_target


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
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of the bot's logs (default: the deploy target's).",
)
@click.option(
    "--deploy-log",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
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
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = output or Path(f"incident-{env}-{stamp}.tar.gz")
    if output.is_dir():
        raise UsageError(f"-o {output}: is a directory; name the archive to write")
    with tempfile.TemporaryDirectory(prefix="bottie-collect-") as tmp:
        collected = Collected(None, None)
        if logs is None or deploy_log is None:
            with closing(open_target(cfg, env)) as target:  # a session ends here
                collected = target.collect(Path(tmp))
        sources = Sources(
            logs=logs or collected.logs, deploy_log=deploy_log or collected.deploy_log
        )
        path = snapshot(root, cfg, env, sources, output)
    click.echo(f"snapshot written: {path} (redacted; gitleaks found nothing)")
    return ExitCode.OK
