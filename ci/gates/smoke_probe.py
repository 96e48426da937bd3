"""Smoke-test an app for real: start it on loopback, probe it, look for leaks, stop it.

The app runs with TRADE_ENABLED=0, a throwaway STATE_DIR and canary values for its
secrets; any canary (raw, URL-encoded or base64) in a response or in the app's own
output is a leak.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ci.core.config import AppConfig, SmokeConfig
from logsafe import Redactor, encodings, is_secret_name

_STOP_GRACE_SECONDS = 5.0
# The free port is found by binding port 0 and released for the app to bind: another
# process may take it in between. Then the app exits at once, and is started again.
_BIND_ATTEMPTS = 3


@dataclass
class SmokeReport:
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    log_tail: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_command(app: AppConfig, *, port: int, python: str = sys.executable) -> list[str]:
    return [part.replace("{python}", python).replace("{port}", str(port)) for part in app.command]


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    log_path: Path
    base_url: str

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_app(
    root: Path, app: AppConfig, env: Mapping[str, str], log_path: Path
) -> Iterator[_Running]:
    """The app started in its own process group; stopped (TERM, then KILL) on exit."""
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            app_command(app, port=port),
            cwd=root,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        yield _Running(process, log_path, f"http://127.0.0.1:{port}")
    finally:
        stop(process)


def _lost_its_port(running: _Running) -> bool:
    """The app exited by itself because its port was taken (EADDRINUSE)."""
    exited = running.process.poll() is not None
    return exited and "address already in use" in running.log_text().lower()


def stop(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=_STOP_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_healthy(
    running: _Running, path: str, timeout: float, cancel: threading.Event | None = None
) -> str | None:
    """None once health answers 200; otherwise why it never did."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                return "cancelled"
            code = running.process.poll()
            if code is not None:
                return f"the app exited with code {code} before it was healthy"
            try:
                response = client.get(running.base_url + path)
                if response.status_code == 200:
                    return None
                last = f"{path} answered {response.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(0.1)
    return f"not healthy after {timeout:.0f}s ({last})"


def run_smoke(
    root: Path, app: AppConfig, smoke: SmokeConfig, *, cancel: threading.Event | None = None
) -> SmokeReport:
    report = SmokeReport()
    canaries = {name: "canary" + secrets.token_hex(16) for name in smoke.secret_names}
    with tempfile.TemporaryDirectory(prefix="bottie-smoke-") as tmp:
        state_dir = Path(tmp) / "state"
        env = {
            **_inherited_env(),
            **smoke.env,
            **canaries,
            "TRADE_ENABLED": "0",
            "STATE_DIR": str(state_dir),
        }
        logs = ""
        for attempt in range(1, _BIND_ATTEMPTS + 1):
            tried = SmokeReport()
            with running_app(root, app, env, Path(tmp) / "app.log") as running:
                seen = _probe(running, app, smoke, tried, cancel)
                lost_its_port = _lost_its_port(running)
                logs += running.log_text()
            if attempt == _BIND_ATTEMPTS or not lost_its_port:
                break
        report.checks += tried.checks
        report.problems += tried.problems
        report.problems.extend(
            f"an order was recorded in {name} although every order was refused"
            for name in _state_files_written(state_dir, app.state_files)
        )
    for name, value in canaries.items():
        forms = encodings(value)
        if any(form in seen for form in forms):
            report.problems.append(f"{name} leaked in an HTTP response")
        if any(form in logs for form in forms):
            report.problems.append(f"{name} leaked in the app's log output")
    if report.problems:
        redactor = Redactor().with_secrets(canaries.values())
        report.log_tail = redactor.redact("\n".join(logs.splitlines()[-20:]))
    return report


def _probe(
    running: _Running,
    app: AppConfig,
    smoke: SmokeConfig,
    report: SmokeReport,
    cancel: threading.Event | None,
) -> str:
    """Exercise the routes; returns every response (headers and body) as text to scan."""
    why = wait_healthy(running, app.health_path, app.startup_timeout, cancel)
    if why is not None:
        report.problems.append(why)
        return ""
    report.checks.append(f"healthy at {app.health_path}")
    seen: list[str] = []
    with httpx.Client(base_url=running.base_url, timeout=5.0) as client:
        for path in [app.health_path, *smoke.routes]:
            response = _request(client, "GET", path, report)
            if response is None:
                continue
            seen.append(_as_text(response))
            if response.is_success:
                report.checks.append(f"GET {path} {response.status_code}")
            else:
                report.problems.append(f"GET {path} answered {response.status_code}")
        order = _request(client, "POST", smoke.order_path, report, json=smoke.order_body)
        if order is not None:
            seen.append(_as_text(order))
            if order.is_success:
                report.problems.append(
                    f"POST {smoke.order_path} accepted an order with TRADE_ENABLED=0 "
                    f"({order.status_code})"
                )
            else:
                report.checks.append(f"POST {smoke.order_path} refused ({order.status_code})")
    return "\n".join(seen)


def _request(
    client: httpx.Client, method: str, path: str, report: SmokeReport, **kwargs: object
) -> httpx.Response | None:
    try:
        return client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        report.problems.append(f"{method} {path} failed: {type(exc).__name__}")
        return None


def _as_text(response: httpx.Response) -> str:
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    return f"{headers}\n{response.text}"


def _state_files_written(state_dir: Path, names: list[str]) -> list[str]:
    """State files holding a record: the run starts empty and refuses every order."""
    written = []
    for name in names:
        path = state_dir / name
        if path.exists() and path.read_text(encoding="utf-8").strip() not in ("", "[]", "{}"):
            written.append(name)
    return written


def _inherited_env() -> dict[str, str]:
    """The parent's environment without its secrets: the app gets canaries instead."""
    return {k: v for k, v in os.environ.items() if not is_secret_name(k)}
