"""The command line: parse, wire, and map every error to one line and an exit code.

Subcommands live in `ci.commands`, one module each. Only this module exits.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from ci.commands.approval import approval_group
from ci.commands.card import card_command
from ci.commands.checklist import checklist_group
from ci.commands.deploy import COMMANDS as DEPLOY_COMMANDS
from ci.commands.github import github_group
from ci.commands.hook import hook_group
from ci.commands.incident import incident_group
from ci.commands.init import init_command
from ci.commands.run import run_command
from ci.commands.scan import scan_command
from ci.core.errors import CiError, ExitCode, UsageError
from logsafe import Redactor


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


cli.add_command(run_command)
cli.add_command(checklist_group)
cli.add_command(card_command)
cli.add_command(scan_command)
cli.add_command(hook_group)
cli.add_command(incident_group)
cli.add_command(approval_group)
cli.add_command(github_group)
cli.add_command(init_command)
for command in DEPLOY_COMMANDS:
    cli.add_command(command)


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
    redactor = Redactor.from_environ()
    for line in message.splitlines() or [""]:
        click.echo(f"error: {redactor.redact(line)}", err=True)
    if tip:
        click.echo(f"tip: {redactor.redact(tip)}", err=True)
    return code


def _unexpected() -> int:
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
