"""The bot's settings, read once from the environment (names documented in .env.example)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _profile_hosts() -> tuple[frozenset[str], frozenset[str]]:
    """The exchange's testnet and mainnet hosts, from the bot profile in the repository's
    pyproject.toml: the pipeline's checklist and deploy read the very same table, so the bot
    and the pipeline cannot disagree about which network a URL is."""
    path = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        profile = tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["bottie"]["profile"]
        table = profile["exchange_url"]
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
        return frozenset(), frozenset()  # no profile: every URL's network is "unknown"
    return frozenset(table.get("testnet_hosts", ())), frozenset(table.get("mainnet_hosts", ()))


TESTNET_HOSTS, MAINNET_HOSTS = _profile_hosts()


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
