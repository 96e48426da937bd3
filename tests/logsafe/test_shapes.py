"""Token shapes through logsafe's public API (`Redactor().redact`), with no value known in
advance: the part that grants access is gone, and the text around it stays readable."""

from __future__ import annotations

import pytest

from logsafe import MASK, Redactor
from tests import secret_samples as samples


def test_a_telegram_token_loses_its_secret_part_and_the_url_stays() -> None:
    token = samples.telegram_token()
    secret = token.split(":")[1]
    cleaned = Redactor().redact(f"GET https://api.telegram.org/bot{token}/getMe 200")
    assert secret not in cleaned
    bot_id = token.split(":")[0]  # the bot's public user id may stay: the part after ':' signs
    assert cleaned == f"GET https://api.telegram.org/bot{bot_id}:{MASK}/getMe 200"


@pytest.mark.parametrize("seed", range(5))
def test_a_telegram_token_in_plain_text_loses_its_secret_part(seed: int) -> None:
    token = samples.telegram_token(seed)
    bot_id, secret = token.split(":")
    assert Redactor().redact(f"telegram {token} set") == f"telegram {bot_id}:{MASK} set"
    assert secret not in Redactor().redact(f"telegram {token} set")


@pytest.mark.parametrize("digits", [8, 10])
def test_a_telegram_token_is_masked_whatever_the_length_of_its_bot_id(digits: int) -> None:
    secret = samples.telegram_token().split(":")[1]
    bot_id = "7" * digits  # bot ids run from 8 to 10 digits
    cleaned = Redactor().redact(f"telegram {bot_id}:{secret} set")
    assert cleaned == f"telegram {bot_id}:{MASK} set"


def test_a_discord_webhook_loses_its_token_and_keeps_its_id() -> None:
    url = samples.discord_webhook()
    webhook_id, token = url.rsplit("/", 2)[-2:]
    cleaned = Redactor().redact(f"posting to {url}")
    assert token not in cleaned
    assert cleaned.endswith(f"/{webhook_id}/{MASK}")


@pytest.mark.parametrize(
    ("make", "around"),
    [
        (samples.github_token, "Authorization token {} ok"),
        (samples.binance_key, 'binance_api_key: "{}"'),
    ],
    ids=["github-token", "binance-key"],
)
def test_the_whole_token_is_masked(make: object, around: str) -> None:
    token = make()  # type: ignore[operator]
    cleaned = Redactor().redact(around.format(token))
    assert token[len(token) // 2 :] not in cleaned
    assert token[: len(token) // 2] not in cleaned
