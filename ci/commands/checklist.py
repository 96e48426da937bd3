"""`python -m ci checklist build|verify`: the artifact between green CI and a deploy."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ci.checklist import hmac_key_from, render, verify_file
from ci.checklist.artifacts import load_gate_artifacts
from ci.checklist.build import Attestation, build
from ci.checklist.model import Checklist, required_items, signing_required
from ci.core import actions, config, git
from ci.core.config import Config
from ci.core.errors import CiError, ExitCode, GitError, UsageError
from ci.deploy import tags
from ci.gates import runner
from logsafe import Redactor


@click.group("checklist")
def checklist_group() -> None:
    """Build and verify the deploy checklist (checklist.json)."""


@checklist_group.command("build")
@click.option("--env", required=True, help="The environment to deploy to (testnet, mainnet).")
@click.option(
    "--results-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Where the gates saved their results (default: results_dir from config).",
)
@click.option(
    "--artifacts-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Instead: the gate jobs' artifacts, each in its own folder gate-<g>/<g>.json.",
)
@click.option(
    "--attest",
    "attested",
    multiple=True,
    metavar="ITEM_ID",
    help="An item a person vouches for (repeat, or comma-separate).",
)
@click.option("--actor", default=None, help="Who attests (default: GITHUB_ACTOR).")
@click.option(
    "--sha", default=None, help="The commit the checklist is for (any revision; default: HEAD)."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write it (default: [tool.bottie.checklist] output).",
)
@click.option("--strict", is_flag=True, help="Exit 1 when the checklist is incomplete.")
def build_command(
    env: str,
    results_dir: Path | None,
    artifacts_dir: Path | None,
    attested: tuple[str, ...],
    actor: str | None,
    sha: str | None,
    output: Path | None,
    strict: bool,
) -> int:
    """Gather gate results, configuration checks and attestations into checklist.json."""
    root = git.toplevel(Path.cwd())
    cfg = config.load(root)
    if artifacts_dir is not None:
        results = load_gate_artifacts(artifacts_dir) if artifacts_dir.is_dir() else {}
    else:
        results_dir = results_dir or git.results_dir(root, cfg.results_dir)
        if results_dir.exists() and not results_dir.is_dir():
            raise UsageError(f"--results-dir {results_dir}: not a directory")
        results = runner.load_results(results_dir) if results_dir.is_dir() else {}
    checklist = build(
        root,
        cfg,
        env,
        results=results,
        attestation=Attestation(_ids(attested), actor or os.environ.get("GITHUB_ACTOR")),
        environ=os.environ,
        sha=sha,
        hmac_key=hmac_key_from(os.environ),
        previous_deploy=_rollback_target(root, env),
    )
    output = output or root / cfg.checklist.output
    if output.is_dir():
        raise UsageError(f"-o {output}: is a directory; name the file to write")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(_json(checklist), encoding="utf-8")
    except OSError as exc:
        raise CiError(f"{output}: cannot write the checklist: {exc.strerror or exc}") from None
    markdown = Redactor.from_environ().redact(render.checklist_markdown(checklist))
    click.echo(markdown, nl=False)
    actions.append_summary(markdown)
    click.echo(_verdict(checklist, output), err=True)
    return ExitCode.FAILED if strict and not checklist.complete else ExitCode.OK


def _rollback_target(root: Path, env: str) -> str | None:
    previous = tags.previous_good(root, env)
    return f"{previous.name} ({previous.sha[:12]})" if previous else None


def _ids(attested: tuple[str, ...]) -> frozenset[str]:
    return frozenset(part.strip() for arg in attested for part in arg.split(",") if part.strip())


def _json(checklist: Checklist) -> str:
    return checklist.model_dump_json(indent=2) + "\n"


def _verdict(checklist: Checklist, output: Path) -> str:
    if checklist.complete:
        return f"{output}: complete"
    missing = ", ".join(item.id for item in checklist.incomplete_items)
    return f"{output}: incomplete; not passed: {missing}"


@checklist_group.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--sha", required=True, help="The commit about to be deployed.")
@click.option("--env", required=True, help="The environment about to be deployed to.")
def verify_command(file: Path, sha: str, env: str) -> int:
    """Exit 0 only if FILE is a complete checklist of exactly this SHA and environment."""
    cfg = _config_here()
    checklist = verify_file(
        file,
        sha=sha,
        env=env,
        hmac_key=hmac_key_from(os.environ),
        required=required_items(cfg.checklist.gates),
        require_signature=signing_required(cfg.environments.get(env)),
    )
    signed = "signed" if checklist.signature else "unsigned"
    click.echo(f"{file}: complete for {env} at {checklist.sha} ({signed}, {checklist.digest})")
    return ExitCode.OK


def _config_here() -> Config:
    """This repository's config; the defaults when verifying outside a clone."""
    try:
        return config.load(git.toplevel(Path.cwd()))
    except GitError:
        return Config()
