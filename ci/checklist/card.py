"""The toggle card: the risky settings of one environment, and what looks wrong with them.

The approver reads it before approving a deploy. Secret settings appear only as
set/unset (`Setting.display`), so the card is safe to print, upload and keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ci.core.config import ChecklistConfig
from ci.core.settings import Setting, Settings


@dataclass(frozen=True)
class Card:
    env: str
    network: str
    settings: tuple[Setting, ...]
    warnings: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.env,
            "network": self.network,
            "settings": [
                {"name": s.name, "value": s.display, "secret": s.secret, "source": s.source.value}
                for s in self.settings
            ],
            "warnings": list(self.warnings),
        }


def build(settings: Settings, config: ChecklistConfig) -> Card:
    return Card(
        env=settings.env,
        network=settings.network,
        settings=tuple(settings.by_name.values()),
        warnings=tuple(warnings(settings, config)),
    )


def warnings(settings: Settings, config: ChecklistConfig) -> list[str]:
    found = [*_toggle_warnings(settings), *_limit_warnings(settings, config)]
    cors = settings.get("CORS_ORIGINS")
    if cors is not None and cors_wide_open(cors):
        found.append("CORS_ORIGINS is wide open (*): any web page can call the bot's API")
    poll = poll_problem(settings.get("DASHBOARD_POLL_SECONDS"), config)
    if poll and settings.get("DASHBOARD_POLL_SECONDS") is not None:
        found.append(poll)
    return found


def _toggle_warnings(settings: Settings) -> list[str]:
    net = settings.network
    found = []
    if settings.flag("TRADE_ENABLED"):
        found.append(f"TRADE_ENABLED is on: the bot places orders on {net}")
    if settings.flag("EXECUTION_RUNTIME_ENABLED"):
        found.append(f"EXECUTION_RUNTIME_ENABLED is on: the execution runtime runs on {net}")
    if net == "mainnet":
        for flag in ("QUANTUM_ENABLED", "SENTIMENT_ENABLED"):
            if settings.flag(flag):
                found.append(f"{flag} is on in mainnet: experimental signals drive real trades")
    return found


def _limit_warnings(settings: Settings, config: ChecklistConfig) -> list[str]:
    found = []
    position = settings.get("MAX_POSITION_USDT")
    if position is not None:
        amount = _number(position)
        if amount is None:
            found.append("MAX_POSITION_USDT is not a number")
        elif amount > config.max_position_usdt:
            found.append(
                f"MAX_POSITION_USDT {position} is above the cap of {config.max_position_usdt:g}"
            )
    cooldown = settings.get("TRADE_COOLDOWN_SECONDS")
    if cooldown is not None:
        seconds = _number(cooldown)
        if seconds is None:
            found.append("TRADE_COOLDOWN_SECONDS is not a number")
        elif seconds <= 0:
            found.append("TRADE_COOLDOWN_SECONDS is zero: nothing spaces trades apart")
    return found


def cors_wide_open(origins: str) -> bool:
    """Whether a comma-separated CORS_ORIGINS lets any origin in."""
    return any("*" in origin.strip() for origin in origins.split(","))


def poll_problem(value: str | None, config: ChecklistConfig) -> str | None:
    """Why DASHBOARD_POLL_SECONDS is not within the configured bounds, or None."""
    low, high = config.poll_min_seconds, config.poll_max_seconds
    if value is None:
        return "DASHBOARD_POLL_SECONDS is not set"
    seconds = _number(value)
    if seconds is None:
        return "DASHBOARD_POLL_SECONDS is not a number"
    if not low <= seconds <= high:
        return f"DASHBOARD_POLL_SECONDS {value} is outside {low:g}..{high:g} seconds"
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a number a person meant
