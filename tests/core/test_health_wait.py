"""Waiting for an app's health over real loopback HTTP: found as soon as it listens and answers,
and a refusal that says why when it never does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ci.core import runtime
from tests.helpers import free_ports


class Healthy(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        body = json.dumps({"network": "testnet"}).encode()
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Starting(Healthy):
    status = 503


@contextmanager
def serving(port: int, handler: type[BaseHTTPRequestHandler]) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_an_app_that_starts_listening_while_we_wait_is_found_healthy() -> None:
    (port,) = free_ports(1)
    opened = threading.Event()
    done = threading.Event()

    def open_later() -> None:
        opened.wait()
        with serving(port, Healthy):
            done.wait()

    thread = threading.Thread(target=open_later)
    thread.start()
    polls = 0

    def running() -> bool:
        nonlocal polls
        polls += 1
        if polls == 3:  # refused twice, then the app binds its port
            opened.set()
        return True

    try:
        health = runtime.wait_healthy(
            f"http://127.0.0.1:{port}/health", timeout=30, running=running
        )
    finally:
        done.set()
        thread.join()
    assert health.ok and health.body == {"network": "testnet"}
    assert polls >= 3


def test_a_port_nobody_listens_on_is_refused_by_name() -> None:
    (port,) = free_ports(1)
    health = runtime.wait_healthy(
        f"http://127.0.0.1:{port}/health", timeout=0.2, running=lambda: True
    )
    assert not health.ok
    assert health.detail == "not healthy after 0.2s (connection refused)"


def test_an_app_that_answers_but_not_200_says_what_it_answered() -> None:
    (port,) = free_ports(1)
    with serving(port, Starting):
        health = runtime.wait_healthy(
            f"http://127.0.0.1:{port}/health", timeout=0.3, running=lambda: True
        )
    assert not health.ok
    assert health.detail == "not healthy after 0.3s (/health answered 503)"


def test_an_app_that_exits_stops_the_wait() -> None:
    (port,) = free_ports(1)
    health = runtime.wait_healthy(
        f"http://127.0.0.1:{port}/health", timeout=30, running=lambda: False
    )
    assert health.detail == "the app exited before it was healthy"
