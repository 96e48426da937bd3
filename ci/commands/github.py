"""`python -m ci github setup`: print (or, with --apply, run) the exact `gh` calls."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click

from ci.core import actions, config, git, proc
from ci.core.config import Config
from ci.core.errors import CiError, ExitCode, GitError, UsageError
from ci.github.setup import Call, plan, secrets_of, uses_ssh
from ci.github.steps import promotable, push_deploy_tag

_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_GH_HINT = "install the GitHub CLI (https://cli.github.com) and run gh auth login"


@click.group("github")
def github_group() -> None:
    """Set up the GitHub side of the pipeline."""


@github_group.command("setup")
@click.option("--repo", default=None, help="OWNER/REPO (default: GITHUB_REPOSITORY).")
@click.option("--reviewer", "reviewers", multiple=True, help="A mainnet reviewer's login (repeat).")
@click.option("--apply", is_flag=True, help="Run the calls (default: only print them).")
def setup_command(repo: str | None, reviewers: tuple[str, ...], apply: bool) -> int:
    """Environments testnet and mainnet (reviewers, no self-review), their secrets, and the
    rulesets for deploy tags and main. Dry run by default."""
    repository = repo or os.environ.get("GITHUB_REPOSITORY", "")
    if not _REPO.fullmatch(repository):
        raise UsageError(f"--repo: expected OWNER/REPO, got {repository or 'nothing'!r}")
    ids: dict[str, int | None] = dict.fromkeys(reviewers)
    if not apply:
        config = _config_here()
        click.echo("# dry run: the calls --apply would make, in order")
        for call in plan(repository, ids, secrets_of(config), ssh=uses_ssh(config)):
            click.echo(f"# {call.why}\n{call.render()}" if call.why else call.render())
        return ExitCode.OK
    gh = proc.which("gh", install_hint=_GH_HINT)
    config = _config_here()
    for login in reviewers:
        answer = _run(gh, Call(("gh", "api", f"users/{login}", "--jq", ".id"), why=login))
        if not answer.isdigit():
            raise CiError(f"reviewer {login}: GitHub returned no user id")
        ids[login] = int(answer)
    for call in plan(repository, ids, secrets_of(config), ssh=uses_ssh(config)):
        if call.argv[:2] == ("gh", "api") and call.argv[2].startswith("users/"):
            continue  # looked up above
        if call.argv[1] in {"secret", "variable"}:
            click.echo(f"{call.render()}   # run it yourself: it prompts for the value")
            continue
        _run(gh, call)
        click.echo(f"done: {call.why}")
    return ExitCode.OK


@github_group.command("promote-sha")
@click.option("--sha", "wanted", default="", help="A commit (default: the newest testnet deploy).")
def promote_sha_command(wanted: str) -> int:
    """The commit promote takes to mainnet; it must carry a testnet deploy tag.

    Prints it; under GitHub Actions also sets the step output `sha`.
    """
    sha = promotable(git.toplevel(Path.cwd()), wanted)
    actions.set_output("sha", sha)
    click.echo(f"promoting {sha}")
    return ExitCode.OK


@github_group.command("push-tag")
@click.argument("env")
@click.option("--sha", default="", help="The deployed commit the tag must point at.")
def push_tag_command(env: str, sha: str) -> int:
    """Push the newest deploy tag of ENV to origin with GH_TOKEN (this process only).

    Under GitHub Actions also sets the step output `tag`.
    """
    tag = push_deploy_tag(git.toplevel(Path.cwd()), env, os.environ, sha)
    actions.set_output("tag", tag)
    click.echo(f"pushed {tag}")
    return ExitCode.OK


def _run(gh: str, call: Call) -> str:
    stdin = json.dumps(call.body) if call.body is not None else None
    result = proc.run([gh, *call.argv[1:]], cwd=Path.cwd(), stdin=stdin, timeout=60)
    if not result.ok:
        raise CiError(f"{call.why or call.argv[2]}: gh failed: {result.describe()}")
    return result.stdout.strip()


def _config_here() -> Config:
    """This repository's configuration; the defaults outside a clone."""
    try:
        return config.load(git.toplevel(Path.cwd()))
    except GitError:
        return Config()
