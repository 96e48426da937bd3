"""The operations checklist: one small check per item, each `(ItemContext) -> Item`.

A check returns PASSED or FAILED when it can decide, and MISSING when nothing
automatic can (no mainnet key at hand, first deploy, a human review). Only a
MISSING item may be attested; an automatic failure cannot be talked away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from ci.checklist import card
from ci.checklist.exchanges import PLUGINS, Credentials, ExchangeError
from ci.checklist.model import Item, ItemKind, ItemStatus, gate_item_id
from ci.core.config import Config
from ci.core.profile import NO_PROFILE
from ci.core.result import GateResult, Status
from ci.core.settings import Settings


@dataclass(frozen=True)
class ItemContext:
    root: Path
    config: Config
    settings: Settings
    results: Mapping[str, GateResult]
    sha: str
    previous_deploy: str | None = None  # "<deploy tag> (<sha>)": the rollback target


def _item(item_id: str, title: str, status: ItemStatus, evidence: str) -> Item:
    return Item(id=item_id, title=title, kind=ItemKind.AUTOMATIC, status=status, evidence=evidence)


def _verdict(item_id: str, title: str, problem: str | None, evidence: str) -> Item:
    if problem:
        return _item(item_id, title, ItemStatus.FAILED, problem)
    return _item(item_id, title, ItemStatus.PASSED, evidence)


def gate_item(ctx: ItemContext, gate: str, item_id: str, title: str) -> Item:
    result = ctx.results.get(gate)
    if result is None:
        return _item(item_id, title, ItemStatus.MISSING, f"no saved result of the {gate} gate")
    if result.sha != ctx.sha:
        ran_on = f"commit {result.sha[:12]}" if result.sha else "uncommitted changes"
        return _item(
            item_id,
            title,
            ItemStatus.FAILED,
            f"the {gate} gate ran on {ran_on}, not {ctx.sha[:12]}",
        )
    status = ItemStatus.PASSED if result.status is Status.PASSED else ItemStatus.FAILED
    return _item(item_id, title, status, f"{gate} gate {result.status.value}: {result.summary}")


def env_files(ctx: ItemContext) -> Item:
    gate = ctx.config.checklist.env_gate
    return gate_item(ctx, gate, "env-files", ".env is gitignored and .env.example is current")


def gate_items(ctx: ItemContext) -> list[Item]:
    return [
        gate_item(ctx, gate, gate_item_id(gate), f"the {gate} gate passed on this SHA")
        for gate in ctx.config.checklist.gates
    ]


def api_keys(ctx: ItemContext) -> Item:
    item_id, title = "api-keys", "API keys are testnet keys or minimal-scope mainnet keys"
    profile = ctx.config.profile
    if not profile.described:
        return _item(item_id, title, ItemStatus.FAILED, NO_PROFILE)
    url = profile.exchange_url
    if url is None:
        why = "the bot profile names no exchange-URL variable: attest which keys these are"
        return _item(item_id, title, ItemStatus.MISSING, why)
    base_url = ctx.settings.get(url.name)
    if not base_url:
        return _item(item_id, title, ItemStatus.FAILED, f"{url.name} is not set")
    host = urlsplit(base_url).hostname or ""
    network = url.network_of(host)
    if ctx.settings.network == "testnet":
        problem = None if network == "testnet" else f"{url.name} host {host!r} is not a testnet"
        return _verdict(item_id, title, problem, f"testnet environment on {host}")
    if network == "testnet":
        problem = f"mainnet environment points at the testnet host {host!r}"
        return _item(item_id, title, ItemStatus.FAILED, problem)
    values = [ctx.settings.get(name) for name in profile.credentials]
    if not profile.credentials or not all(values):
        why = "no mainnet key at hand to ask the exchange about its permissions"
        return _item(item_id, title, ItemStatus.MISSING, why)
    return _mainnet_key(item_id, title, base_url, [v or "" for v in values], ctx)


def _mainnet_key(
    item_id: str, title: str, base_url: str, credentials: list[str], ctx: ItemContext
) -> Item:
    exchange = ctx.config.profile.exchange
    check = PLUGINS.get(exchange)
    if check is None:
        why = (
            f"no permission check for exchange {exchange or '(none named)'}: attest the key's scope"
        )
        return _item(item_id, title, ItemStatus.MISSING, why)
    timeout = ctx.config.checklist.exchange_timeout
    try:
        problems = check(base_url, Credentials.from_values(credentials), timeout=timeout)
    except ExchangeError as exc:
        return _item(item_id, title, ItemStatus.FAILED, f"could not check the key: {exc}")
    problem = "the key is too powerful: " + "; ".join(problems) if problems else None
    evidence = f"{exchange}: no withdrawals or transfers, bound to trusted IPs"
    return _verdict(item_id, title, problem, evidence)


def cors(ctx: ItemContext) -> Item:
    item_id, title = "cors", "CORS is not wide open"
    variable = ctx.config.profile.cors
    if variable is None:
        why = "the bot profile names no CORS variable: attest that the bot serves no browser"
        return _item(item_id, title, ItemStatus.MISSING, why)
    origins = ctx.settings.get(variable)
    if origins is None:
        problem: str | None = f"{variable} is not set (the bot's default may allow any origin)"
    else:
        problem = f"{variable} allows any origin (*)" if card.cors_wide_open(origins) else None
    return _verdict(item_id, title, problem, f"{variable}={origins}")


def dashboard_poll(ctx: ItemContext) -> Item:
    item_id, title = "dashboard-poll", "dashboard polling interval is within bounds"
    poll = ctx.config.profile.poll
    if poll is None:
        why = "the bot profile names no polling variable: attest that nothing polls the bot"
        return _item(item_id, title, ItemStatus.MISSING, why)
    value = ctx.settings.get(poll.name)
    return _verdict(item_id, title, card.poll_problem(value, poll), f"{poll.name}={value}")


def state_files(ctx: ItemContext) -> Item:
    item_id, title = "state-files", "the bot's JSON state files are listed for backup"
    files = ctx.config.profile.state_files
    bad = [f for f in files if not _plain_json_name(f)]
    if not files:
        why = "no state files listed in [tool.bottie.profile] state_files: attest none are kept"
        return _item(item_id, title, ItemStatus.MISSING, why)
    problem = f"not a relative .json path under STATE_DIR: {', '.join(bad)}" if bad else None
    return _verdict(item_id, title, problem, "backed up before the switch: " + ", ".join(files))


def decisions(ctx: ItemContext) -> Item:
    item_id, title = "decisions", "no adoption decision is left open"
    open_ = ctx.config.profile.decisions
    if open_:
        problem = f"{len(open_)} open decision(s) in [tool.bottie.profile] decisions: " + "; ".join(
            open_
        )
        return _item(item_id, title, ItemStatus.FAILED, problem)
    return _item(item_id, title, ItemStatus.PASSED, "none open")


def _plain_json_name(name: str) -> bool:
    path = PurePosixPath(name)
    return path.suffix == ".json" and not path.is_absolute() and ".." not in path.parts


def rollback_target(ctx: ItemContext) -> Item:
    item_id, title = "rollback-target", "a rollback target exists (or this is the first deploy)"
    if ctx.previous_deploy is None:
        why = f"no earlier deploy/{ctx.settings.env}/* tag: attest that this is the first deploy"
        return _item(item_id, title, ItemStatus.MISSING, why)
    return _item(item_id, title, ItemStatus.PASSED, ctx.previous_deploy)


def toggle_card(ctx: ItemContext) -> Item:
    item_id, title = "toggle-card", "the toggle card was reviewed"
    found = card.warnings(ctx.settings, ctx.config.profile)
    warned = f"{len(found)} warning(s): " + "; ".join(found) if found else "no warnings"
    return _item(item_id, title, ItemStatus.MISSING, f"needs a person's review; {warned}")


def run_all(ctx: ItemContext) -> list[Item]:
    """Every item, in the order the checklist lists them."""
    return [
        env_files(ctx),
        decisions(ctx),
        api_keys(ctx),
        *gate_items(ctx),
        cors(ctx),
        dashboard_poll(ctx),
        state_files(ctx),
        rollback_target(ctx),
        toggle_card(ctx),
    ]
