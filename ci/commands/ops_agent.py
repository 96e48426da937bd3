"""`ops-agent`: the ssh target's operations agent, for the restricted key of the `<env>-ops`
environments (`ci/deploy/ops_agent.py` says what that key may do)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ci.core import config, git
from ci.core.errors import ConfigError, ExitCode
from ci.deploy import agent
from ci.deploy.ops_agent import authorized_keys_options
from ci.deploy.targets.registry import ROOT_ENV


@click.command("ops-agent")
@click.argument("path_on_host")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bottie-agent.pyz"),
    show_default=True,
    help="Where to write the agent here, to copy to the host.",
)
def ops_agent_command(path_on_host: str, output: Path) -> int:
    """Write the operations agent and print the authorized_keys options of the ops key.

    Copy OUTPUT to PATH_ON_HOST on the bot's host, and put the printed options before the
    public half of the operations key (the secret BOTTIE_SSH_OPS_KEY) in the deploy user's
    authorized_keys. Run it again after upgrading the pipeline."""
    cfg = config.load(git.toplevel(Path.cwd()))
    if cfg.deploy.target != "ssh":
        raise ConfigError('the operations agent is for [tool.bottie.deploy] target = "ssh"')
    switch = cfg.profile.kill_switch
    if switch is None:
        raise ConfigError(
            "the bot profile names no kill switch ([tool.bottie.profile] kill_switch): "
            "the operations key would have nothing to pause"
        )
    root = os.environ.get(ROOT_ENV) or cfg.deploy.root
    options = authorized_keys_options(
        cfg.deploy.ssh.python, path_on_host, root, switch.name, switch.off
    )
    output.write_bytes(agent.bundle())
    click.echo(f"wrote {output}: copy it to {path_on_host} on the bot's host", err=True)
    click.echo(options)
    return ExitCode.OK
