"""The one interface of an exchange's credential-scope check.

Given the exchange's base URL and the key (by position from the profile's `credentials`:
key, secret, passphrase), a check asks the exchange what the key may do and returns every
problem with its scope (withdrawals, transfers, no IP binding): an empty tuple is a minimal
key. It raises `ExchangeError` when the exchange could not be asked or refused to answer.
No message built by a check ever holds the key, the secret, the passphrase or a signature.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from ci.core import tls
from ci.core.errors import CiError
from logsafe import Redactor


class ExchangeError(CiError):
    """The exchange could not be asked about the key, or refused the request."""


@dataclass(frozen=True)
class Credentials:
    key: str
    secret: str
    passphrase: str = ""

    @classmethod
    def from_values(cls, values: list[str]) -> Credentials:
        padded = [*values, "", "", ""]
        return cls(padded[0], padded[1], padded[2])

    def redactor(self, *more: str) -> Redactor:
        return Redactor().with_secrets(
            [v for v in (self.key, self.secret, self.passphrase, *more) if v]
        )


class ScopeCheck(Protocol):
    def __call__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> tuple[str, ...]: ...


def get_json(
    url: str, headers: dict[str, str], *, timeout: float, where: str, redactor: Redactor
) -> tuple[int, object]:
    """(HTTP status, parsed JSON or None); a transport failure is an ExchangeError, redacted."""
    try:
        response = httpx.get(url, headers=headers, timeout=timeout, verify=tls.context())
    except httpx.HTTPError as exc:
        # httpx puts the URL (and so a query signature) in some messages: redact first.
        reason = redactor.redact(str(exc)) or type(exc).__name__
        raise ExchangeError(f"{where}: request failed: {reason}") from None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None
