"""The toggle card: warnings fire, secret values never appear."""

from __future__ import annotations

import json

import pytest

from ci.checklist import card
from ci.checklist.render import card_markdown
from ci.core import settings
from tests.checklist.conftest import make_config

SECRETS = {
    "BINANCE_API_KEY": "binance-key-VALUE-0123456789",
    "BINANCE_API_SECRET": "binance-secret-VALUE-0123456789",
    "FINNHUB_API_KEY": "finnhub-key-VALUE-0123456789",
}


def card_for(env: str, vars_: dict[str, str], environ: dict[str, str] | None = None) -> card.Card:
    cfg = make_config(**{env: {"vars": vars_}})
    return card.build(settings.resolve(cfg, env, environ or {}), cfg.profile)


SAFE = {
    "CORS_ORIGINS": "https://a.example",
    "TRADE_ENABLED": "0",
    "MAX_POSITION_USDT": "10",
    "TRADE_COOLDOWN_SECONDS": "60",
}


def test_safe_settings_have_no_warnings() -> None:
    assert card_for("mainnet", {**SAFE, "MAX_POSITION_USDT": "50"}).warnings == ()


@pytest.mark.parametrize(
    ("vars_", "warning"),
    [
        ({"QUANTUM_ENABLED": "1"}, "QUANTUM_ENABLED is on in mainnet"),
        ({"SENTIMENT_ENABLED": "yes"}, "SENTIMENT_ENABLED is on in mainnet"),
        ({"TRADE_ENABLED": "true"}, "TRADE_ENABLED is on: the bot places orders on mainnet"),
        ({"EXECUTION_RUNTIME_ENABLED": "on"}, "EXECUTION_RUNTIME_ENABLED is on"),
        ({"MAX_POSITION_USDT": "250"}, "MAX_POSITION_USDT 250 is above the cap of 100"),
        ({"MAX_POSITION_USDT": "lots"}, "MAX_POSITION_USDT is not a number"),
        ({"TRADE_COOLDOWN_SECONDS": "0"}, "TRADE_COOLDOWN_SECONDS 0 must be above 0"),
        ({"CORS_ORIGINS": "*"}, "CORS_ORIGINS is wide open (*)"),
        ({"DASHBOARD_POLL_SECONDS": "0.1"}, "DASHBOARD_POLL_SECONDS 0.1 is outside 1..300"),
    ],
)
def test_risky_setting_warns(vars_: dict[str, str], warning: str) -> None:
    [found] = card_for("mainnet", {**SAFE, **vars_}).warnings
    assert found.startswith(warning)


def test_experimental_signals_are_fine_on_testnet() -> None:
    vars_ = {**SAFE, "QUANTUM_ENABLED": "1", "SENTIMENT_ENABLED": "1"}
    assert card_for("testnet", vars_).warnings == ()


def test_the_process_environment_overrides_config_and_says_so() -> None:
    found = card_for("mainnet", SAFE, {"TRADE_ENABLED": "1"})
    [trade] = [s for s in found.settings if s.name == "TRADE_ENABLED"]
    assert (trade.value, trade.source) == ("1", settings.Source.ENVIRONMENT)
    assert found.warnings[0].startswith("TRADE_ENABLED is on")


def test_secrets_appear_only_as_set_or_unset() -> None:
    environ = {k: v for k, v in SECRETS.items() if k != "FINNHUB_API_KEY"}
    found = card_for("mainnet", SAFE, environ)
    rendered = card_markdown(found) + json.dumps(found.to_json())
    for value in SECRETS.values():
        assert value not in rendered
    shown = {s["name"]: s["value"] for s in found.to_json()["settings"]}
    assert shown["BINANCE_API_KEY"] == "set"
    assert shown["FINNHUB_API_KEY"] == "unset"


def test_a_required_variable_is_secret_whatever_its_name() -> None:
    cfg = make_config(mainnet={"required": ["WEBHOOK_URL"], "vars": SAFE})
    found = card.build(
        settings.resolve(cfg, "mainnet", {"WEBHOOK_URL": "https://hooks.example/abc123"}),
        cfg.profile,
    )
    assert "abc123" not in card_markdown(found)


def test_an_empty_process_variable_does_not_blank_the_config() -> None:
    # GitHub gives "" for `${{ vars.CORS_ORIGINS }}` when the variable is not defined.
    found = card_for("mainnet", SAFE, {"CORS_ORIGINS": "", "BINANCE_API_KEY": ""})
    shown = {s["name"]: (s["value"], s["source"]) for s in found.to_json()["settings"]}
    assert shown["CORS_ORIGINS"] == ("https://a.example", "config")
    assert shown["BINANCE_API_KEY"] == ("unset", "unset")
