"""A stand-in for the example bot, standard library only: a real process serving real HTTP on
loopback, started by the deploy targets as `python -m standin_bot --port PORT` from a release.

It honours what the pipeline reads of a bot, as the example bot's profile in pyproject.toml
describes it: the health route (status, network from the exchange URL's host as the profile's
`exchange_url` names them, the kill switch TRADE_ENABLED, BOT_VERSION, and the interpreter it
runs under), the status route
(500 when a state file under STATE_DIR is not JSON), and an order route that refuses while the
kill switch is off. It never places anything and never prints an environment value.

For the deploy tests where the bot's own code is not the point (history, tags, the lock, the
environment a release keeps, the SSH transport): started by the launcher, it answers its
first health check after about 0.065 s of CPU, where the example bot takes 0.55 s (it imports
FastAPI, pydantic and uvicorn first). The tests of the example bot itself (smoke, deploy +
rollback + pause, the safety tests) keep it. The deploy tests start it well over a hundred
times a run, so it speaks HTTP/1.1 itself, one request a connection, on socketserver:
http.server's imports (email, http.client, ssl) made a start cost 0.095 s.
"""

from __future__ import annotations

import json
import os
import signal
import socketserver
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

TRUE = {"1", "true", "yes", "on", "t", "y"}  # what the example bot's settings read as true
REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
}
HEALTH: dict[str, object] = {}  # set once at start: what /health answers


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


def _state_dir() -> Path:
    return Path(os.environ.get("STATE_DIR", "state"))


def _state(name: str, default: list[object] | dict[str, object]) -> object:
    path = _state_dir() / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


def answer(method: str, path: str) -> tuple[int, dict[str, object]]:
    """The status and JSON body for one request."""
    if method == "GET" and path == "/health":
        return 200, HEALTH
    if method == "GET" and path == "/status":
        try:
            positions = _state("positions.json", {})
            orders = _state("orders.json", [])
        except ValueError:
            return 500, {"error": "a state file is not JSON"}
        status = {"trade_enabled": HEALTH["trade_enabled"], "positions": positions}
        return 200, {**status, "orders": len(orders) if isinstance(orders, list) else 0}
    if method == "POST" and path == "/orders":
        if not HEALTH["trade_enabled"]:
            return 403, {"refused": "trading is disabled"}
        return 201, {"paper": True}
    return 404, {"error": "not found"}


class _Bot(socketserver.StreamRequestHandler):
    """One request a connection: the request line, headers, any body, then the answer."""

    def handle(self) -> None:
        words = self.rfile.readline(65537).decode("latin-1").split()
        if not words:
            return  # a bare connect (the deploy's "is anything listening yet"): no request
        length = 0
        while (line := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length" and value.strip().isdigit():
                length = int(value)
        self.rfile.read(length)
        status, body = answer(*words[:2]) if len(words) == 3 else (400, {"error": "bad request"})
        raw = json.dumps(body).encode()
        head = (
            f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(raw)}\r\nConnection: close\r\n\r\n"
        )
        self.wfile.write(head.encode("latin-1") + raw)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # as http.server's: a restart may bind while old sockets linger
    daemon_threads = True


def main(argv: list[str]) -> int:
    port = int(argv[argv.index("--port") + 1])
    profile = _profile()
    HEALTH.update(
        {
            "status": "ok",
            "network": _network(profile),
            "trade_enabled": _kill_switch_on(profile),
            "version": os.environ.get("BOT_VERSION", "dev"),
            "python": sys.executable,  # the environment the deploy started it under
        }
    )
    _state_dir().mkdir(parents=True, exist_ok=True)
    server = _Server(("127.0.0.1", port), _Bot)
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
