"""A loopback stand-in for Bybit's `GET /v5/user/query-api` (this machine cannot reach Bybit).

It speaks that one endpoint the way Bybit documents it
(https://bybit-exchange.github.io/docs/v5/guide#authentication,
https://bybit-exchange.github.io/docs/v5/user/apikey-info): it checks X-BAPI-API-KEY,
recomputes X-BAPI-SIGN (hex HMAC-SHA256 of timestamp + key + recv_window + query string),
refuses a timestamp outside the receive window, and answers with Bybit's
`{"retCode", "retMsg", "result"}` envelope (10003 bad key, 10004 bad sign, 10002 stale).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.checklist import loopback

API_KEY = "fakeBybitKeyFAKE"
API_SECRET = "fakeBybitSecretNotARealOneFAKE"
PATH = "/v5/user/query-api"


def minimal() -> dict[str, Any]:
    return {
        "readOnly": 0,
        "permissions": {
            "ContractTrade": ["Order", "Position"],
            "Spot": ["SpotTrade"],
            "Wallet": [],
            "Options": [],
            "Derivatives": [],
        },
        "ips": ["203.0.113.7"],
    }


@dataclass
class FakeBybit:
    url: str = ""
    info: dict[str, Any] = field(default_factory=minimal)
    requests: list[str] = field(default_factory=list)
    clock_skew_ms: int = 0  # how far the server's clock is ahead of the client's


def _envelope(code: int, message: str, result: object = None) -> dict[str, Any]:
    return {"retCode": code, "retMsg": message, "result": result or {}, "time": 0}


def _answer(state: FakeBybit, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    state.requests.append(path)
    parts = urlsplit(path)
    if parts.path != PATH:
        return 404, _envelope(10001, "route not found")
    if headers.get("x-bapi-api-key") != API_KEY:
        return 401, _envelope(10003, "API key is invalid.")
    stamp, window = headers.get("x-bapi-timestamp", ""), headers.get("x-bapi-recv-window", "")
    if not stamp.isdigit() or not window.isdigit():
        return 200, _envelope(10001, "params error: timestamp and recv_window are required")
    now = int(time.time() * 1000) + state.clock_skew_ms
    if not (now - int(window) <= int(stamp) < now + 1000):
        return 200, _envelope(10002, "invalid request, please check your server timestamp")
    payload = stamp + API_KEY + window + parts.query
    expected = hmac.new(API_SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, headers.get("x-bapi-sign", "")):
        return 200, _envelope(10004, "error sign!")
    return 200, _envelope(0, "OK", {**state.info, "apiKey": API_KEY, "secret": ""})


@contextmanager
def running() -> Iterator[FakeBybit]:
    state = FakeBybit()
    with loopback.serve(lambda path, headers: _answer(state, path, headers)) as url:
        state.url = url
        yield state
