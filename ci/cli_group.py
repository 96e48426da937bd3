"""The command line's one definition (click): the group, its options, its subcommands.

Subcommands live in `ci.commands`, one module each; `ci.cli` runs this group and maps every
error to one line and an exit code.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import click

from ci.core.errors import UsageError

# Each subcommand is imported only when it runs, so `--help` and a quick command do not pay for
# httpx, pydantic, rich and every gate. The summary is the first paragraph of the command's
# docstring (tests/test_cli.py checks that they agree), which `--help` lists as click would.
_COMMANDS: dict[str, tuple[str, str, str]] = {
    "approval": (
        "ci.commands.approval",
        "approval_group",
        "Check GitHub's record of who approved a workflow run.",
    ),
    "bot-env": (
        "ci.commands.botenv",
        "bot_env_command",
        "Build the bot's own environment from its hash-locked requirements (DIR: where).",
    ),
    "card": (
        "ci.commands.card",
        "card_command",
        "Show the toggles and risky settings of ENV (secrets only as set/unset), with warnings.",
    ),
    "checklist": (
        "ci.commands.checklist",
        "checklist_group",
        "Build and verify the deploy checklist (checklist.json).",
    ),
    "deploy": (
        "ci.commands.deploy",
        "deploy_command",
        "Verify the checklist, deploy SHA to ENV, health-check it, tag it (or roll back).",
    ),
    "github": ("ci.commands.github", "github_group", "Set up the GitHub side of the pipeline."),
    "history": (
        "ci.commands.deploy",
        "history_command",
        "Every deploy attempt on ENV: when, outcome, tag, SHA, approver.",
    ),
    "hook": ("ci.commands.hook", "main", "Entry points for pre-commit hooks."),
    "init": (
        "ci.commands.init",
        "init_command",
        "Inspect this repository and write what adopting the pipeline takes.",
    ),
    "incident": (
        "ci.commands.incident",
        "incident_group",
        "Incident response helpers (see the README's runbook).",
    ),
    "ops-agent": (
        "ci.commands.ops_agent",
        "ops_agent_command",
        "Write the operations agent and print the authorized_keys options of the ops key.",
    ),
    "pause": (
        "ci.commands.deploy",
        "pause_command",
        "Kill switch: turn ENV's bot's trading off and restart it, now (no checklist).",
    ),
    "restore": (
        "ci.commands.deploy",
        "restore_command",
        "Put a state backup (taken before a deploy) back and restart the bot.",
    ),
    "resume": (
        "ci.commands.deploy",
        "resume_command",
        "Undo `pause`: restore the kill switch as it was before the pause.",
    ),
    "rollback": (
        "ci.commands.deploy",
        "rollback_command",
        "Redeploy a prior deploy tag of ENV through the same path, with its own environment.",
    ),
    "run": (
        "ci.commands.run_cli",
        "run_command",
        "Run the chosen GATES (default: all) and exit 0 only if all passed.",
    ),
    "scan": (
        "ci.commands.scan",
        "scan_command",
        "Scan files or folders about to be uploaded; exit 1 if any holds a secret.",
    ),
    "status": (
        "ci.commands.deploy",
        "status_command",
        "What is live on ENV, and whether it is healthy on ENV's network (exit 1 when not).",
    ),
}

# Commands that parse their own arguments, with no click: `hook ...` (each commit starts one).
PLAIN = frozenset({"hook"})


class _LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; `--help` lists their summaries."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, attribute, summary = _COMMANDS[cmd_name]
        if cmd_name in PLAIN:  # it parses its own arguments (`ci.cli`): hand them over as given
            return click.Command(
                cmd_name,
                callback=lambda args: getattr(importlib.import_module(module), attribute)(args),
                params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
                context_settings={"ignore_unknown_options": True},
                add_help_option=False,
                help=summary,
            )
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            # click suggests a near name from `self.commands`, which this group leaves empty.
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=_COMMANDS, ctx=exc.ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in _COMMANDS)
        rows = [
            (name, click.Command(name, help=summary).get_short_help_str(limit))
            for name, (_, _, summary) in sorted(_COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=None, version=__import__("ci").__version__)
@click.option(
    "-C",
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run against the repository in DIR (as if started there).",
)
def cli(repo: Path | None) -> None:
    """The Bottie pipeline: gates, checklist, gated deploy."""
    if repo is not None:
        # Every command finds its repository from the working directory, as git -C does.
        try:
            os.chdir(repo)
        except OSError as exc:
            raise UsageError(f"-C {repo}: {exc.strerror or exc}") from None
