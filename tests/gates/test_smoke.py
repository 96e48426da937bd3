"""The smoke gate against real processes: the example bot, and small apps that misbehave."""

from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ci.core import runtime
from ci.core.config import AppConfig, Config, SmokeConfig, parse
from ci.core.errors import ConfigError
from ci.core.result import Status
from ci.gates.smoke import SmokeGate
from ci.gates.smoke_probe import run_smoke
from tests.helpers import PROJECT_ROOT, Repo, example_config

# A stand-in bot on the stdlib, whose misbehaviour each test chooses through argv.
FAKE_APP = """
import base64, json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODE, PORT = sys.argv[1], int(sys.argv[2])
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "starts"), "a") as f:
    f.write("started\\n")  # one line per start of the app, for the tests to count

def shown(value):
    if MODE.endswith("-b64"):
        return base64.b64encode(value.encode()).decode()
    if MODE.endswith("-b64url"):
        return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")
    return value

class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        if MODE.startswith("leak-header"):
            self.send_header("X-Debug", shown(os.environ["BINANCE_API_SECRET"]))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self._send(500 if MODE == "unhealthy" else 200, {"status": "ok"})
        if MODE == "hangs":
            time.sleep(3)  # beyond the probe timeout the test sets, within the default 5 s
        if MODE == "drops" and self.path == "/status":
            self.close_connection = True  # no answer at all
            return None
        if MODE == "status-500":
            return self._send(500, {"detail": "boom"})
        body = {"ok": True}
        if MODE.startswith("leak-response"):
            body["debug"] = shown(os.environ["BINANCE_API_SECRET"])
        return self._send(200, body)

    def do_POST(self):
        if MODE == "drops-order":
            self.close_connection = True
            return None
        if MODE == "no-order-route":
            return self._send(404, {"detail": "Not Found"})
        if MODE == "bad-order-body":
            return self._send(422, {"detail": "validation error"})
        if MODE == "accepts-orders":
            return self._send(201, {"id": 1})
        if MODE == "records-refused-orders":
            os.makedirs(os.environ["STATE_DIR"], exist_ok=True)
            with open(os.path.join(os.environ["STATE_DIR"], "orders.json"), "w") as f:
                json.dump([{"symbol": "BTCUSDT"}], f)
        return self._send(403, {"refused": "trading disabled"})

    def log_message(self, fmt, *args):
        if MODE.startswith("leak-log"):
            sys.stderr.write("using key " + shown(os.environ["BINANCE_API_KEY"]) + "\\n")

if MODE == "crash":
    sys.stderr.write("starting\\n")
    for i in range(1, 21):
        sys.stderr.write(f"config line {i}\\n")
    sys.stderr.flush()
    sys.stderr.buffer.write(b"boom: missing config \\xff\\n")  # not UTF-8
    sys.exit(2)
try:
    server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
except OSError:
    if MODE == "leak-when-port-taken":
        sys.stderr.write("cannot start with key " + os.environ["BINANCE_API_KEY"] + "\\n")
    raise
server.serve_forever()
"""


def fake_config(mode: str, timeout: float = 10) -> Config:
    app = AppConfig(command=["{python}", "app.py", mode, "{port}"], startup_timeout=timeout)
    return example_config().model_copy(update={"app": app})


def run_fake(
    repo: Repo, mode: str, timeout: float = 10, config: Config | None = None
) -> tuple[Status, str, str]:
    repo.write("app.py", FAKE_APP)
    result = SmokeGate().run(repo.context(config or fake_config(mode, timeout)))
    return result.status, result.summary, result.output + json.dumps(result.to_dict())


def starts(repo: Repo) -> int:
    """How many times the fake app was started."""
    return len((repo.path / "starts").read_text().splitlines())


def test_example_bot_passes(repo: Repo) -> None:
    for package in ("bot", "logsafe"):
        shutil.copytree(PROJECT_ROOT / package, repo.path / package)
    result = SmokeGate().run(repo.context(example_config()))
    assert result.status is Status.PASSED, result.output
    assert "POST /orders refused (403)" in result.output


def test_well_behaved_fake_passes(repo: Repo) -> None:
    status, _, output = run_fake(repo, "good")
    assert status is Status.PASSED, output
    assert starts(repo) == 1


def test_unhealthy_app_fails(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "unhealthy", timeout=2)
    assert status is Status.FAILED
    assert summary == "not healthy after 2s (/health answered 500)"


def test_a_route_that_answers_an_error_fails_naming_it(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "status-500")
    assert (status, summary) == (Status.FAILED, "GET /status answered 500")


def test_a_route_that_drops_the_connection_fails_and_the_next_routes_are_still_probed(
    repo: Repo,
) -> None:
    config = fake_config("drops")
    probes = config.profile.probes.model_copy(update={"routes": ["/status", "/positions"]})
    profile = config.profile.model_copy(update={"probes": probes})
    config = config.model_copy(update={"profile": profile})
    status, summary, output = run_fake(repo, "drops", config=config)
    assert (status, summary) == (Status.FAILED, "GET /status failed: RemoteProtocolError")
    assert "GET /positions 200" in output
    assert "POST /orders refused (403)" in output


def test_an_order_route_that_drops_the_connection_fails_naming_it(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "drops-order")
    assert (status, summary) == (Status.FAILED, "POST /orders failed: RemoteProtocolError")


def test_a_route_that_never_answers_fails_naming_it(repo: Repo) -> None:
    """Each probe waits [tool.bottie.smoke] probe_timeout at most (5 s unless set): a route
    that does not answer in time fails the gate instead of hanging it."""
    config = fake_config("hangs")
    config = config.model_copy(update={"smoke": SmokeConfig(probe_timeout=0.5)})
    status, summary, _ = run_fake(repo, "hangs", config=config)
    assert (status, summary) == (Status.FAILED, "GET /status failed: ReadTimeout")


def test_the_probe_timeout_is_five_seconds_unless_set() -> None:
    assert SmokeConfig().probe_timeout == 5
    with pytest.raises(ConfigError, match=r"\[tool\.bottie\.smoke\.probe_timeout\]"):
        parse({"smoke": {"probe_timeout": 0}})


def test_a_cancelled_run_stops_waiting_for_health(repo: Repo) -> None:
    """Ctrl-C or --fail-fast: the gate stops waiting for an app that is not healthy yet."""
    repo.write("app.py", FAKE_APP)
    config = fake_config("unhealthy", timeout=60)
    cancel = threading.Event()
    cancel.set()
    report = run_smoke(repo.path, config.app, config.smoke, config.profile, cancel=cancel)
    assert report.problems == ["cancelled"]


def test_app_that_exits_fails_and_shows_its_log(repo: Repo) -> None:
    status, summary, output = run_fake(repo, "crash")
    assert status is Status.FAILED
    assert summary == "the app exited with code 2 before it was healthy"
    tail = [f"config line {i}" for i in range(2, 21)] + ["boom: missing config \ufffd"]
    assert output.startswith(
        "the app exited with code 2 before it was healthy\n"
        "--- last lines of the app's log (redacted) ---\n" + "\n".join(tail) + "{"
    )  # the last 20 lines, each as it was, a byte that is not UTF-8 replaced


def test_app_accepting_orders_fails(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "accepts-orders")
    assert status is Status.FAILED
    assert summary == "POST /orders accepted an order with TRADE_ENABLED=0 (201)"


def test_order_recorded_despite_a_refusal_fails(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "records-refused-orders")
    assert status is Status.FAILED
    assert summary == "an order was recorded in orders.json although every order was refused"


def test_secret_in_a_response_fails_without_showing_it(repo: Repo) -> None:
    status, summary, output = run_fake(repo, "leak-response")
    assert status is Status.FAILED
    assert summary == "BINANCE_API_SECRET leaked in an HTTP response"
    assert "canary" not in output


def test_secret_in_the_log_fails_without_showing_it(repo: Repo) -> None:
    status, summary, output = run_fake(repo, "leak-log")
    assert status is Status.FAILED
    assert summary == "BINANCE_API_KEY leaked in the app's log output"
    tail = output.split("--- last lines of the app's log (redacted) ---\n", 1)[1]
    assert tail.startswith("using key ***\n")  # the app's own first line, as it wrote it
    assert "canary" not in output


def test_an_order_route_that_does_not_exist_proves_nothing(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "no-order-route")
    assert status is Status.FAILED
    assert summary == "POST /orders answered 404: no such order route, so nothing proves refusal"


def test_an_order_the_bot_did_not_understand_proves_nothing(repo: Repo) -> None:
    status, summary, _ = run_fake(repo, "bad-order-body")
    assert status is Status.FAILED
    assert summary.startswith("POST /orders answered 422: the probe's order was not understood")


def test_without_a_bot_profile_the_gate_fails_closed(repo: Repo) -> None:
    repo.write("app.py", FAKE_APP)
    app = AppConfig(command=["{python}", "app.py", "good", "{port}"])
    result = SmokeGate().run(repo.context(Config(app=app)))
    assert result.status is Status.FAILED
    assert result.summary.startswith("no bot profile: describe the bot in [tool.bottie.profile]")


def test_without_a_kill_switch_the_gate_fails_closed(repo: Repo) -> None:
    repo.write("app.py", FAKE_APP)
    config = fake_config("good")
    profile = config.profile.model_copy(update={"kill_switch": None})
    result = SmokeGate().run(repo.context(config.model_copy(update={"profile": profile})))
    assert result.status is Status.FAILED
    assert result.summary == (
        "the bot profile names no kill switch: the smoke run cannot turn trading off"
    )


@pytest.mark.parametrize(
    ("mode", "summary"),
    [
        ("leak-response-b64", "BINANCE_API_SECRET leaked in an HTTP response"),
        ("leak-header-b64url", "BINANCE_API_SECRET leaked in an HTTP response"),
        ("leak-header", "BINANCE_API_SECRET leaked in an HTTP response"),
        ("leak-log-b64", "BINANCE_API_KEY leaked in the app's log output"),
        ("leak-log-b64url", "BINANCE_API_KEY leaked in the app's log output"),
    ],
)
def test_an_encoded_secret_is_a_leak_too(repo: Repo, mode: str, summary: str) -> None:
    """Base64 (a basic-auth header, a token in a cookie) hides nothing from a reader."""
    status, found, output = run_fake(repo, mode)
    assert (status, found) == (Status.FAILED, summary)
    assert "canary" not in output


@contextmanager
def first_port_taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another process holds the first port the gate picks; later picks are really free."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # held, not listening: the app cannot bind it, and a
        # health request is refused at once instead of waiting on a listener that never answers
        ports = iter([taken.getsockname()[1]])
        real = runtime.free_port
        monkeypatch.setattr(runtime, "free_port", lambda: next(ports, None) or real())
        yield


def test_an_app_that_loses_its_port_to_another_process_is_started_again(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The free port is released before the app binds it: when another process takes it
    in between, the gate starts the app again on another port instead of failing."""
    with first_port_taken(monkeypatch):
        status, summary, output = run_fake(repo, "good")
    assert status is Status.PASSED, output
    assert summary == "4 checks passed"
    assert starts(repo) == 2


def test_a_secret_in_the_log_of_an_attempt_that_lost_its_port_is_a_leak(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    with first_port_taken(monkeypatch):
        status, summary, output = run_fake(repo, "leak-when-port-taken")
    assert (status, summary) == (Status.FAILED, "BINANCE_API_KEY leaked in the app's log output")
    assert starts(repo) == 2
    assert "canary" not in output


def test_an_app_that_keeps_losing_its_port_fails(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))  # held, not listening: the app cannot bind it, and a
        # health request is refused at once instead of waiting on a listener that never answers
        monkeypatch.setattr(runtime, "free_port", lambda: taken.getsockname()[1])
        status, summary, output = run_fake(repo, "good")
    assert starts(repo) == 3
    assert status is Status.FAILED
    assert summary.startswith("the app exited with code 1 before it was healthy")
    assert "Address already in use" in output


def test_the_app_runs_under_the_bots_own_interpreter(repo: Repo) -> None:
    marker = repo.path.parent / "ran-with"
    python = repo.path / "env" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "$@" > "{marker}"\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    repo.write("app.py", FAKE_APP)
    cfg = fake_config("good").model_copy(update={"python": "env/bin/python"})
    result = SmokeGate().run(repo.context(cfg))
    assert result.status is Status.PASSED, result.output
    assert marker.read_text().startswith("app.py good ")
