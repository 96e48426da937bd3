"""Fake secrets in real formats, built at run time so this repository never holds one."""

from __future__ import annotations

import random
import string

_ALNUM = string.ascii_letters + string.digits


def _rand(n: int, chars: str = _ALNUM, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(chars) for _ in range(n))


def binance_key(seed: int = 1) -> str:
    return _rand(64, seed=seed)


def telegram_token(seed: int = 2) -> str:
    return f"{random.Random(seed).randint(10**8, 10**9 - 1)}:{_rand(35, seed=seed)}"


def discord_webhook(seed: int = 3) -> str:
    snowflake = random.Random(seed).randint(10**17, 10**18 - 1)
    return f"https://discord.com/api/webhooks/{snowflake}/{_rand(68, _ALNUM + '_-', seed)}"


def aws_secret(seed: int = 4) -> str:
    return _rand(40, seed=seed)


def gitlab_token(seed: int = 6) -> str:
    return "glpat" + "-" + _rand(20, seed=seed)


def github_token(seed: int = 5) -> str:
    return "ghp" + "_" + _rand(36, seed=seed)


# (file name, content, the secret inside it): one per custom rule of .gitleaks.toml
CUSTOM_RULE_SAMPLES = {
    "binance-api-key": lambda: ("exchange.py", f'BINANCE_API_SECRET = "{binance_key()}"\n'),
    "telegram-bot-token-url": lambda: (
        "notify.py",
        f'URL = "https://api.telegram.org/bot{telegram_token()}/sendMessage"\n',
    ),
    "discord-webhook-url": lambda: ("alerts.py", f'HOOK = "{discord_webhook()}"\n'),
    "binance-client-credentials": lambda: (
        "trade.py",
        f'client = Client("{binance_key(8)}", "{binance_key(9)}")\n',
    ),
    "aws-secret-access-key": lambda: ("aws.py", f'aws_secret_access_key = "{aws_secret()}"\n'),
}
