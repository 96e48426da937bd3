"""`deploy`, `rollback`, `pause`, `resume`, `restore`, `history`, `status`: one environment's
releases on its deploy target."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ci.commands import early_rollback
from ci.core import actions, git
from ci.core.errors import ExitCode
from ci.deploy import early

if TYPE_CHECKING:
    from ci.deploy.deployer import Deployer


def _deployer(env: str, root: Path | None = None, started: early.Started | None = None) -> Deployer:
    # Here: the config models and the deployer are most of a command's start-up, and a
    # rollback starts its bot before them (ci/deploy/early.py). The collector is paused while
    # they load: their import leaves next to no garbage (about 600 objects, found by some 70
    # collections costing about 16 ms of CPU beside the rollback's starting bot).
    collecting = gc.isenabled()
    gc.disable()
    try:
        from ci.core import config
        from ci.deploy.deployer import Deployer
    finally:
        if collecting:
            gc.enable()

    root = root or git.toplevel(Path.cwd())
    cfg = config.load(root)
    if started is None:
        return Deployer(root, cfg, env)
    environ = dict(os.environ)
    return Deployer(root, cfg, env, environ, started.target_for(cfg, env, environ))


@contextmanager
def _for_command(deployer: Deployer) -> Iterator[Deployer]:
    """The deployer for one command. Whatever it has to tell the operator is printed even
    when it fails, and its target is closed when the command ends: the ssh target's session
    (with the host's lock) ends with the command, not with the process that ran it."""
    try:
        yield deployer
    finally:
        deployer.target.close()
        for note in deployer.notes:
            click.echo(f"note: {note}", err=True)


def _push_default() -> bool:
    return actions.active()


_approver = click.option(
    "--approver",
    default=lambda: os.environ.get("GITHUB_ACTOR", "local"),
    show_default="GITHUB_ACTOR or 'local'",
    help="Who approved this deploy.",
)
_push = click.option(
    "--push/--no-push",
    default=_push_default,
    show_default="on in GitHub",
    help="Push the deploy tag to origin.",
)


@click.command("deploy")
@click.argument("env")
@click.option("--sha", default="HEAD", show_default=True, help="The commit to deploy.")
@click.option(
    "--checklist",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("checklist.json"),
    show_default=True,
)
@_approver
@_push
def deploy_command(env: str, sha: str, checklist: Path, approver: str, push: bool) -> int:
    """Verify the checklist, deploy SHA to ENV, health-check it, tag it (or roll back)."""
    with _for_command(_deployer(env)) as deployer:
        outcome = deployer.deploy(sha, checklist=checklist, approver=approver, push=push)
    click.echo(f"deployed {outcome.release} to {env}: tagged {outcome.tag}")
    return ExitCode.OK


@click.command("rollback")
@click.argument("env")
@click.option("--to", "to", default=None, help="Deploy tag to redeploy (default: previous good).")
@click.option(
    "--with-current-env",
    is_flag=True,
    help="Redeploy with today's environment instead of the release's own.",
)
@_approver
@_push
def rollback_command(
    env: str, to: str | None, with_current_env: bool, approver: str, push: bool
) -> int:
    """Redeploy a prior deploy tag of ENV through the same path, with its own environment."""
    root, git_dir = git.locate(Path.cwd())
    own_env = not with_current_env
    with ExitStack() as held:
        # Started before click parsed this line (ci/commands/early_rollback.py), or now.
        started = early_rollback.take(root, env, to, own_env=own_env) or held.enter_context(
            early.rollback_bot(root, git_dir, env, to, os.environ, own_env=own_env)
        )
        deployer = held.enter_context(_for_command(_deployer(env, root, started)))
        when = started.when if started else None
        outcome = deployer.rollback(
            to, approver=approver, push=push, current_env=with_current_env, when=when
        )
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"rolled back {env} to {outcome.release}: tagged {outcome.tag}")
    return ExitCode.OK


@click.command("pause")
@click.argument("env")
def pause_command(env: str) -> int:
    """Kill switch: turn ENV's bot's trading off and restart it, now (no checklist).

    The pause holds through later deploys, rollbacks and restores until `resume`."""
    with _for_command(_deployer(env)) as deployer:
        deployer.pause()
    switch = deployer.config.profile.kill_switch
    assert switch is not None  # pause refused otherwise
    click.echo(f"{env} paused: {switch.name}={switch.off}, and the bot reports it stopped")
    return ExitCode.OK


@click.command("resume")
@click.argument("env")
@click.option(
    "--yes-trade",
    is_flag=True,
    required=True,
    help="Required: you mean to let the bot trade again.",
)
def resume_command(env: str, yes_trade: bool) -> int:
    """Undo `pause`: restore the kill switch as it was before the pause."""
    with _for_command(_deployer(env)) as deployer:
        before = deployer.resume()
    switch = deployer.config.profile.kill_switch
    click.echo(f"{env} resumed: {switch.name if switch else 'kill switch'}={before}")
    return ExitCode.OK


@click.command("restore")
@click.argument("env")
@click.option("--from", "release", default=None, help="Backup (release id); default: newest.")
def restore_command(env: str, release: str | None) -> int:
    """Put a state backup (taken before a deploy) back and restart the bot."""
    with _for_command(_deployer(env)) as deployer:
        chosen = deployer.restore(release)
    click.echo(f"{env}: state restored from the backup taken before {chosen}")
    return ExitCode.OK


@click.command("history")
@click.argument("env")
def history_command(env: str) -> int:
    """Every deploy attempt on ENV: when, outcome, tag, SHA, approver."""
    with _for_command(_deployer(env)) as deployer:
        history = deployer.target.history()
    for entry in history:
        sha = str(entry.get("sha") or "")[:12]
        what = entry.get("tag") or entry.get("release") or entry.get("backup") or ""
        extra = entry.get("reason") or (
            f"approved by {entry['approver']}" if entry.get("approver") else ""
        )
        click.echo(f"{entry.get('at')}  {entry.get('outcome'):<10} {what}  {sha}  {extra}".rstrip())
    return ExitCode.OK


@click.command("status")
@click.argument("env")
def status_command(env: str) -> int:
    """What is live on ENV, and whether it is healthy on ENV's network (exit 1 when not)."""
    with _for_command(_deployer(env)) as deployer:
        target, expected = deployer.target, deployer.config.environments[env].network
        live = target.live()
        if live is None:
            return _nothing_live(deployer)
        health = target.health() if target.running() else None
        paused = " (paused)" if target.paused() is not None else ""
    state = health.detail if health else "not running"
    good = bool(health and health.ok and health.network == expected)
    if health and health.ok:
        state = f"healthy on {health.network}"
        if not good:
            state += f", but {env} is {expected}"
    click.echo(f"{env}: {live}{paused}: {state}")
    return ExitCode.OK if good else ExitCode.FAILED


def _nothing_live(deployer: Deployer) -> int:
    """Nothing live: an alarm (exit 1) when the environment was ever deployed, by its deploy
    tags (each successful deploy pushes one) or its deploy log (a switch was made). Before the
    first deploy it is not: the ladder starts on testnet, and mainnet's scheduled status check
    must not fail every 15 minutes for the weeks before its first deploy. A shallow clone
    without tags cannot tell, so it alarms (status.yml fetches the whole history)."""
    from ci.deploy import tags

    env = deployer.env
    newest = tags.previous_good(deployer.root, env)
    switched = any(entry.get("outcome") == "switching" for entry in deployer.target.history())
    if newest is not None or switched:
        evidence = newest.name if newest is not None else "its deploy log"
        click.echo(f"{env}: nothing live, but {evidence} says it was deployed")
        return ExitCode.FAILED
    if git.output(deployer.root, "rev-parse", "--is-shallow-repository").strip() == "true":
        click.echo(
            f"{env}: nothing live, and this shallow clone has no deploy tags to tell if it was"
        )
        return ExitCode.FAILED
    click.echo(f"{env}: nothing deployed yet (no deploy tag, no switch in its deploy log)")
    return ExitCode.OK
