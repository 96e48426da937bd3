"""The toggle card: the risky settings of one environment, and what looks wrong with them.

The approver reads it before approving a deploy. Secret settings appear only as
set/unset (`Setting.display`), so the card is safe to print, upload and keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ci.core.profile import NO_PROFILE, KillSwitch, Poll, Profile
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


def build(settings: Settings, profile: Profile) -> Card:
    return Card(
        env=settings.env,
        network=settings.network,
        settings=tuple(settings.by_name.values()),
        warnings=tuple(warnings(settings, profile)),
    )


def warnings(settings: Settings, profile: Profile) -> list[str]:
    """Everything risky about these settings, as the bot profile describes the bot."""
    if not profile.described:
        return [NO_PROFILE]
    found = [*_toggle_warnings(settings, profile), *_cap_warnings(settings, profile)]
    if profile.cors:
        origins = settings.get(profile.cors)
        if origins is not None and cors_wide_open(origins):
            found.append(f"{profile.cors} is wide open (*): any web page can call the bot's API")
    if profile.poll and settings.get(profile.poll.name) is not None:
        poll = poll_problem(settings.get(profile.poll.name), profile.poll)
        if poll:
            found.append(poll)
    return found


def kill_switch_problem(settings: Settings, switch: KillSwitch | None) -> str | None:
    """Why the kill switch does not hold trading off, or None when it does."""
    if switch is None:
        return "the bot profile names no kill switch: nothing proves trading can be stopped"
    value = settings.get(switch.name)
    if value is None:
        return f"{switch.name} is not set: the bot's own default decides whether it trades"
    if value.strip().lower() != switch.off.strip().lower():
        return f"{switch.name} is on: the bot places orders on {settings.network}"
    return None


def _toggle_warnings(settings: Settings, profile: Profile) -> list[str]:
    net = settings.network
    found = []
    problem = kill_switch_problem(settings, profile.kill_switch)
    if problem:
        found.append(problem)
    for flag in profile.toggles:
        if settings.flag(flag):
            found.append(f"{flag} is on on {net}")
    if net == "mainnet":
        for flag in profile.mainnet_off:
            if settings.flag(flag):
                found.append(f"{flag} is on in mainnet: it must be off where trades are real")
    return found


def _cap_warnings(settings: Settings, profile: Profile) -> list[str]:
    found = []
    for name, cap in profile.caps.items():
        value = settings.get(name)
        if value is None:
            found.append(f"{name} is not set: the bot's own default is its limit")
            continue
        amount = _number(value)
        if amount is None:
            found.append(f"{name} is not a number")
        elif cap.max is not None and amount > cap.max:
            found.append(f"{name} {value} is above the cap of {cap.max:g}")
        elif cap.min is not None and (
            amount < cap.min or (cap.min_exclusive and amount == cap.min)
        ):
            bound = "above" if cap.min_exclusive else "at least"
            found.append(f"{name} {value} must be {bound} {cap.min:g}")
    return found


def cors_wide_open(origins: str) -> bool:
    """Whether a comma-separated CORS origins list lets any origin in: a `*` in any of them."""
    return "*" in origins


def poll_problem(value: str | None, poll: Poll) -> str | None:
    """Why the polling interval is not within the profile's bounds, or None."""
    if value is None:
        return f"{poll.name} is not set"
    seconds = _number(value)
    if seconds is None:
        return f"{poll.name} is not a number"
    if not poll.min <= seconds <= poll.max:
        return f"{poll.name} {value} is outside {poll.min:g}..{poll.max:g} seconds"
    return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value else None  # NaN is not a number a person meant
