"""OKX: `GET /api/v5/account/config` says what the calling API key may do.

https://www.okx.com/docs-v5/en/#trading-account-rest-api-get-account-configuration: `perm`
("read_only", "trade", "withdraw", comma-separated) and `ip` (the bound IPs, comma-separated;
"" when none). Signed as https://www.okx.com/docs-v5/en/#overview-rest-authentication says:
OK-ACCESS-SIGN is the base64 HMAC-SHA256 of timestamp + method + requestPath + body, with
OK-ACCESS-KEY, OK-ACCESS-TIMESTAMP (ISO 8601 UTC with milliseconds) and OK-ACCESS-PASSPHRASE;
answers are `{"code": "0", "msg": "", "data": [{...}]}`, any other code is a refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import UTC, datetime

from ci.checklist.exchanges.interface import Credentials, ExchangeError, get_json

PATH = "/api/v5/account/config"


def timestamp(now: float) -> str:
    moment = datetime.fromtimestamp(now, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def sign(stamp: str, method: str, request_path: str, body: str, secret: str) -> str:
    payload = (stamp + method + request_path + body).encode()
    return base64.b64encode(hmac.new(secret.encode(), payload, hashlib.sha256).digest()).decode()


def check_scope(
    base_url: str,
    credentials: Credentials,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> tuple[str, ...]:
    config = fetch_config(base_url, credentials, timeout=timeout, clock=clock)
    perm = config.get("perm")
    problems = []
    if not isinstance(perm, str):
        problems.append("OKX did not report the key's permissions")
    elif "withdraw" in {p.strip() for p in perm.split(",")}:
        problems.append("withdrawals are enabled")
    ip = config.get("ip")
    if not isinstance(ip, str) or not ip.strip():
        problems.append("the key is not bound to trusted IPs")
    return tuple(problems)


def fetch_config(
    base_url: str,
    credentials: Credentials,
    *,
    timeout: float,
    clock: Callable[[], float] = time.time,
) -> dict[str, object]:
    if not credentials.passphrase:
        raise ExchangeError("OKX needs the key's passphrase: list it third in credentials")
    stamp = timestamp(clock())
    signature = sign(stamp, "GET", PATH, "", credentials.secret)
    where = f"{base_url.rstrip('/')}{PATH}"
    redactor = credentials.redactor(signature)
    headers = {
        "OK-ACCESS-KEY": credentials.key,
        "OK-ACCESS-SIGN": signature,
        "OK-ACCESS-TIMESTAMP": stamp,
        "OK-ACCESS-PASSPHRASE": credentials.passphrase,
    }
    status, body = get_json(where, headers, timeout=timeout, where=where, redactor=redactor)
    code = body.get("code") if isinstance(body, dict) else None
    if status != 200 or code != "0":
        detail = (
            f"OKX code {code}: {body.get('msg')}"
            if isinstance(body, dict) and code is not None
            else "no OKX error in the response"
        )
        raise ExchangeError(redactor.redact(f"{where}: refused with HTTP {status}: {detail}"))
    assert isinstance(body, dict)
    data = body.get("data")
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        raise ExchangeError(f"{where}: the response holds no account configuration")
    return data[0]
