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


def profile_with(**profile: object) -> card.Profile:
    """The test config's bot profile with some of its keys replaced."""
    import tomllib

    from ci.core import config
    from tests.checklist.conftest import PYPROJECT

    table = tomllib.loads(PYPROJECT)["tool"]["bottie"]
    table["profile"].update(profile)
    return config.parse(table).profile


def test_the_card_as_json_names_the_environment_and_each_setting() -> None:
    found = card_for("testnet", SAFE, {"BINANCE_API_KEY": SECRETS["BINANCE_API_KEY"]})
    shown = found.to_json()
    assert list(shown) == ["environment", "network", "settings", "warnings"]
    assert (shown["environment"], shown["network"], shown["warnings"]) == (
        "testnet",
        "testnet",
        [],
    )
    key = {"name": "BINANCE_API_KEY", "value": "set", "secret": True, "source": "environment"}
    assert key in shown["settings"]
    limit = {"name": "MAX_POSITION_USDT", "value": "10", "secret": False, "source": "config"}
    assert limit in shown["settings"]


@pytest.mark.parametrize(
    "vars_",
    [
        {"MAX_POSITION_USDT": "100"},  # at the cap: allowed
        {"DASHBOARD_POLL_SECONDS": "1"},  # the bounds are allowed
        {"DASHBOARD_POLL_SECONDS": "300"},
    ],
)
def test_a_value_on_its_bound_does_not_warn(vars_: dict[str, str]) -> None:
    assert card_for("mainnet", {**SAFE, **vars_}).warnings == ()


@pytest.mark.parametrize(
    ("vars_", "warning"),
    [
        ({"MAX_POSITION_USDT": "100.01"}, "MAX_POSITION_USDT 100.01 is above the cap of 100"),
        ({"MAX_POSITION_USDT": "nan"}, "MAX_POSITION_USDT is not a number"),
        ({"MAX_POSITION_USDT": "inf"}, "MAX_POSITION_USDT inf is above the cap of 100"),
        ({"DASHBOARD_POLL_SECONDS": "300.5"}, "DASHBOARD_POLL_SECONDS 300.5 is outside 1..300"),
        ({"CORS_ORIGINS": "https://a.example, https://*.b.example"}, "CORS_ORIGINS is wide"),
    ],
)
def test_a_value_past_its_bound_warns(vars_: dict[str, str], warning: str) -> None:
    [found] = card_for("mainnet", {**SAFE, **vars_}).warnings
    assert found.startswith(warning)


def test_every_unset_cap_is_named() -> None:
    vars_ = {
        k: v for k, v in SAFE.items() if k not in ("MAX_POSITION_USDT", "TRADE_COOLDOWN_SECONDS")
    }
    assert card_for("mainnet", vars_).warnings == (
        "MAX_POSITION_USDT is not set: the bot's own default is its limit",
        "TRADE_COOLDOWN_SECONDS is not set: the bot's own default is its limit",
    )


@pytest.mark.parametrize(("value", "warns"), [("4", True), ("5", False), ("6", False)])
def test_an_inclusive_minimum_allows_its_own_value(value: str, warns: bool) -> None:
    profile = profile_with(caps={"TRADE_COOLDOWN_SECONDS": {"min": 5}})
    cfg = make_config(mainnet={"vars": {**SAFE, "TRADE_COOLDOWN_SECONDS": value}})
    found = card.warnings(settings.resolve(cfg, "mainnet", {}), profile)
    expected = [f"TRADE_COOLDOWN_SECONDS {value} must be at least 5"] if warns else []
    assert found == expected


@pytest.mark.parametrize(("value", "problem"), [("FALSE", False), (" false ", False), ("0", True)])
def test_the_kill_switch_is_off_in_any_case_of_its_off_word(value: str, problem: bool) -> None:
    switch = {"name": "TRADE_ENABLED", "off": "False"}
    profile = profile_with(kill_switch=switch)
    cfg = make_config(mainnet={"vars": {**SAFE, "TRADE_ENABLED": value}})
    said = card.kill_switch_problem(settings.resolve(cfg, "mainnet", {}), profile.kill_switch)
    assert said == ("TRADE_ENABLED is on: the bot places orders on mainnet" if problem else None)


def test_a_profile_without_a_kill_switch_is_said_to_prove_nothing() -> None:
    cfg = make_config(mainnet={"vars": SAFE})
    said = card.kill_switch_problem(settings.resolve(cfg, "mainnet", {}), None)
    assert said == "the bot profile names no kill switch: nothing proves trading can be stopped"
