"""Checklist fixtures: passing gate results, environments, and a complete checklist."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ci.checklist.build import Attestation, build
from ci.checklist.model import Checklist
from ci.core import config
from ci.core.config import Config
from ci.core.result import GateResult, Status
from ci.gates import runner
from tests.helpers import EXAMPLE_BOT_TOML, Repo

GATE_NAMES = ("env", "tests", "smoke", "secrets", "lint", "audit")
HMAC_KEY = b"checklist-signing-key-for-tests"

PYPROJECT = (
    EXAMPLE_BOT_TOML
    + """\
[tool.bottie.environments.testnet]
network = "testnet"
required = ["BINANCE_API_KEY", "BINANCE_API_SECRET"]

[tool.bottie.environments.testnet.vars]
BINANCE_BASE_URL = "https://testnet.binance.vision"
TRADE_ENABLED = "0"
CORS_ORIGINS = "http://localhost:3000"
DASHBOARD_POLL_SECONDS = "5"
MAX_POSITION_USDT = "10"
TRADE_COOLDOWN_SECONDS = "60"

[tool.bottie.environments.mainnet]
network = "mainnet"
required = ["BINANCE_API_KEY", "BINANCE_API_SECRET"]

[tool.bottie.environments.mainnet.vars]
BINANCE_BASE_URL = "https://api.binance.com"
TRADE_ENABLED = "0"
CORS_ORIGINS = "https://dash.example.com"
DASHBOARD_POLL_SECONDS = "5"
MAX_POSITION_USDT = "10"
TRADE_COOLDOWN_SECONDS = "60"
"""
)


def make_config(**environments: dict[str, Any]) -> Config:
    """The test pyproject's config, with some environments' vars replaced or added."""
    import tomllib

    table = tomllib.loads(PYPROJECT)["tool"]["bottie"]
    for env, overrides in environments.items():
        table["environments"][env].update(overrides)
    return config.parse(table)


TEST_SHA = "0" * 40


def passing_results(sha: str = TEST_SHA) -> dict[str, GateResult]:
    """Every gate passed on `sha` (results record the commit they checked)."""
    return {name: GateResult(name, Status.PASSED, "all good", sha=sha) for name in GATE_NAMES}


def save_results(results_dir: Path, results: dict[str, GateResult]) -> None:
    results_dir.mkdir(parents=True, exist_ok=True)
    for result in results.values():
        runner.save(result, results_dir)


def complete_checklist(repo: Repo, *, env: str = "testnet", key: bytes | None = None) -> Checklist:
    """A testnet checklist with every item passed or attested (first deploy)."""
    sha = repo.commit("initial")
    return build(
        repo.path,
        make_config(),
        env,
        results=passing_results(sha),
        attestation=Attestation(frozenset({"rollback-target", "toggle-card"}), "alice"),
        environ={},
        hmac_key=key,
    )
