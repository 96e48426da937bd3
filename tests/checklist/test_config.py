"""`[tool.bottie.checklist]`: defaults, and one clear line for a bad field."""

from __future__ import annotations

import pytest

from ci.core import config
from ci.core.errors import ConfigError


def test_defaults_without_a_table() -> None:
    checklist = config.parse({}).checklist
    assert checklist.gates == ["tests", "smoke", "secrets", "lint", "audit"]
    assert checklist.attestable == ["api-keys", "rollback-target", "toggle-card"]
    assert (checklist.poll_min_seconds, checklist.poll_max_seconds) == (1, 300)


def test_the_repository_pyproject_is_valid() -> None:
    from tests.helpers import PROJECT_ROOT

    loaded = config.load(PROJECT_ROOT)
    assert loaded.checklist.max_position_usdt == 100
    assert loaded.environments["mainnet"].vars["DASHBOARD_POLL_SECONDS"] == "5"


def test_poll_bounds_out_of_order_are_refused() -> None:
    table = {"checklist": {"poll_min_seconds": 60, "poll_max_seconds": 5}}
    with pytest.raises(ConfigError) as caught:
        config.parse(table)
    assert str(caught.value) == (
        "pyproject.toml: [tool.bottie.checklist]: "
        "Value error, poll_min_seconds is above poll_max_seconds"
    )


def test_a_negative_cap_is_refused_naming_the_field() -> None:
    with pytest.raises(ConfigError, match=r"\[tool.bottie.checklist.max_position_usdt\]"):
        config.parse({"checklist": {"max_position_usdt": -1}})
