"""The command line: parse, wire, and map every error to one line and an exit code.

Subcommands live in `ci.commands`, one module each. Only this module exits.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import traceback
from collections.abc import Sequence

import click

from ci.core.errors import CiError, ExitCode
from logsafe import Redactor

# name -> "module:attribute"; a subcommand's module is imported only when it runs (or
# --help lists it), so `ci run secrets` does not pay for the deploy and GitHub code.
COMMANDS = {
    "run": "ci.commands.run:run_command",
    "checklist": "ci.commands.checklist:checklist_group",
    "card": "ci.commands.card:card_command",
    "scan": "ci.commands.scan:scan_command",
    "hook": "ci.commands.hook:hook_group",
    "incident": "ci.commands.incident:incident_group",
    "approval": "ci.commands.approval:approval_group",
    "github": "ci.commands.github:github_group",
    **{
        name: f"ci.commands.deploy:{name}_command"
        for name in ("deploy", "rollback", "pause", "resume", "restore", "history", "status")
    },
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=None, version=__import__("ci").__version__)
def cli() -> None:
    """The Bottie pipeline: gates, checklist, gated deploy."""


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
