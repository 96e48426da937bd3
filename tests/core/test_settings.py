"""One resolver: what the card shows, what the checklist checks and what the deploy writes
are the same values."""

from __future__ import annotations

import pytest

from ci.checklist import card
from ci.core import settings
from ci.core.errors import UsageError
from ci.core.settings import Setting, Source
from ci.deploy.deployer import environment_values
from tests.helpers import example_config

CONFIG = example_config(
    """
[tool.bottie.environments.testnet]
network = "testnet"
required = ["BINANCE_API_KEY", "BINANCE_API_SECRET"]
vars = { BINANCE_BASE_URL = "https://testnet.binance.vision", MAX_POSITION_USDT = "10" }
"""
)
SECRETS = {"BINANCE_API_KEY": "key-value-1", "BINANCE_API_SECRET": "secret-value-1"}


def test_card_and_deployed_env_file_show_the_same_values() -> None:
    # Before: MAX_POSITION_USDT=5000 in the environment showed on the card, but the deployed
    # env file kept the configured 10: the approver reviewed a value that was not deployed.
    environ = {**SECRETS, "MAX_POSITION_USDT": "5000", "QUANTUM_ENABLED": "1"}
    resolved = settings.resolve(CONFIG, "testnet", environ)
    shown = {s.name: s.value for s in card.build(resolved, CONFIG.profile).settings}
    deployed = environment_values(CONFIG, "testnet", environ)
    assert deployed["MAX_POSITION_USDT"] == "5000" == shown["MAX_POSITION_USDT"]
    assert deployed["QUANTUM_ENABLED"] == "1" == shown["QUANTUM_ENABLED"]
    assert deployed == {name: value for name, value in shown.items() if value is not None}


def test_a_variable_the_profile_does_not_name_is_neither_shown_nor_deployed() -> None:
    environ = {**SECRETS, "SOME_OTHER_VARIABLE": "x"}
    deployed = environment_values(CONFIG, "testnet", environ)
    assert "SOME_OTHER_VARIABLE" not in deployed
    assert "SOME_OTHER_VARIABLE" not in settings.resolve(CONFIG, "testnet", environ).by_name


ACCOUNT = example_config(
    """
[tool.bottie.environments.testnet]
network = "testnet"
required = ["BINANCE_API_KEY", "ACCOUNT_ID"]
vars = { BINANCE_BASE_URL = "https://testnet.binance.vision", MAX_POSITION_USDT = "10", \
TRADE_ENABLED = "0" }

[tool.bottie.environments.mainnet]
network = "mainnet"
vars = { TRADE_ENABLED = "0" }
"""
)


def test_an_unknown_environment_is_one_line_naming_the_configured_ones() -> None:
    with pytest.raises(UsageError) as refused:
        settings.resolve(ACCOUNT, "staging", {})
    assert str(refused.value) == (
        "unknown environment 'staging'; configured environments: testnet, mainnet"
    )
    assert settings.environment(ACCOUNT, "mainnet") == "mainnet"


def test_each_setting_says_where_its_value_came_from_and_whether_it_is_secret() -> None:
    # An empty value in the process counts as unset: `${{ vars.X }}` of an undefined
    # variable is "" and must not blank what the config sets.
    environ = {"ACCOUNT_ID": "acct-7", "MAX_POSITION_USDT": "", "LOG_LEVEL": "DEBUG"}
    found = settings.resolve(ACCOUNT, "testnet", environ)
    by_name = found.by_name
    # required, so secret, although its name does not look like one
    assert by_name["ACCOUNT_ID"] == Setting("ACCOUNT_ID", "acct-7", True, Source.ENVIRONMENT)
    assert by_name["ACCOUNT_ID"].display == "set"
    assert by_name["MAX_POSITION_USDT"] == Setting("MAX_POSITION_USDT", "10", False, Source.CONFIG)
    assert by_name["LOG_LEVEL"] == Setting("LOG_LEVEL", "DEBUG", False, Source.ENVIRONMENT)
    # a profile secret and a required credential, neither set: unset, and still secret
    assert by_name["FINNHUB_API_KEY"] == Setting("FINNHUB_API_KEY", None, True, Source.UNSET)
    assert by_name["BINANCE_API_KEY"] == Setting("BINANCE_API_KEY", None, True, Source.UNSET)
    assert (found.env, found.network) == ("testnet", "testnet")
    assert found.required == ("BINANCE_API_KEY", "ACCOUNT_ID")
    assert found.missing() == ["BINANCE_API_KEY"]
    assert found.get("NOT_A_SETTING") is None
    assert found.get("BINANCE_BASE_URL") == "https://testnet.binance.vision"


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True), ("true", True), (" TRUE ", True), ("Yes", True), ("on", True),
        ("0", False), ("false", False), ("off", False), ("no", False), ("2", False),
        ("enabled", False), ("", False), (None, False),
    ],
)  # fmt: skip
def test_a_toggle_is_on_only_when_explicitly_turned_on(value: str | None, on: bool) -> None:
    environ = {} if value is None else {"TRADE_ENABLED": value}
    found = settings.resolve(ACCOUNT, "mainnet", environ)
    if value:
        assert found.flag("TRADE_ENABLED") is on
    else:  # unset in the process: the config's "0"
        assert found.flag("TRADE_ENABLED") is False
    assert found.flag("NOT_A_SETTING") is False  # unknown: off
