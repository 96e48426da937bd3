"""`bottie-ci bot-env [DIR]`: build the bot's own environment from its hash-locked lock.

The environment the bot's code runs under (tests, smoke, deploy; see ci/core/botenv.py)
is built from `[tool.bottie.audit] requirements` into DIR (default: the venv of the
configured interpreter, `.venv` for `.venv/bin/python`). Under GitHub Actions the step
output `python` names its interpreter, for the gate step's BOTTIE_BOT_PYTHON; it is empty
when no bot interpreter is configured (the gates then use the pipeline's own).
"""

from __future__ import annotations

from pathlib import Path

import click

from ci.core import actions, botenv, config, git
from ci.core.errors import ExitCode


@click.command("bot-env")
@click.argument("into", required=False, type=click.Path(path_type=Path))
def bot_env_command(into: Path | None) -> int:
    """Build the bot's own environment from its hash-locked requirements (DIR: where)."""
    root = git.toplevel(Path.cwd())
    cfg = config.load(root)
    if not botenv.configured(cfg.python):
        actions.set_output("python", "")
        click.echo(
            "no bot environment configured ([tool.bottie] python): the gates run the bot's "
            "code under the pipeline's interpreter"
        )
        return ExitCode.OK
    target = into.absolute() if into else botenv.default_venv(root, cfg.python)
    python = botenv.build(root, cfg.audit.requirements, target)
    actions.set_output("python", python)
    click.echo(f"built the bot's environment from {', '.join(cfg.audit.requirements)}: {python}")
    return ExitCode.OK
