"""Fake secrets in real formats, built at run time so this repository never holds one."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from dataclasses import dataclass

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
    "telegram-bot-token": lambda: (
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


# --- A corpus of what crypto bots leak, and look-alikes that must pass -------------------
# Every value is built here at run time from parts; none is a literal gitleaks would flag.

_HEX = "0123456789abcdef"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B64 = _ALNUM + "+/"


def aws_key_id(seed: int = 7) -> str:
    return "AK" + "IA" + _rand(16, string.ascii_uppercase + "234567", seed)


def wif_key(seed: int = 8) -> str:
    return "K" + _rand(51, _B58, seed)


def seed_phrase(words: int = 12, seed: int = 9) -> str:
    from ci.scanning import bip39

    return bip39.from_entropy(random.Random(seed).randbytes(words * 11 * 32 // 33 // 8))


def bip39_words() -> tuple[str, ...]:
    from ci.scanning import bip39

    return bip39.wordlist()


def broken_seed_phrase(seed: int = 10) -> str:
    """12 list words whose checksum fails (the last word swapped)."""
    from ci.scanning import bip39

    words = seed_phrase(12, seed).split()
    for candidate in bip39.wordlist():
        if not bip39.is_valid([*words[:-1], candidate]):
            return " ".join([*words[:-1], candidate])
    raise AssertionError("unreachable")


def _notebook(output: str) -> str:
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "outputs": [{"name": "stdout", "output_type": "stream", "text": [output + "\n"]}],
        "source": ["print(client.api_secret)\n"],
    }
    return json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def _k8s(value: str) -> str:
    return (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bot\ntype: Opaque\ndata:\n"
        f"  api-secret: {value}\n"
    )


@dataclass(frozen=True)
class Sample:
    """A file a bot repository might hold; `rule` must catch it (None: it must pass)."""

    name: str
    file: str
    content: str
    secret: str = ""
    rule: str | None = None


def corpus() -> list[Sample]:
    tg, aws_id, aws = telegram_token(21), aws_key_id(22), aws_secret(23)
    key, sec = binance_key(24), binance_key(25)
    pk, wif, pw = _rand(64, _HEX, 26), wif_key(27), _rand(14, seed=28)
    out, phrase12, phrase24 = binance_key(29), seed_phrase(12, 30), seed_phrase(24, 31)
    b64 = base64.b64encode(_rand(24, seed=32).encode()).decode()
    sha = hashlib.sha256(b"x").hexdigest()
    return [
        Sample("telegram bare", "notify.py", f'TOKEN = "{tg}"\n', tg, "telegram-bot-token"),
        Sample(
            "telegram shell export",
            "run.sh",
            f"export TOKEN={tg}\npython bot.py\n",
            tg,
            "telegram-bot-token",
        ),
        Sample(
            "telegram url",
            "bot.py",
            f'U = f"https://api.telegram.org/bot{tg}/x"\n',
            tg,
            "telegram-bot-token",
        ),
        Sample(
            "aws pair",
            "deploy.py",
            f'ID = "{aws_id}"\nS = "{aws}"\n',
            aws,
            "aws-secret-access-key-paired",
        ),
        Sample(
            "freqtrade exchange",
            "config.json",
            json.dumps({"exchange": {"name": "binance", "key": key, "secret": sec}}, indent=4),
            sec,
            "exchange-key-secret-pair",
        ),
        Sample(
            "wallet hex", "wallet.py", f'PRIVATE_KEY = "0x{pk}"\n', pk, "wallet-private-key-hex"
        ),
        Sample("wallet wif", "btc.py", f'WALLET = "{wif}"\n', wif, "wallet-wif-private-key"),
        Sample(
            "postgres url",
            "db.py",
            f'DSN = "postgres://bot:{pw}@db.internal:5432/bot"\n',
            pw,
            "url-credentials",
        ),
        Sample(
            "amqp url", "q.py", f'BROKER = "amqp://bot:{pw}@mq:5672//"\n', pw, "url-credentials"
        ),
        Sample(
            "mongodb srv",
            "m.py",
            f'M = "mongodb+srv://bot:{pw}@c0.mongodb.net/db"\n',
            pw,
            "url-credentials",
        ),
        Sample("redis url", "r.py", f'R = "redis://:{pw}@cache:6379/0"\n', pw, "url-credentials"),
        Sample("notebook output", "research.ipynb", _notebook(out), out, "notebook-output-secret"),
        Sample(
            "dockerfile env",
            "Dockerfile",
            f"FROM python:3.12\nENV API_TOKEN={pw}\n",
            pw,
            "dockerfile-env-secret",
        ),
        Sample("k8s secret", "k8s/secret.yaml", _k8s(b64), b64, "kubernetes-secret-data"),
        Sample(
            "dotenv short",
            ".env.prod",
            f"PW={pw}\nSK={_rand(32, seed=33)}\n",
            pw,
            "dotenv-short-name-secret",
        ),
        Sample("seed 12", "wallet.txt", phrase12 + "\n", phrase12, "bip39-seed-phrase"),
        Sample(
            "seed 24 quoted", "w.py", f'MNEMONIC = "{phrase24}"\n', phrase24, "bip39-seed-phrase"
        ),
        Sample(
            "seed 12 one word per line",
            "backup.md",
            "Recovery words:\n"
            + "".join(f"{n}. {w}\n" for n, w in enumerate(seed_phrase(12, 37).split(), 1)),
            seed_phrase(12, 37).split()[5],
            "bip39-seed-phrase",
        ),
        # look-alikes: none of these may be flagged
        Sample("lock hash", "requirements.txt", f"httpx==0.28.1 \\\n    --hash=sha256:{sha}\n"),
        Sample("action pin", "ci.yml", f"    - uses: actions/checkout@{sha[:40]} # v4\n"),
        Sample(
            "uuid", "ids.py", f'ORDER = "{uuid.UUID(int=random.Random(34).getrandbits(128))}"\n'
        ),
        Sample(
            "git sha near key id", "notes.py", f'ID = "{aws_id[:4]}EXAMPLE"\nC = "{sha[:40]}"\n'
        ),
        Sample("placeholder url", "db2.py", 'DSN = "postgres://bot:${DB_PASSWORD}@db:5432/bot"\n'),
        Sample("local url", "db3.py", 'DSN = "postgres://postgres:postgres@localhost/test"\n'),
        # built documentation (freqtrade's gh-pages search index) escapes its placeholders:
        Sample(
            "html-escaped placeholder url",
            "search_index.json",
            '{"text": "postgresql+psycopg2://&lt;username&gt;:&lt;password&gt;@localhost:5432"}\n',
        ),
        Sample("time not token", "log.txt", "12345678:" + "a" * 35 + "\n"),
        Sample("hex digest", "digest.py", f'PRIVATE_KEY_SHA = "sha256"\nDIGEST = "{sha}"\n'),
        Sample("example env", ".env.example", "PW=\nSK=your-secret-here\n"),
        Sample("dockerfile arg", "Dockerfile.dev", "ARG API_TOKEN\nENV API_TOKEN=${API_TOKEN}\n"),
        Sample("configmap", "k8s/config.yaml", f"kind: ConfigMap\ndata:\n  blob: {b64}\n"),
        Sample(
            "empty exchange template", "c2.json", json.dumps({"key": "", "secret": ""}, indent=4)
        ),
        Sample("secret kind only", "k8s/s.yaml", "kind: Secret\nmetadata:\n  name: bot\n"),
        Sample("notebook hex", "n2.ipynb", _notebook(sha)),
        Sample("broken seed", "words.txt", broken_seed_phrase(35) + "\n"),
        Sample("wordlist", "english.txt", "\n".join(bip39_words()) + "\n"),
        Sample("prose", "README.md", "word list: " + phrase12 + " and more words follow here\n"),
    ]
