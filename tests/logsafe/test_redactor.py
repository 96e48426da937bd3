"""logsafe.Redactor: known values in every encoding, token shapes, query params, headers."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from logsafe import MASK, Redactor, is_secret_name
from tests import secret_samples as samples

SECRET = "s3cr3t-V4lue/with+chars=="


@pytest.mark.parametrize(
    "name",
    ["BINANCE_API_KEY", "BINANCE_API_SECRET", "TELEGRAM_TOKEN", "DB_PASSWORD", "password_hash"],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["TRADE_ENABLED", "CORS_ORIGINS", "KEYBOARD", "LOG_LEVEL"])
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


def test_extra_secret_names_are_configurable() -> None:
    redactor = Redactor.from_environ({"EXCHANGE_PASSPHRASE": SECRET}, extra_names=["*PASSPHRASE"])
    assert redactor.redact(f"p={SECRET}") == f"p={MASK}"


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        quote(SECRET, safe=""),
        base64.b64encode(SECRET.encode()).decode(),
        base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("="),
    ],
    ids=["raw", "url-encoded", "base64", "urlsafe-base64"],
)
def test_env_secret_values_are_masked_in_every_encoding(form: str) -> None:
    redactor = Redactor.from_environ({"BINANCE_API_SECRET": SECRET, "LOG_LEVEL": "DEBUG"})
    assert form not in redactor.redact(f"sent {form} to the exchange")


def test_non_secret_values_stay() -> None:
    redactor = Redactor.from_environ({"LOG_LEVEL": "DEBUG", "CORS_ORIGINS": "http://x.example"})
    assert redactor.redact("level DEBUG for http://x.example") == (
        "level DEBUG for http://x.example"
    )


@pytest.mark.parametrize(
    "text",
    [
        lambda: f"GET https://api.telegram.org/bot{samples.telegram_token()}/getMe",
        lambda: f"posting to {samples.discord_webhook()}",
        lambda: f"token={samples.github_token()}",
        lambda: f'binance_api_key: "{samples.binance_key()}"',
        lambda: "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    ],
    ids=["telegram-url", "discord-webhook", "github-token", "binance-key", "jwt"],
)
def test_token_shapes_are_masked_without_knowing_the_value(text: object) -> None:
    raw = text()  # type: ignore[operator]
    cleaned = Redactor().redact(raw)
    assert MASK in cleaned
    assert cleaned != raw


def test_signed_query_parameters_are_masked() -> None:
    url = "https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature=abc123def&apiKey=k3y"
    assert Redactor().redact(url) == (
        f"https://api.binance.com/api/v3/order?symbol=BTCUSDT&timestamp=1&signature={MASK}"
        f"&apiKey={MASK}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("X-MBX-APIKEY: abcdef123456", f"X-MBX-APIKEY: {MASK}"),
        ("Authorization: Bearer abc.def", f"Authorization: {MASK}"),
        (
            "{'x-mbx-apikey': 'abcdef123456', 'accept': 'json'}",
            f"{{'x-mbx-apikey': '{MASK}', 'accept': 'json'}}",
        ),
    ],
)
def test_credential_headers_are_masked(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_nested_structures_are_redacted() -> None:
    redactor = Redactor.from_environ({"FINNHUB_API_KEY": SECRET})
    value = {"request": {"params": [SECRET, 3], "ok": True}, SECRET: None}
    assert redactor.redact_value(value) == {
        "request": {"params": [MASK, 3], "ok": True},
        MASK: None,
    }
