"""Shapes of secrets found in text, whatever variable they came from.

The same families the repository's .gitleaks.toml targets; kept here in one place so
the bot's logs and the pipeline's output are cleaned the same way.
"""

from __future__ import annotations

import re

# Each pattern's group 1 (or the whole match) is replaced by the mask.
TOKEN_SHAPES: tuple[re.Pattern[str], ...] = (
    # Telegram bot token, also inside URL paths such as /bot<token>/sendMessage
    re.compile(r"(?<![0-9])([0-9]{8,10}:[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])"),
    # Discord webhook URL
    re.compile(r"discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/([A-Za-z0-9_-]{60,80})"),
    # AWS access key id
    re.compile(r"\b((?:AKIA|ASIA)[A-Z0-9]{16})\b"),
    # GitHub tokens
    re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,255})\b"),
    re.compile(r"\b(github_pat_[A-Za-z0-9_]{22,255})\b"),
    # Slack tokens
    re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})\b"),
    # JSON Web Tokens
    re.compile(r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"),
    # PEM private keys
    re.compile(r"(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)"),
    # Exchange-style 64-character keys near a key/secret word (Binance and alike)
    re.compile(r"(?i)(?:api[_-]?key|secret|binance)[^A-Za-z0-9]{1,40}([A-Za-z0-9]{64})\b"),
)

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
QUERY_PARAM = re.compile(
    r"(?i)([?&;](?:" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")=)([^&#\s\"'<>]+)"
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
HEADER = re.compile(
    r"(?i)((?:"
    + "|".join(re.escape(h) for h in SECRET_HEADERS)
    + r")['\"]?\s*[:=,]\s*(?:b?['\"])?)"
    r"([^'\"\r\n,)}\]]+)"
)
