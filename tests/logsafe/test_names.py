"""Which names hold secrets: environment variables (is_secret_name) and fields (is_secret_field)."""

from __future__ import annotations

import pytest

from logsafe import is_secret_field, is_secret_name


@pytest.mark.parametrize(
    "name",
    [
        "BINANCE_API_KEY",
        "BINANCE_API_SECRET",
        "TELEGRAM_TOKEN",
        "DB_PASSWORD",
        "password_hash",
        # Named by the issue: each leaked before.
        "FINNHUB_APIKEY",
        "KUCOIN_PASSPHRASE",
        "OKX_API_PASSPHRASE_V2",
        "AWS_SECRET_ACCESS_KEY",
        "JWT_SECRET_B64",
        "GITHUB_TOKEN_RO",
        "SLACK_TOKEN_BOT",
        "SECRET",
        "APIKEY",
        "TOKEN",
        "DATABASE_URL",
        "TEST_DATABASE_URL",
        "DISCORD_WEBHOOK_URL",
        "SLACK_WEBHOOK_URL_ALERTS",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "TRADE_ENABLED",
        "CORS_ORIGINS",
        "KEYBOARD",
        "LOG_LEVEL",
        "BINANCE_BASE_URL",
        "WEBHOOK_TIMEOUT",
        # A secret word, then what the setting is about: a number, not a secret.
        "TOKEN_BUCKET_SIZE",
        "MAX_TOKEN_COUNT",
        "PASSWORD_MIN_LENGTH",
        "JWT_SECRET_TTL",
        "SESSION_TOKEN_SECONDS",
        "SECRETARY",
        "TOKENIZER",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_extra_patterns_count_even_against_the_exclusions() -> None:
    assert not is_secret_name("EXCHANGE_PIN")
    assert is_secret_name("EXCHANGE_PIN", extra=["*_PIN"])
    assert is_secret_name("MAX_TOKEN_COUNT", extra=["MAX_TOKEN_COUNT"])


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "apiKey",
        "X-MBX-APIKEY",
        "api_secret",
        "client_secret",
        "secretKey",
        "X-Amz-Signature",
        "access_key",
        "access_token",
        "accessToken",
        "sig",
        "auth",
        "Authorization",
        "password",
        "passwd",
        "passphrase",
        "Set-Cookie",
        "credentials",
        "api%5Fkey",
        "client%5fsecret",
        "BINANCE_API_KEY",
        "mnemonic",
    ],
)
def test_secret_fields(name: str) -> None:
    assert is_secret_field(name)


@pytest.mark.parametrize(
    "name",
    [
        "symbol",
        "token_type",
        "token_count",
        "signature_version",
        "key_id",
        "key",  # alone, mostly an identifier ({"Key": "jobs"}); `?key=` counts, see the redactor
        "public_key",
        "cache_key",
        "idempotency_key",
        "monkey",
        "hotkey",
        "bypass",
        "author",
        "",
        "%%%",
    ],
)
def test_not_secret_fields(name: str) -> None:
    assert not is_secret_field(name)
