"""Bybit: `GET /v5/user/query-api` says what the calling API key may do.

https://bybit-exchange.github.io/docs/v5/user/apikey-info: `readOnly` (0 read and write,
1 read only), `permissions` by area (Wallet's `Withdraw`, `AccountTransfer`,
`SubMemberTransfer`), `ips` (the bound IPs; empty or `["*"]` means none).
Signed as https://bybit-exchange.github.io/docs/v5/guide#authentication says: a GET's
signature is the hex HMAC-SHA256 of timestamp + api_key + recv_window + query string, sent
with X-BAPI-API-KEY, X-BAPI-SIGN, X-BAPI-TIMESTAMP (ms) and X-BAPI-RECV-WINDOW; answers are
`{"retCode": 0, "retMsg": "OK", "result": {...}}`, anything but retCode 0 is a refusal.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from ci.checklist.exchanges.interface import Credentials, ExchangeError, get_json

PATH = "/v5/user/query-api"
RECV_WINDOW_MS = "5000"

# Permissions that move money out or between accounts: a trading bot's key needs none.
_TOO_WIDE = {
    "Withdraw": "withdrawals are enabled",
    "AccountTransfer": "account transfer is enabled",
    "SubMemberTransfer": "sub-account transfer is enabled",
    "SubMemberTransferList": "sub-account transfer is enabled",
}


def sign(timestamp: str, api_key: str, recv_window: str, query: str, secret: str) -> str:
    payload = timestamp + api_key + recv_window + query
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def check_scope(
    base_url: str,
    credentials: Credentials,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> tuple[str, ...]:
    info = fetch_key_info(base_url, credentials, timeout=timeout, clock=clock)
    permissions = info.get("permissions")
    granted = (
        {p for values in (permissions or {}).values() if isinstance(values, list) for p in values}
        if isinstance(permissions, dict)
        else set()
    )
    problems = list(dict.fromkeys(why for name, why in _TOO_WIDE.items() if name in granted))
    if not isinstance(permissions, dict):
        problems.append("Bybit did not report the key's permissions")
    ips = info.get("ips")
    if not isinstance(ips, list) or not [ip for ip in ips if ip not in ("", "*")]:
        problems.append("the key is not bound to trusted IPs")
    return tuple(problems)


def fetch_key_info(
    base_url: str,
    credentials: Credentials,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> dict[str, object]:
    timestamp = str(int(clock() * 1000))
    signature = sign(timestamp, credentials.key, RECV_WINDOW_MS, "", credentials.secret)
    where = f"{base_url.rstrip('/')}{PATH}"
    redactor = credentials.redactor(signature)
    headers = {
        "X-BAPI-API-KEY": credentials.key,
        "X-BAPI-SIGN": signature,
        "X-BAPI-TIMESTAMP": timestamp,
        "X-BAPI-RECV-WINDOW": RECV_WINDOW_MS,
    }
    status, body = get_json(where, headers, timeout=timeout, where=where, redactor=redactor)
    code = body.get("retCode") if isinstance(body, dict) else None
    if status != 200 or code != 0:
        detail = (
            f"Bybit retCode {code}: {body.get('retMsg')}"
            if isinstance(body, dict) and code is not None
            else "no Bybit error in the response"
        )
        raise ExchangeError(redactor.redact(f"{where}: refused with HTTP {status}: {detail}"))
    assert isinstance(body, dict)
    result = body.get("result")
    if not isinstance(result, dict):
        raise ExchangeError(f"{where}: the response holds no result object")
    return result
