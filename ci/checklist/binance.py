"""Ask Binance what a mainnet API key may do: `GET /sapi/v1/account/apiRestrictions`.

A signed request (HMAC-SHA256 of the query string, key in `X-MBX-APIKEY`). Binance's
testnet has no `/sapi`, so this runs only with a mainnet key, in the protected job.
No message built here ever holds the key, the secret or the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from ci.core.errors import CiError
from logsafe import Redactor

RESTRICTIONS_PATH = "/sapi/v1/account/apiRestrictions"
RECV_WINDOW_MS = 5000

# The permissions a trading bot's key must not have, and the one it must.
_MUST_BE_OFF = {
    "enableWithdrawals": "withdrawals are enabled",
    "enableInternalTransfer": "internal transfer is enabled",
    "permitsUniversalTransfer": "universal transfer is permitted",
}
_MUST_BE_ON = {"ipRestrict": "the key is not restricted to trusted IPs"}


class BinanceError(CiError):
    """Binance could not be asked, or refused the request."""


@dataclass(frozen=True)
class ApiKeyCheck:
    problems: tuple[str, ...]


def sign_query(query: str, secret: str) -> str:
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def check_api_key(
    base_url: str,
    api_key: str,
    api_secret: str,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> ApiKeyCheck:
    """Fetch the key's restrictions and name every permission that is too wide."""
    restrictions = fetch_restrictions(base_url, api_key, api_secret, timeout=timeout, clock=clock)
    problems = [why for name, why in _MUST_BE_OFF.items() if restrictions.get(name) is not False]
    problems += [why for name, why in _MUST_BE_ON.items() if restrictions.get(name) is not True]
    return ApiKeyCheck(tuple(problems))


def fetch_restrictions(
    base_url: str,
    api_key: str,
    api_secret: str,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> dict[str, object]:
    query = urlencode({"timestamp": int(clock() * 1000), "recvWindow": RECV_WINDOW_MS})
    signature = sign_query(query, api_secret)
    url = f"{base_url.rstrip('/')}{RESTRICTIONS_PATH}?{query}&signature={signature}"
    where = f"{base_url.rstrip('/')}{RESTRICTIONS_PATH}"
    redactor = Redactor().with_secrets([api_key, api_secret, signature])
    try:
        response = httpx.get(url, headers={"X-MBX-APIKEY": api_key}, timeout=timeout)
    except httpx.HTTPError as exc:
        # httpx puts the URL (with the signature) in some messages: redact before use.
        reason = redactor.redact(str(exc)) or type(exc).__name__
        raise BinanceError(f"{where}: request failed: {reason}") from None
    return _restrictions(response, where, redactor)


def _restrictions(response: httpx.Response, where: str, redactor: Redactor) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != httpx.codes.OK:
        detail = (
            f"Binance error {body.get('code')}: {body.get('msg')}"
            if isinstance(body, dict) and "msg" in body
            else "no Binance error in the response"
        )
        message = f"{where}: refused with HTTP {response.status_code}: {detail}"
        raise BinanceError(redactor.redact(message))
    if not isinstance(body, dict):
        raise BinanceError(f"{where}: the response is not a JSON object")
    return body
