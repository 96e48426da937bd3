"""Smoke-test an app for real: start it on loopback, probe it, look for leaks, stop it.

The app runs with its kill switch off (the bot profile names it), a throwaway STATE_DIR
and canary values for its secrets; any canary (raw, URL-, base64- or hex-encoded, upper- or
lower-case: `logsafe.encodings`) in a response or in the app's own output is a leak.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ci.core import runtime, tls
from ci.core.config import AppConfig, SmokeConfig
from ci.core.profile import NO_PROFILE, Profile
from logsafe import Redactor, encodings, is_secret_name

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


@dataclass
class _Running:
    process: subprocess.Popen[bytes]
    log_path: Path
    base_url: str

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_app(
    root: Path, app: AppConfig, env: Mapping[str, str], log_path: Path, *, python: str
) -> Iterator[_Running]:
    """The app started in its own process group; stopped by the runtime's grace policy."""
    port = runtime.free_port()
    argv = runtime.app_command(app.command, port=port, python=python)
    process = runtime.start(argv, cwd=root, env=env, log_path=log_path)
    try:
        yield _Running(process, log_path, f"http://127.0.0.1:{port}")
    finally:
        runtime.stop_child(process)


def _lost_its_port(running: _Running) -> bool:
    """The app exited by itself because its port was taken (EADDRINUSE)."""
    exited = running.process.poll() is not None
    return exited and "address already in use" in running.log_text().lower()


def wait_healthy(
    running: _Running, path: str, timeout: float, cancel: threading.Event | None = None
) -> str | None:
    """None once health answers 200; otherwise why it never did."""
    health = runtime.wait_healthy(
        running.base_url + path,
        timeout=timeout,
        running=lambda: running.process.poll() is None,
        cancel=cancel,
    )
    if health.ok:
        return None
    code = running.process.poll()
    if code is not None:
        return f"the app exited with code {code} before it was healthy"
    return health.detail


def run_smoke(
    root: Path,
    app: AppConfig,
    smoke: SmokeConfig,
    profile: Profile,
    *,
    python: str = sys.executable,
    cancel: threading.Event | None = None,
) -> SmokeReport:
    report = SmokeReport()
    unusable = _unusable(app, profile)
    if unusable:
        report.problems.append(unusable)
        return report
    switch = profile.kill_switch
    assert switch is not None  # _unusable said so otherwise
    canaries = {name: "canary" + secrets.token_hex(16) for name in profile.secret_names}
    with tempfile.TemporaryDirectory(prefix="bottie-smoke-") as tmp:
        state_dir = Path(tmp) / "state"
        env = {
            **_inherited_env(),
            **smoke.env,
            **canaries,
            switch.name: switch.off,
            "STATE_DIR": str(state_dir),
        }
        logs = ""
        for attempt in range(1, _BIND_ATTEMPTS + 1):
            tried = SmokeReport()
            with running_app(root, app, env, Path(tmp) / "app.log", python=python) as running:
                seen = _probe(running, app, smoke, profile, tried, cancel)
                lost_its_port = _lost_its_port(running)
                logs = running.log_text()  # the log file gathers every attempt (append)
            if attempt == _BIND_ATTEMPTS or not lost_its_port:
                break
        report.checks += tried.checks
        report.problems += tried.problems
        report.problems.extend(
            f"an order was recorded in {name} although every order was refused"
            for name in _state_files_written(state_dir, profile.state_files)
        )
    report.problems += leaks(canaries, seen, logs)
    if report.problems:
        redactor = Redactor().with_secrets(canaries.values())
        report.log_tail = redactor.redact("\n".join(logs.splitlines()[-20:]))
    return report


def leaks(canaries: Mapping[str, str], responses: str, logs: str) -> list[str]:
    """Each canary found, in any of its encoded forms, in the responses or the app's output."""
    found = []
    for name, value in canaries.items():
        forms = encodings(value)
        if any(form in responses for form in forms):
            found.append(f"{name} leaked in an HTTP response")
        if any(form in logs for form in forms):
            found.append(f"{name} leaked in the app's log output")
    return found


def _unusable(app: AppConfig, profile: Profile) -> str | None:
    """Why this smoke run could prove nothing (fail closed), or None."""
    if not app.command:
        return "no app command in [tool.bottie.app] command: nothing to start"
    if not profile.described:
        return NO_PROFILE
    if profile.kill_switch is None:
        return "the bot profile names no kill switch: the smoke run cannot turn trading off"
    if profile.probes.order is None:
        return (
            "the bot profile names no order route (probes.order): nothing proves orders are refused"
        )
    return None


def _probe(
    running: _Running,
    app: AppConfig,
    smoke: SmokeConfig,
    profile: Profile,
    report: SmokeReport,
    cancel: threading.Event | None,
) -> str:
    """Exercise the routes; returns every response (headers and body) as text to scan."""
    probes = profile.probes
    why = wait_healthy(running, probes.health, app.startup_timeout, cancel)
    if why is not None:
        report.problems.append(why)
        return ""
    report.checks.append(f"healthy at {probes.health}")
    seen: list[str] = []
    # Plain HTTP on loopback, but a client builds a TLS context unless given one (ci.core.tls).
    timeout, verify = smoke.probe_timeout, tls.context()
    with httpx.Client(base_url=running.base_url, timeout=timeout, verify=verify) as client:
        for path in [probes.health, *probes.routes]:
            response = _request(client, "GET", path, report)
            if response is None:
                continue
            seen.append(_as_text(response))
            if response.is_success:
                report.checks.append(f"GET {path} {response.status_code}")
            else:
                report.problems.append(f"GET {path} answered {response.status_code}")
        assert probes.order is not None and profile.kill_switch is not None
        order = _request(client, "POST", probes.order, report, json=probes.order_body)
        if order is not None:
            seen.append(_as_text(order))
            verdict = order_verdict(probes.order, order.status_code, probes.refused)
            switch = f"{profile.kill_switch.name}={profile.kill_switch.off}"
            if verdict is None:
                report.checks.append(f"POST {probes.order} refused ({order.status_code})")
            else:
                report.problems.append(verdict.replace("{switch}", switch))
    return "\n".join(seen)


def order_verdict(path: str, status: int, refused: list[int]) -> str | None:
    """None when `status` is a refusal of the order; otherwise what it means instead.

    Only a deliberate refusal proves the kill switch: an accepted order fails, and so do a
    missing route (404/405), an order the bot did not understand (400/422) and a crash (5xx
    not listed as a refusal), none of which say anything about the kill switch.
    """
    if status in refused:
        return None
    if 200 <= status < 300:
        return f"POST {path} accepted an order with {{switch}} ({status})"
    if status in (404, 405):
        return f"POST {path} answered {status}: no such order route, so nothing proves refusal"
    if status in (400, 422):
        return (
            f"POST {path} answered {status}: the probe's order was not understood "
            "(fix [tool.bottie.profile.probes] order_body), so nothing proves refusal"
        )
    return f"POST {path} answered {status}, which is not a refusal ({', '.join(map(str, refused))})"


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
