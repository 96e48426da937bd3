"""Property: a canary secret never reaches formatted log output, whichever path carries it.

Checked raw, URL-encoded and base64-encoded; the whole captured output is then piped
through real `gitleaks stdin` as a second, independent check.
"""

from __future__ import annotations

import base64
import io
import logging
import string
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import logsafe
from tests import secret_samples as samples
from tests.helpers import PROJECT_ROOT

CANARIES = st.text(alphabet=string.ascii_letters + string.digits, min_size=64, max_size=64)
ENCODERS = {
    "raw": lambda s: s,
    "url": lambda s: quote(s, safe=""),
    "base64": lambda s: base64.b64encode(s.encode()).decode(),
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
ALL_OUTPUT: list[str] = []


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


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(secret=CANARIES, path=st.sampled_from(PATHS), encoding=st.sampled_from(sorted(ENCODERS)))
def test_canary_never_reaches_the_output(
    monkeypatch: pytest.MonkeyPatch, secret: str, path: str, encoding: str
) -> None:
    monkeypatch.setenv("BINANCE_API_SECRET", secret)
    logsafe.refresh()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logsafe.install(handler)
    log = logging.getLogger("property")
    log.propagate = False
    log.addHandler(handler)
    try:
        emit(log, path, ENCODERS[encoding](secret))
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    ALL_OUTPUT.append(output)
    for encode in ENCODERS.values():
        assert encode(secret) not in output


def _gitleaks_stdin(text: str) -> subprocess.CompletedProcess[str]:
    gitleaks = Path(sys.executable).with_name("gitleaks")
    return subprocess.run(
        [
            str(gitleaks),
            "stdin",
            "--redact",
            "--no-banner",
            "--log-level=error",
            f"--config={PROJECT_ROOT / '.gitleaks.toml'}",
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
    # Control: without redaction gitleaks does see the leak, so the check below can fail.
    assert _gitleaks_stdin(_logged(secret, redact=False)).returncode == 1
    done = _gitleaks_stdin(_logged(secret, redact=True) + "".join(ALL_OUTPUT))
    assert done.returncode == 0, done.stdout + done.stderr
