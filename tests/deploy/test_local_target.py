"""The local target on its own: what it proves before it calls a bot healthy."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ci.deploy.targets.local import LocalTarget, Spec


class _Answers(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"status": "ok", "network": "mainnet"}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def impostor() -> Iterator[int]:
    """A process of someone else's answering health on a loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_health_from_a_process_the_target_did_not_start_is_not_health(
    tmp_path: Path, impostor: int
) -> None:
    # Our "bot" runs (pid alive) but never binds; an impostor answers on the port.
    ours = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True
    )
    try:
        spec = Spec("mainnet", str(tmp_path), impostor, ["x"], "/health", 2.0)
        target = LocalTarget(spec)
        target.layout.shared.mkdir(parents=True)
        target.layout.pid_file.write_text(str(ours.pid))
        health = target.health()
        assert not health.ok
        assert health.detail == (
            f"port {impostor} answers, but not from the bot this target started "
            f"(pid {ours.pid}): another process holds it"
        )
    finally:
        ours.kill()
        ours.wait()


def test_nothing_running_is_not_healthy_and_reading_writes_nothing(tmp_path: Path) -> None:
    target = LocalTarget(Spec("testnet", str(tmp_path / "base"), 1, ["x"], "/health", 1.0))
    assert target.health().detail == "the bot is not running"
    assert (target.live(), target.releases(), target.history(), target.paused()) == (
        None,
        [],
        [],
        None,
    )
    assert not (tmp_path / "base").exists()
