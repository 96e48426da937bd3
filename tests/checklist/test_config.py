"""`[tool.bottie.checklist]`: defaults, and one clear line for a bad field."""

from __future__ import annotations

import pytest

from ci.core import config
from ci.core.errors import ConfigError


def test_defaults_without_a_table() -> None:
    checklist = config.parse({}).checklist
    assert checklist.gates == ["tests", "smoke", "secrets", "lint", "audit"]
    assert checklist.attestable == [
        "api-keys",
        "cors",
        "dashboard-poll",
        "rollback-target",
        "toggle-card",
    ]
    assert not config.parse({}).profile.described  # no bot is assumed


def test_the_repository_pyproject_is_valid() -> None:
    from tests.helpers import PROJECT_ROOT

    loaded = config.load(PROJECT_ROOT)
    assert loaded.profile.caps["MAX_POSITION_USDT"].max == 100
    assert loaded.environments["mainnet"].vars["DASHBOARD_POLL_SECONDS"] == "5"


def test_poll_bounds_out_of_order_are_refused() -> None:
    table = {"profile": {"poll": {"name": "POLL", "min": 60, "max": 5}}}
    with pytest.raises(ConfigError) as caught:
        config.parse(table)
    assert str(caught.value) == (
        "pyproject.toml: [tool.bottie.profile.poll]: Value error, min is above max"
    )


def test_a_negative_cap_is_refused_naming_the_field() -> None:
    with pytest.raises(ConfigError, match=r"\[tool.bottie.deploy.ports.mainnet\]"):
        config.parse({"deploy": {"ports": {"mainnet": 99999}}})


@pytest.mark.parametrize("name", ["../../etc", "Main Net", ""])
def test_an_environment_name_that_is_no_plain_folder_name_is_refused(name: str) -> None:
    with pytest.raises(ConfigError, match=r"\[tool.bottie.environments\]"):
        config.parse({"environments": {name: {"network": "testnet"}}})


def test_old_keys_that_moved_to_the_profile_are_named() -> None:
    with pytest.raises(ConfigError, match=r"\[tool.bottie.checklist.max_position_usdt\]"):
        config.parse({"checklist": {"max_position_usdt": 100}})
