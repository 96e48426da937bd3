"""The entry point: run a command, and map every error to one line and an exit code.

The command line is defined once, with click, in `ci.cli_group`. Two shapes skip click's
import (about 19 ms, a fifth of a lint run's start-up): `hook ...`, the commit hooks, which
take no option and parse their own arguments, and `run [GATE ...]` with no option
(`./dev run lint`), which is `run` with every option at its default (tests/test_cli.py
holds both to click's answers). Anything else goes through click; a `rollback` starts its bot
first (ci/commands/early_rollback.py), click still reading its command line. Only this module
exits.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ci.core.errors import CiError, ExitCode

TYPE_CHECKING = False  # `typing` only for the type checker: every command starts here
if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _plain(args)
        if code is None:
            with _rollback_bot(args):
                code = _with_click(args)
        return code
    except CiError as exc:
        return _fail(str(exc), exc.exit_code, tip=exc.tip)
    except KeyboardInterrupt:
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except Exception:  # the one place a bug becomes a message, not a traceback
        return _unexpected()


def entry() -> NoReturn:
    """The process's entry point (`python -m ci`, the `bottie-ci` script): `main`, then exit
    without collecting, one last time, the garbage of every module the command loaded.

    At exit CPython clears each module and runs full collections over everything still
    loaded: after a rollback (pydantic, the config models, the deployer), about 50 ms of CPU
    once the bot is healthy and the command is done. Frozen first (`gc.freeze`), what is still
    loaded is freed by its reference counts as the modules are cleared, and `atexit` runs as
    before; only cycles still alive at exit are not collected, whose `__del__` Python never
    promised to run at exit. A command closes its files, locks and processes in `with` blocks
    before `main` returns."""
    code = main()
    import gc

    gc.freeze()
    sys.exit(code)


def _plain(args: list[str]) -> int | None:
    """The exit code of a command run without click, or None when click must parse `args`."""
    if args[:1] == ["hook"]:
        from ci.commands import hook

        return hook.main(args[1:])
    if args[:1] == ["run"] and not any(arg.startswith("-") for arg in args[1:]):
        from ci.commands import run

        return run.run(args[1:])
    return None


def _rollback_bot(args: list[str]) -> AbstractContextManager[None]:
    """For `rollback`: its bot started before click is imported (ci/commands/early_rollback.py)."""
    if args[:1] != ["rollback"]:
        from contextlib import nullcontext

        return nullcontext()
    from ci.commands import early_rollback

    return early_rollback.started(args[1:])


def _with_click(args: list[str]) -> int:
    import click

    from ci.cli_group import cli

    try:
        result = cli.main(args=args, prog_name="python -m ci", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        return _fail("interrupted", ExitCode.INTERRUPTED)
    except click.UsageError as exc:
        return _fail(exc.format_message(), ExitCode.USAGE)
    except click.ClickException as exc:
        return _fail(exc.format_message(), ExitCode.ERROR)
    return int(result) if isinstance(result, int) else ExitCode.OK


def _fail(message: str, code: int, *, tip: str | None = None) -> int:
    from logsafe import Redactor  # only on the way out: it costs more than the CLI's start

    redactor = Redactor.from_environ()
    lines = [f"error: {redactor.redact(line)}" for line in message.splitlines() or [""]]
    if tip:
        lines.append(f"tip: {redactor.redact(tip)}")
    sys.stderr.write("".join(f"{line}\n" for line in lines))
    sys.stderr.flush()
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
