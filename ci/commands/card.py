"""`python -m ci card --env ENV`: the toggle card the approver reads before approving."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ci.checklist import card as toggle_card
from ci.checklist.render import card_markdown
from ci.core import actions, config, git, settings
from ci.core.errors import ExitCode
from logsafe import Redactor


@click.command("card")
@click.option("--env", required=True, help="The environment (testnet, mainnet).")
@click.option("--markdown", "as_markdown", is_flag=True, help="Print Markdown.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for incident snapshots).")
@click.option("--strict", is_flag=True, help="Exit 1 when the card has warnings.")
def card_command(env: str, as_markdown: bool, as_json: bool, strict: bool) -> int:
    """Show the toggles and risky settings of ENV (secrets only as set/unset), with warnings."""
    if as_markdown and as_json:
        raise click.UsageError("choose one of --markdown and --json")
    root = git.toplevel(Path.cwd())
    cfg = config.load(root)
    card = toggle_card.build(settings.resolve(cfg, env, os.environ), cfg.profile)
    redactor = Redactor.from_environ()
    markdown = redactor.redact(card_markdown(card))
    if as_json:
        click.echo(redactor.redact(json.dumps(card.to_json(), indent=2)))
    elif as_markdown:
        click.echo(markdown, nl=False)
    else:
        _print_table(card, redactor)
    actions.append_summary(markdown)
    return ExitCode.FAILED if strict and card.warnings else ExitCode.OK


def _print_table(card: toggle_card.Card, redactor: Redactor) -> None:
    console = Console(highlight=False)
    table = Table(title=f"Toggle card: {card.env} ({card.network})")
    for column in ("setting", "value", "from"):
        table.add_column(column)
    for s in card.settings:
        # Text, not markup: a value like "[red]" is shown as typed.
        value = Text(s.display, style="italic") if s.secret else Text(redactor.redact(s.display))
        table.add_row(s.name, value, s.source.value)
    console.print(table)
    for warning in card.warnings:
        console.print(f"[yellow]warning:[/] {escape(redactor.redact(warning))}")
    if not card.warnings:
        console.print("no warnings")
