"""A loopback stand-in for OKX's `GET /api/v5/account/config` (this machine cannot reach OKX).

It speaks that one endpoint the way OKX documents it
(https://www.okx.com/docs-v5/en/#overview-rest-authentication): it checks OK-ACCESS-KEY and
OK-ACCESS-PASSPHRASE, recomputes OK-ACCESS-SIGN (base64 HMAC-SHA256 of timestamp + method +
requestPath + body), refuses an OK-ACCESS-TIMESTAMP that is not ISO 8601 with milliseconds or
is more than 30 seconds off, and answers with OKX's `{"code", "msg", "data"}` envelope
(50111 bad key, 50105 bad passphrase, 50113 bad sign, 50102 expired timestamp).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.checklist import loopback

API_KEY = "fakeOkxKeyFAKE"
API_SECRET = "fakeOkxSecretNotARealOneFAKE"
PASSPHRASE = "fakeOkxPassphraseFAKE"
PATH = "/api/v5/account/config"
_ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def minimal() -> dict[str, Any]:
    return {
        "uid": "44705892343619584",
        "acctLv": "2",
        "perm": "read_only,trade",
        "ip": "203.0.113.7",
    }


@dataclass
class FakeOkx:
    url: str = ""
    config: dict[str, Any] = field(default_factory=minimal)
    requests: list[str] = field(default_factory=list)
    clock_skew_s: float = 0


def _envelope(code: str, message: str, data: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"code": code, "msg": message, "data": data or []}


def _answer(state: FakeOkx, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    state.requests.append(path)
    if path != PATH:
        return 404, _envelope("50000", "not found")
    if headers.get("ok-access-key") != API_KEY:
        return 401, _envelope("50111", "Invalid OK-ACCESS-KEY")
    if headers.get("ok-access-passphrase") != PASSPHRASE:
        return 401, _envelope("50105", "Your OK-ACCESS-PASSPHRASE is incorrect")
    stamp = headers.get("ok-access-timestamp", "")
    if not _ISO_MS.fullmatch(stamp):
        return 401, _envelope("50112", "Invalid OK-ACCESS-TIMESTAMP")
    sent = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    if abs(time.time() + state.clock_skew_s - sent) > 30:
        return 401, _envelope("50102", "Timestamp request expired")
    payload = (stamp + "GET" + path).encode()
    digest = hmac.new(API_SECRET.encode(), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(
        base64.b64encode(digest).decode(), headers.get("ok-access-sign", "")
    ):
        return 401, _envelope("50113", "Invalid Sign")
    return 200, _envelope("0", "", [state.config])


@contextmanager
def running() -> Iterator[FakeOkx]:
    state = FakeOkx()
    with loopback.serve(lambda path, headers: _answer(state, path, headers)) as url:
        state.url = url
        yield state
