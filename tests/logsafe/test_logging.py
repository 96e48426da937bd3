"""Redaction on the real logging paths: stdlib handlers, structlog, httpx, tracebacks."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import structlog

import logsafe

SECRET = "canary-Zx81QwErTy77"


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BINANCE_API_SECRET", SECRET)
    logsafe.refresh()
    return SECRET


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """A handler on the root logger with logsafe installed on it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logsafe.install(handler)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_message_args_and_exceptions_are_redacted(secret_env: str, captured: io.StringIO) -> None:
    log = logging.getLogger("bot.exchange")
    log.info("signing with %s", secret_env)
    log.info("payload %s", {"secret": secret_env})
    try:
        raise RuntimeError(f"exchange rejected key {secret_env}")
    except RuntimeError:
        log.exception("order failed")
    output = captured.getvalue()
    assert secret_env not in output
    assert "signing with ***" in output
    assert "RuntimeError: exchange rejected key ***" in output


def test_filter_on_a_logger_misses_child_records_but_on_a_handler_does_not(
    secret_env: str,
) -> None:
    """The trap logsafe.install avoids: logger filters do not see propagated records."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    parent = logging.getLogger("trap")
    parent.addHandler(handler)
    parent.addFilter(logsafe.RedactingFilter())
    parent.setLevel(logging.INFO)
    try:
        logging.getLogger("trap.child").info("key %s", secret_env)
        assert secret_env in stream.getvalue()  # the logger's filter never ran
        logsafe.install(handler)
        logging.getLogger("trap.child").info("key %s", secret_env)
        assert stream.getvalue().splitlines()[-1] == "key ***"
    finally:
        parent.removeHandler(handler)
        parent.filters.clear()


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_httpx_request_lines_are_redacted(secret_env: str, captured: io.StringIO) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v3/account"
        httpx.get(
            url,
            params={"timestamp": 1, "signature": "f00dbabe1234", "apiKey": "k3yk3y"},
            headers={"X-MBX-APIKEY": secret_env},
        )
    finally:
        server.shutdown()
        server.server_close()
    output = captured.getvalue()
    assert "httpx HTTP Request: GET" in output  # httpx logged the URL at INFO ...
    assert "signature=***" in output  # ... with its credentials masked
    assert "f00dbabe1234" not in output
    assert "k3yk3y" not in output


def test_structlog_tracebacks_carry_no_secret(secret_env: str) -> None:
    stream = io.StringIO()
    structlog.configure(
        processors=[
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            logsafe.structlog_processor,
            structlog.processors.JSONRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    try:
        key = secret_env  # a local the traceback must not show
        raise ValueError(f"bad key {key}")
    except ValueError:
        structlog.get_logger().exception("failed", headers={"X-MBX-APIKEY": secret_env})
    finally:
        structlog.reset_defaults()
    line = stream.getvalue()
    assert secret_env not in line
    event = json.loads(line)
    assert event["headers"] == {"X-MBX-APIKEY": "***"}
    assert "bad key ***" in json.dumps(event["exception"])
