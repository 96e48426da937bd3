"""Shapes of secrets found in text, whatever variable they came from.

The same families the repository's .gitleaks.toml targets, kept in one place so the
bot's logs and the pipeline's output are cleaned the same way. Every pattern has
exactly one capturing group: the secret. Text around it in the match is kept, so
`signature=abc` becomes `signature=***`. Like gitleaks' rules, each shape has keywords:
it is only tried on text that holds one of them (lower-cased), which keeps clean
lines cheap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# URL query parameters whose value is a credential or a signature over one.
SECRET_PARAMS = (
    "signature",
    "apikey",
    "api_key",
    "api-key",
    "token",
    "access_token",
    "key",
    "secret",
    "password",
    "passphrase",
)
# HTTP headers that carry credentials, in "Name: value" or dict-repr form.
SECRET_HEADERS = (
    "x-mbx-apikey",
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-finnhub-token",
)


@dataclass(frozen=True)
class Shape:
    keywords: tuple[str, ...]  # lower-case; empty: always tried
    regex: re.Pattern[str]


def _shape(keywords: tuple[str, ...], pattern: str, *, ignore_case: bool = False) -> Shape:
    return Shape(keywords, re.compile(pattern, re.IGNORECASE if ignore_case else 0))


SHAPES: tuple[Shape, ...] = (
    # ?signature=...&apiKey=...
    _shape(
        tuple(f"{p}=" for p in SECRET_PARAMS),
        r"[?&;](?:" + "|".join(SECRET_PARAMS) + r")=([^&#\s\"'<>]+)",
        ignore_case=True,
    ),
    # X-MBX-APIKEY: ..., 'authorization': '...'
    _shape(
        SECRET_HEADERS,
        r"(?:" + "|".join(SECRET_HEADERS) + r")['\"]?\s*[:=,]\s*(?:b?['\"])?([^'\"\r\n,)}\]]+)",
        ignore_case=True,
    ),
    # Telegram bot token, also inside URL paths such as /bot<token>/sendMessage
    _shape((), r"(?<![0-9])([0-9]{8,10}:[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])"),
    # Discord webhook URL
    _shape(("discord",), r"discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,80})"),
    # AWS access key id
    _shape(("akia", "asia"), r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"),
    # GitHub tokens
    _shape(
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
    ),
    # Slack tokens
    _shape(("xox",), r"\b(xox[abposr]-[A-Za-z0-9-]{10,})\b"),
    # JSON Web Tokens
    _shape(("eyj",), r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"),
    # PEM private keys
    _shape(
        ("private key",),
        r"(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)",
    ),
    # Exchange-style 64-character keys near a key/secret word (Binance and alike)
    _shape(
        ("key", "secret", "binance"),
        r"(?:api[_-]?key|secret|binance)[^A-Za-z0-9]{1,40}([A-Za-z0-9]{64})\b",
        ignore_case=True,
    ),
)
