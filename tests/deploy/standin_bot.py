"""A stand-in for the example bot, standard library only: a real process serving real HTTP on
loopback, started by the deploy targets as `python -m standin_bot --port PORT` from a release.

It honours what the pipeline reads of a bot, as the example bot's profile in pyproject.toml
describes it: the health route (status, network from the exchange URL's host as the profile's
`exchange_url` names them, the kill switch TRADE_ENABLED, BOT_VERSION, and the interpreter it
runs under), the status route
(500 when a state file under STATE_DIR is not JSON), and an order route that refuses while the
kill switch is off. It never places anything and never prints an environment value.

For the deploy tests where the bot's own code is not the point (history, tags, the lock, the
environment a release keeps, the SSH transport): it is healthy after about 0.05 s of CPU,
where the example bot takes 0.55 s (it imports FastAPI, pydantic and uvicorn first). The
tests of the example bot itself (smoke, deploy + rollback + pause, the safety tests) keep it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit

TRUE = {"1", "true", "yes", "on", "t", "y"}  # what the example bot's settings read as true


def _profile() -> dict[str, object]:
    path = Path(__file__).resolve().parent / "pyproject.toml"
    try:
        profile = tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["bottie"]["profile"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return {}
    return dict(profile)


def _network(profile: dict[str, object]) -> str:
    table = profile.get("exchange_url")
    if not isinstance(table, dict):
        return "unknown"
    url = os.environ.get(str(table.get("name", "")), "https://testnet.binance.vision")
    host = urlsplit(url).hostname or ""
    if host in table.get("mainnet_hosts", ()):
        return "mainnet"
    if host in table.get("testnet_hosts", ()):
        return "testnet"
    return "unknown"


def _kill_switch_on(profile: dict[str, object]) -> bool:
    switch = profile.get("kill_switch")
    name = switch.get("name", "TRADE_ENABLED") if isinstance(switch, dict) else "TRADE_ENABLED"
    return os.environ.get(str(name), "").strip().lower() in TRUE


class _Bot(BaseHTTPRequestHandler):
    health: ClassVar[dict[str, object]] = {}
    state_dir = Path("state")

    def do_GET(self) -> None:
        if self.path == "/health":
            self._send(200, self.health)
        elif self.path == "/status":
            try:
                positions = self._state("positions.json", {})
                orders = self._state("orders.json", [])
            except ValueError:
                self._send(500, {"error": "a state file is not JSON"})
                return
            status = {"trade_enabled": self.health["trade_enabled"], "positions": positions}
            self._send(200, {**status, "orders": len(orders) if isinstance(orders, list) else 0})
        else:
            self._send(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != "/orders":
            self._send(404, {"error": "not found"})
        elif not self.health["trade_enabled"]:
            self._send(403, {"refused": "trading is disabled"})
        else:
            self._send(201, {"paper": True})

    def _state(self, name: str, default: list[object] | dict[str, object]) -> object:
        path = self.state_dir / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default

    def _send(self, status: int, body: dict[str, object]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the bot's log gets its start line only


def main(argv: list[str]) -> int:
    port = int(argv[argv.index("--port") + 1])
    profile = _profile()
    _Bot.health = {
        "status": "ok",
        "network": _network(profile),
        "trade_enabled": _kill_switch_on(profile),
        "version": os.environ.get("BOT_VERSION", "dev"),
        "python": sys.executable,  # the environment the deploy started it under
    }
    _Bot.state_dir = Path(os.environ.get("STATE_DIR", "state"))
    _Bot.state_dir.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", port), _Bot)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stderr.write(f"stand-in bot serving on 127.0.0.1:{port}\n")
    sys.stderr.flush()
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
