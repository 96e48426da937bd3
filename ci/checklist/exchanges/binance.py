"""Binance: `GET /sapi/v1/account/apiRestrictions` says what a mainnet API key may do.

https://developers.binance.com/docs/wallet/account/api-key-permission (the response's
`enableWithdrawals`, `enableInternalTransfer`, `permitsUniversalTransfer`, `ipRestrict`).
Signed (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security):
HMAC-SHA256 of the query string with the secret, appended as `signature`, the key in
`X-MBX-APIKEY`, `timestamp` in ms within `recvWindow`. Binance's testnet has no `/sapi`, so
this runs only with a mainnet key, in the protected job.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from urllib.parse import urlencode

from ci.checklist.exchanges.interface import Credentials, ExchangeError, get_json

RESTRICTIONS_PATH = "/sapi/v1/account/apiRestrictions"
RECV_WINDOW_MS = 5000

# The permissions a trading bot's key must not have, and the one it must.
_MUST_BE_OFF = {
    "enableWithdrawals": "withdrawals are enabled",
    "enableInternalTransfer": "internal transfer is enabled",
    "permitsUniversalTransfer": "universal transfer is permitted",
}
_MUST_BE_ON = {"ipRestrict": "the key is not restricted to trusted IPs"}


def sign_query(query: str, secret: str) -> str:
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def check_scope(
    base_url: str,
    credentials: Credentials,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> tuple[str, ...]:
    """Fetch the key's restrictions and name every permission that is too wide."""
    restrictions = fetch_restrictions(base_url, credentials, timeout=timeout, clock=clock)
    problems = [why for name, why in _MUST_BE_OFF.items() if restrictions.get(name) is not False]
    problems += [why for name, why in _MUST_BE_ON.items() if restrictions.get(name) is not True]
    return tuple(problems)


def fetch_restrictions(
    base_url: str,
    credentials: Credentials,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> dict[str, object]:
    query = urlencode({"timestamp": int(clock() * 1000), "recvWindow": RECV_WINDOW_MS})
    signature = sign_query(query, credentials.secret)
    where = f"{base_url.rstrip('/')}{RESTRICTIONS_PATH}"
    redactor = credentials.redactor(signature)
    status, body = get_json(
        f"{where}?{query}&signature={signature}",
        {"X-MBX-APIKEY": credentials.key},
        timeout=timeout,
        where=where,
        redactor=redactor,
    )
    if status != 200:
        detail = (
            f"Binance error {body.get('code')}: {body.get('msg')}"
            if isinstance(body, dict) and "msg" in body
            else "no Binance error in the response"
        )
        raise ExchangeError(redactor.redact(f"{where}: refused with HTTP {status}: {detail}"))
    if not isinstance(body, dict):
        raise ExchangeError(f"{where}: the response is not a JSON object")
    return body
