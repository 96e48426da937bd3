"""`python -m ci approval verify --run-id ID`: fail closed without a second person's approval."""

from __future__ import annotations

import os

import click

from ci.core import actions
from ci.core.errors import ExitCode
from ci.github.approvals import Api, verify


@click.group("approval")
def approval_group() -> None:
    """Check GitHub's record of who approved a workflow run."""


@approval_group.command("verify")
@click.option("--run-id", type=int, required=True, help="The workflow run (GITHUB_RUN_ID).")
@click.option("--env", "env", default="mainnet", show_default=True, help="The environment.")
@click.option("--repo", default=None, help="OWNER/REPO (default: GITHUB_REPOSITORY).")
@click.option(
    "--fallback-workflow",
    default="",
    help="Private repositories: the approve workflow file whose runs count as approvals.",
)
@click.option(
    "--run-attempt",
    type=int,
    default=None,
    help="The attempt being deployed (GITHUB_RUN_ATTEMPT): an older one's approval is refused.",
)
def verify_command(
    run_id: int, env: str, repo: str | None, fallback_workflow: str, run_attempt: int | None
) -> int:
    """Exit 0 only if someone other than the run's actor approved RUN_ID for ENV.

    Prints the approver; under GitHub Actions also sets the step output `approver`.
    """
    api = Api.from_environ(os.environ, repo)
    approval = verify(api, run_id, env, fallback_workflow, run_attempt)
    click.echo(
        f"run {run_id} approved for {env} by {approval.approver} "
        f"(started by {approval.actor}; {approval.source})"
    )
    actions.set_output("approver", approval.approver)
    return ExitCode.OK
