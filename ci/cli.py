"""The command line: parse, wire, and map every error to one line and an exit code.

Subcommands live in `ci.commands`, one module each. Only this module exits.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ci.core.errors import CiError, ExitCode, UsageError

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
    "hook": ("ci.commands.hook", "hook_group", "Entry points for pre-commit hooks."),
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
        "ci.commands.run",
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


class _LazyGroup(click.Group):
    """A group whose subcommands are imported on first use; `--help` lists their summaries."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        module, attribute, _ = _COMMANDS[cmd_name]
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="python -m ci",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except click.UsageError as exc:
        return _fail(exc.format_message(), ExitCode.USAGE)
    except click.ClickException as exc:
        return _fail(exc.format_message(), ExitCode.ERROR)
    except CiError as exc:
        return _fail(str(exc), exc.exit_code, tip=exc.tip)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except Exception:  # the one place a bug becomes a message, not a traceback
        return _unexpected()
    return int(result) if isinstance(result, int) else ExitCode.OK


def _fail(message: str, code: int, *, tip: str | None = None) -> int:
    from logsafe import Redactor  # only on the way out: it costs more than the CLI's start

    redactor = Redactor.from_environ()
    for line in message.splitlines() or [""]:
        click.echo(f"error: {redactor.redact(line)}", err=True)
    if tip:
        click.echo(f"tip: {redactor.redact(tip)}", err=True)
    return code


def _unexpected() -> int:
    import tempfile
    import traceback

    from logsafe import Redactor

    text = Redactor.from_environ().redact(traceback.format_exc())
    with tempfile.NamedTemporaryFile(
        "w", prefix="bottie-ci-", suffix=".log", delete=False, encoding="utf-8"
    ) as log:
        log.write(text)
    last = text.strip().splitlines()[-1] if text.strip() else "unknown error"
    return _fail(
        f"an unexpected error occurred: {last}",
        ExitCode.UNEXPECTED,
        tip=f"the traceback is in {log.name}; please report it",
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
