"""The bot's settings, read once from the environment (names documented in .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TESTNET_HOSTS = frozenset({"testnet.binance.vision", "127.0.0.1", "localhost"})
MAINNET_HOSTS = frozenset(
    {
        "api.binance.com",
        "api1.binance.com",
        "api2.binance.com",
        "api3.binance.com",
        "api4.binance.com",
    }
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    binance_api_key: SecretStr = SecretStr("")
    binance_api_secret: SecretStr = SecretStr("")
    binance_base_url: str = "https://testnet.binance.vision"
    finnhub_api_key: SecretStr = SecretStr("")
    trade_enabled: bool = False
    execution_runtime_enabled: bool = False
    trade_cooldown_seconds: int = Field(default=60, ge=0)
    max_position_usdt: float = Field(default=10.0, ge=0)
    sentiment_enabled: bool = False
    quantum_enabled: bool = False
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    dashboard_poll_seconds: float = Field(default=5.0, gt=0)
    state_dir: Path = Path("state")
    log_level: str = "INFO"
    bot_version: str = "dev"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def network(self) -> str:
        """Which Binance network the bot talks to, judged by the host of its base URL."""
        host = urlsplit(self.binance_base_url).hostname or ""
        if host in MAINNET_HOSTS:
            return "mainnet"
        if host in TESTNET_HOSTS:
            return "testnet"
        return "unknown"


class SettingsError(Exception):
    """A setting is malformed; the message names the variable, never its value."""


def load() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"bad setting {name}: {first['msg']}") from None
