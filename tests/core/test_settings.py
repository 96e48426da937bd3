"""One resolver: what the card shows, what the checklist checks and what the deploy writes
are the same values."""

from __future__ import annotations

from ci.checklist import card
from ci.core import settings
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
