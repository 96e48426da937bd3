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


@pytest.fixture
def extra_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose formatter renders `extra=` fields, with logsafe on its handler.

    It propagates again afterwards: pytest puts its own capture handlers on every logger
    that does not propagate when a session starts, ahead of a test's handler, so a second
    session in the same process (mutmut's clean run after its stats run) would see them
    render the message before logsafe does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s key=%(api_key)s ctx=%(ctx)s"))
    logsafe.install(handler)
    log = logging.getLogger("extra")
    log.propagate = False
    log.addHandler(handler)
    yield log, stream
    log.removeHandler(handler)
    log.propagate = True


def test_extra_fields_named_like_secrets_are_masked(
    extra_log: tuple[logging.Logger, io.StringIO],
) -> None:
    log, stream = extra_log
    value = "not-in-the-env-" + SECRET[::-1]
    log.warning("order", extra={"api_key": value, "ctx": {"password": value, "n": 1}})
    assert stream.getvalue() == "order key=*** ctx={'password': '***', 'n': 1}\n"


def test_extra_fields_holding_an_env_secret_are_masked(
    secret_env: str, extra_log: tuple[logging.Logger, io.StringIO]
) -> None:
    log, stream = extra_log
    log.warning("order", extra={"api_key": None, "ctx": f"signed with {secret_env}"})
    assert stream.getvalue() == "order key=None ctx=signed with ***\n"


def test_a_secret_split_by_a_newline_across_two_arguments(
    secret_env: str, captured: io.StringIO
) -> None:
    logging.getLogger("bot").warning("key: %s\n%s", secret_env[:7], secret_env[7:])
    output = captured.getvalue()
    assert secret_env[:7] not in output
    assert secret_env[7:] not in output
    assert output == "bot key: ***\n"


def test_a_secret_assembled_from_two_arguments(secret_env: str, captured: io.StringIO) -> None:
    logging.getLogger("bot").warning("key %s%s", secret_env[:7], secret_env[7:])
    assert captured.getvalue() == "bot key ***\n"


class _ArgsFormatter(logging.Formatter):
    """Like uvicorn's access formatter: unpacks record.args itself."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        assert isinstance(record.args, tuple)
        client, method, path, status = record.args
        return f"{client} {method} {path} {status}"


def test_arguments_keep_their_shape_with_the_secret_masked(secret_env: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_ArgsFormatter())
    logsafe.install(handler)
    log = logging.getLogger("uvicorn.access.test")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        log.info('%s - "%s %s" %d', "127.0.0.1:1", "GET", f"/x?signature=abc&k={secret_env}", 200)
    finally:
        log.removeHandler(handler)
        log.propagate = True  # as extra_log: no logger left that pytest would hook into
    assert stream.getvalue() == "127.0.0.1:1 GET /x?signature=***&k=*** 200\n"


def test_a_message_is_rendered_once(
    extra_log: tuple[logging.Logger, io.StringIO],
) -> None:
    class Costly:
        calls = 0

        def __str__(self) -> str:
            Costly.calls += 1
            return "costly"

    log, stream = extra_log
    log.warning("value %s", Costly(), extra={"api_key": None, "ctx": None})
    assert stream.getvalue() == "value costly key=None ctx=None\n"
    assert Costly.calls == 1


def test_a_clean_record_keeps_its_template_and_arguments(captured: io.StringIO) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)  # after `captured`'s handler: sees the record after the filter
    try:
        logging.getLogger("bot").warning("order %d placed", 7)
    finally:
        root.removeHandler(handler)
    assert (records[0].msg, records[0].args) == ("order %d placed", (7,))
    assert records[0].getMessage() == "order 7 placed"


def test_stack_info_is_redacted(secret_env: str, captured: io.StringIO) -> None:
    def leaky(key: str) -> None:
        logging.getLogger("bot").warning("here", stack_info=True)

    leaky(secret_env)
    assert "Stack (most recent call last)" in captured.getvalue()
    assert secret_env not in captured.getvalue()


def test_a_bad_format_string_neither_raises_nor_leaks(
    secret_env: str, captured: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger("bot").warning("count %d", secret_env)
    assert captured.getvalue() == "bot count %d ('***',)\n"
    assert secret_env not in capsys.readouterr().err


def test_structlog_keys_named_like_secrets_are_masked() -> None:
    stream = io.StringIO()
    structlog.configure(
        processors=[logsafe.structlog_processor, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    try:
        structlog.get_logger().info(
            "order",
            api_secret="not-in-env-1",
            symbol="BTCUSDT",
            request={"params": {"signature": "abc"}, "url": "https://u:pw12345@x/y"},
        )
    finally:
        structlog.reset_defaults()
    assert json.loads(stream.getvalue()) == {
        "event": "order",
        "api_secret": "***",
        "symbol": "BTCUSDT",
        "request": {"params": {"signature": "***"}, "url": "https://u:***@x/y"},
    }
