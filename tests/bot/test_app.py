"""The example bot's API, through FastAPI's in-process client."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from tests.helpers import PROJECT_ROOT

ORDER = {"symbol": "BTCUSDT", "side": "BUY", "quote_usdt": 4}


def client(tmp_path: Path, **settings: Any) -> TestClient:
    values: dict[str, Any] = {"state_dir": tmp_path / "state", **settings}
    return TestClient(create_app(Settings(**values)))


@pytest.mark.parametrize(
    ("url", "network"),
    [
        ("https://testnet.binance.vision", "testnet"),
        ("https://testnet.binancefuture.com", "testnet"),  # from the same profile as the checklist
        ("https://api.binance.com", "mainnet"),
        ("https://api3.binance.com", "mainnet"),
        ("https://example.com", "unknown"),
    ],
)
def test_health_reports_the_network(tmp_path: Path, url: str, network: str) -> None:
    body = client(tmp_path, binance_base_url=url).get("/health").json()
    assert body["network"] == network
    assert body["trade_enabled"] is False


def test_order_refused_when_trading_disabled(tmp_path: Path) -> None:
    response = client(tmp_path).post("/orders", json=ORDER)
    assert response.status_code == 403
    assert response.json() == {"refused": "trading is disabled (TRADE_ENABLED=0)"}
    assert not (tmp_path / "state" / "orders.json").exists()


def test_order_refused_when_runtime_disabled(tmp_path: Path) -> None:
    response = client(tmp_path, trade_enabled=True).post("/orders", json=ORDER)
    assert response.status_code == 403
    assert "EXECUTION_RUNTIME_ENABLED" in response.json()["refused"]


def enabled(tmp_path: Path, **extra: Any) -> TestClient:
    return client(tmp_path, trade_enabled=True, execution_runtime_enabled=True, **extra)


def test_allowed_order_is_recorded_in_state(tmp_path: Path) -> None:
    response = enabled(tmp_path, trade_cooldown_seconds=0).post("/orders", json=ORDER)
    assert response.status_code == 201
    orders = json.loads((tmp_path / "state" / "orders.json").read_text())
    positions = json.loads((tmp_path / "state" / "positions.json").read_text())
    assert [o["symbol"] for o in orders] == ["BTCUSDT"]
    assert positions == {"BTCUSDT": 4}
    assert not list((tmp_path / "state").glob(".*.tmp"))  # written atomically, no leftovers


def test_cooldown_refuses_a_second_order(tmp_path: Path) -> None:
    bot = enabled(tmp_path, trade_cooldown_seconds=3600)
    assert bot.post("/orders", json=ORDER).status_code == 201
    second = bot.post("/orders", json=ORDER)
    assert second.status_code == 403
    assert "cooldown" in second.json()["refused"]


def test_max_position_refuses_an_order_too_large(tmp_path: Path) -> None:
    bot = enabled(tmp_path, trade_cooldown_seconds=0, max_position_usdt=5)
    response = bot.post("/orders", json={**ORDER, "quote_usdt": 6})
    assert response.status_code == 403
    assert "MAX_POSITION_USDT" in response.json()["refused"]


def test_cors_allows_only_configured_origins(tmp_path: Path) -> None:
    bot = client(tmp_path, cors_origins=["https://dash.example.com"])
    allowed = bot.get("/health", headers={"Origin": "https://dash.example.com"})
    other = bot.get("/health", headers={"Origin": "https://evil.example.com"})
    assert allowed.headers["access-control-allow-origin"] == "https://dash.example.com"
    assert "access-control-allow-origin" not in other.headers


def test_cors_origins_parse_from_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings().cors_origins == ["https://a.example", "https://b.example"]


def test_bad_setting_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    secret = "sk-do-not-print-0123456789"
    code = "from bot.app import from_environment; from_environment()"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={
            "TRADE_COOLDOWN_SECONDS": "soon",
            "BINANCE_API_SECRET": secret,
            "STATE_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    assert done.stderr.startswith("error: bad setting TRADE_COOLDOWN_SECONDS:")
    assert len(done.stderr.strip().splitlines()) == 1
    assert secret not in done.stderr
