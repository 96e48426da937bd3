"""A loopback HTTP server that stands in for Binance's `GET /sapi/v1/account/apiRestrictions`.

This machine cannot reach Binance, and Binance's testnet has no `/sapi`, so this
test double speaks that one endpoint the way Binance documents it: it checks the
`X-MBX-APIKEY` header, the `timestamp` and `recvWindow` parameters, and the
HMAC-SHA256 signature of the query string, and answers errors with Binance's
`{"code": ..., "msg": ...}` JSON.

Timing security, as Binance documents it for SIGNED endpoints ("Endpoint security type:
SIGNED", Binance Spot API docs, "Timing security"): `timestamp` is the request's time in
milliseconds; `recvWindow` (default 5000, at most 60000) is how long after `timestamp`
the request stays valid. The server processes a request only when
`timestamp < serverTime + 1000` and `serverTime - timestamp <= recvWindow`; otherwise it
answers -1021 "Timestamp for this request is outside of the recvWindow." (or "... was
1000ms ahead of the server's time."). So a timestamp in seconds (far in the past) or in
microseconds (far ahead) is refused like a stale one.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.checklist import loopback

API_KEY = "fakeBinanceApiKey0123456789abcdefFAKE"
API_SECRET = "fakeBinanceApiSecret0123456789abcdefFAKE"
PATH = "/sapi/v1/account/apiRestrictions"

MINIMAL = {
    "ipRestrict": True,
    "createTime": 1698645219000,
    "enableReading": True,
    "enableWithdrawals": False,
    "enableInternalTransfer": False,
    "enableMargin": False,
    "enableFutures": False,
    "permitsUniversalTransfer": False,
    "enableVanillaOptions": False,
    "enableSpotAndMarginTrading": True,
}

BAD_SIGNATURE = {"code": -1022, "msg": "Signature for this request is not valid."}
BAD_KEY = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}
OUTSIDE_WINDOW = {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
AHEAD = {"code": -1021, "msg": "Timestamp for this request was 1000ms ahead of the server's time."}
MAX_RECV_WINDOW_MS = 60_000


@dataclass
class FakeBinance:
    url: str
    restrictions: dict[str, Any] = field(default_factory=lambda: dict(MINIMAL))
    requests: list[str] = field(default_factory=list)
    clock: Callable[[], float] = time.time  # the server's time, in seconds


def _timing_error(state: FakeBinance, params: dict[str, list[str]]) -> dict[str, Any] | None:
    try:
        timestamp = int(params["timestamp"][0])
        window = int(params["recvWindow"][0])
    except ValueError:
        return {"code": -1100, "msg": "Illegal characters found in a parameter."}
    if not 0 < window <= MAX_RECV_WINDOW_MS:
        return {"code": -1131, "msg": "recvWindow must be less than 60000"}
    now_ms = int(state.clock() * 1000)
    if timestamp >= now_ms + 1000:
        return AHEAD
    if now_ms - timestamp > window:
        return OUTSIDE_WINDOW
    return None


def _answer(state: FakeBinance, path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    state.requests.append(path)
    parts = urlsplit(path)
    if parts.path != PATH:
        return 404, {"code": -1000, "msg": "Unknown path."}
    if headers.get("x-mbx-apikey") != API_KEY:
        return 401, BAD_KEY
    signed, _, signature = parts.query.rpartition("&signature=")
    params = parse_qs(signed)
    if "timestamp" not in params or "recvWindow" not in params:
        return 400, {"code": -1102, "msg": "Mandatory parameter missing."}
    if (error := _timing_error(state, params)) is not None:
        return 400, error
    expected = hmac.new(API_SECRET.encode(), signed.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return 400, BAD_SIGNATURE
    return 200, state.restrictions


@contextmanager
def running() -> Iterator[FakeBinance]:
    state = FakeBinance("")
    with loopback.serve(lambda path, headers: _answer(state, path, headers)) as url:
        state.url = url
        yield state
