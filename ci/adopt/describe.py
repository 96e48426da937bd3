"""The `[tool.bottie]` table `ci init` writes for what `inspect` found.

Whatever the code cannot tell is written as an open decision in the profile's `decisions`
list, never as a silent default: the `decisions` checklist item fails while any is open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ci.adopt.inspect import App, Findings

BEGIN = "# -- bottie-ci init: begin"
END = "# -- bottie-ci init: end"

# Hosts each exchange documents for its test network and its live one; an exchange whose
# test network shares the live host (OKX's demo trading is a header) cannot be told by URL.
HOSTS = {
    # https://developers.binance.com/docs/binance-spot-api-docs/testnet
    "binance": (["testnet.binance.vision", "testnet.binancefuture.com"], ["api.binance.com"]),
    # https://bybit-exchange.github.io/docs/v5/guide (mainnet and testnet domains)
    "bybit": (["api-testnet.bybit.com"], ["api.bybit.com", "api.bytick.com"]),
}
DEFAULT_ATTESTABLE = [
    "api-keys",
    "cors",
    "dashboard-poll",
    "state-files",
    "rollback-target",
    "toggle-card",
]


@dataclass(frozen=True)
class Description:
    toml: str
    decisions: list[str]


def value(obj: object) -> str:
    """A TOML value for plain data (strings, numbers, booleans, lists, inline tables)."""
    if isinstance(obj, bool):
        return "true" if obj else "false"
    if isinstance(obj, int | float):
        return str(obj)
    if isinstance(obj, str):
        return json.dumps(obj)  # a JSON string is a valid TOML basic string
    if isinstance(obj, list):
        return "[" + ", ".join(value(v) for v in obj) + "]"
    if isinstance(obj, dict):
        inner = ", ".join(f"{key(k)} = {value(v)}" for k, v in obj.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(type(obj).__name__)


def key(name: str) -> str:
    """A bare TOML key when it can be one, else a quoted one."""
    return name if name.replace("_", "").replace("-", "").isalnum() else json.dumps(name)


def _table(name: str, entries: dict[str, object]) -> list[str]:
    lines = [f"[{name}]"]
    for k, v in entries.items():
        if v is None:
            continue
        line = f"{key(k)} = {value(v)}"
        if isinstance(v, list) and len(line) > 100:  # one item a line: easy to edit and delete
            line = f"{key(k)} = [\n" + "".join(f"  {value(item)},\n" for item in v) + "]"
        lines.append(line)
    return [*lines, ""]


def describe(found: Findings) -> Description:
    decisions: list[str] = []
    exchange = found.exchange
    if exchange is None:
        seen = ", ".join(found.exchanges) or "none"
        decisions.append(f"exchange: which exchange the keys are for (imports seen: {seen})")
    credentials = found.credentials()
    if found.literal_secrets:
        decisions.append(
            f"secrets in code: {', '.join(found.literal_secrets)} are string literals: read "
            "them from the environment (and rotate any that were ever real keys)"
        )
    if not credentials:
        decisions.append("credentials: the exchange key, secret (and passphrase) variables")
    switch = found.kill_switch()
    if switch is None:
        decisions.append("kill_switch: the variable that stops trading, and its off value")
    order = _order_route(found)
    if order is None:
        decisions.append("probes.order: the POST route that places an order")
    else:
        decisions.append(
            f"probes.order_body: an order POST {order} would accept were trading on "
            "(the smoke run must see it refused, not rejected as malformed)"
        )
    decisions.append(
        "state_files: the JSON files the bot keeps under STATE_DIR (or attest state-files: none)"
    )
    app = found.app
    if app is None:
        decisions.append("app: no FastAPI or Flask app found: set [tool.bottie.app] command")
    gets = {r.path for r in found.routes if r.method == "GET"}
    if not gets & {"/health", "/healthz", "/status", "/"}:
        decisions.append("probes.health: the GET route that answers 200 with JSON when healthy")
    url = found.exchange_url()
    hosts = HOSTS.get(exchange or "")
    if url and hosts is None:
        decisions.append(f"exchange_url: the testnet and mainnet hosts of {url}")
    if url is None and found.literal_hosts:
        decisions.append(
            f"exchange_url: the exchange's host is written in the code "
            f"({'; '.join(found.literal_hosts)}): read it from a variable, so testnet and "
            "mainnet differ, and name it here with its testnet and mainnet hosts"
        )
    lines = [
        BEGIN,
        "# Written by `bottie-ci init`. Each entry of `decisions` is a choice only a person",
        "# can make: make it, then delete the entry (the checklist fails while any is open).",
        "[tool.bottie]",
        'python = ".venv/bin/python"   # the bot\'s own environment, built from its own lock',
        "",
        *_table("tool.bottie.lint", {"paths": found.sources}),
        *_table("tool.bottie.env", {"sources": found.sources}),
        *_table("tool.bottie.audit", {"requirements": ["requirements.txt"]}),
    ]
    if found.has_tests:
        modules = [s.removesuffix(".py") for s in found.sources]
        lines += _table("tool.bottie.tests", {"paths": ["tests"], "coverage_source": modules})
    if app is not None:
        lines += _table("tool.bottie.app", {"command": app_command(app)})
    names = set(credentials) | set(found.other_secrets()) | ({switch[0]} if switch else set())
    lines += _table(
        "tool.bottie.profile",
        {
            "exchange": exchange or "",
            "credentials": credentials,
            "secrets": found.other_secrets(),
            "settings": [n for n in found.variables if n not in names],
            "state_files": [],
            "kill_switch": {"name": switch[0], "off": switch[1]} if switch else None,
            "decisions": decisions,
        },
    )
    if url:
        testnet, mainnet = hosts or ([], [])
        lines += _table(
            "tool.bottie.profile.exchange_url",
            {"name": url, "testnet_hosts": testnet, "mainnet_hosts": mainnet},
        )
    lines += _table("tool.bottie.profile.probes", _probes(found, order))
    for env, network in (("testnet", 0), ("mainnet", 1)):
        env_vars = {switch[0]: switch[1]} if switch else {}
        if url and hosts:
            env_vars[url] = f"https://{hosts[network][0]}"
        lines += _table(
            f"tool.bottie.environments.{env}",
            {"network": env, "required": [*credentials, *found.other_secrets()], "vars": env_vars},
        )
    gates = (
        ["tests", "smoke", "secrets", "lint", "audit"]
        if found.has_tests
        else [
            "smoke",
            "secrets",
            "lint",
            "audit",
        ]
    )
    if not found.has_tests:
        lines.append("# No tests found: the tests gate joins the checklist once the bot has some.")
    lines += _table("tool.bottie.checklist", {"gates": gates, "attestable": DEFAULT_ATTESTABLE})
    lines.append(END)
    return Description("\n".join(lines) + "\n", decisions)


def app_command(app: App) -> list[str]:
    """How to serve the app on loopback: uvicorn for FastAPI, Flask's own server for Flask
    (`flask --app module:create_app()` calls a factory)."""
    where = ["--host", "127.0.0.1", "--port", "{port}"]
    if app.framework == "flask":
        target = f"{app.module}:{app.attr}{'()' if app.factory else ''}"
        return ["{python}", "-m", "flask", "--app", target, "run", *where]
    factory = ["--factory"] if app.factory else []
    return ["{python}", "-m", "uvicorn", *factory, f"{app.module}:{app.attr}", *where]


def _order_route(found: Findings) -> str | None:
    posts = [r.path for r in found.routes if r.method == "POST" and "{" not in r.path]
    for word in ("order", "trade", "webhook", "signal", "buy"):
        matching = [p for p in posts if word in p.lower()]
        if matching:
            return matching[0]
    return None


def _probes(found: Findings, order: str | None) -> dict[str, object]:
    gets = [r.path for r in found.routes if r.method == "GET" and "{" not in r.path]
    health = next((p for p in ("/health", "/healthz", "/status", "/") if p in gets), None)
    routes = [p for p in gets if p != health and not p.startswith(("/docs", "/openapi"))][:5]
    return {
        "health": health or "/health",
        "routes": routes,
        "order": order,
        "order_body": {},
    }
