"""The bot profile: one declarative description of the bot the pipeline guards.

`[tool.bottie.profile]` says which variables are exchange credentials, the kill switch and
its "off" value, the exchange-URL variable and its testnet and mainnet hosts, the risk caps
and their limits, the CORS and polling variables, the state files and the routes to probe.
The card, the checklist items, the smoke probes, the deploy's health check, `pause` and
`github setup` all read it; nothing about any particular bot is written in `ci/`.

A repository without a profile gets an empty one, and every check that needs to know the
bot then fails closed and says that the profile is missing (`ci init` writes one).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

NO_PROFILE = "no bot profile: describe the bot in [tool.bottie.profile] (ci init writes one)"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KillSwitch(_Section):
    """The variable that lets the bot place orders, and the value that stops it."""

    name: str
    off: str = "0"


class ExchangeUrl(_Section):
    """The variable holding the exchange's base URL, and which hosts are which network."""

    name: str
    testnet_hosts: list[str] = []
    mainnet_hosts: list[str] = []

    def network_of(self, host: str) -> str:
        if host in self.testnet_hosts:
            return "testnet"
        if host in self.mainnet_hosts:
            return "mainnet"
        return "unknown"


class Cap(_Section):
    """A numeric risk setting's bounds; the card warns outside them."""

    min: float | None = None
    max: float | None = None
    min_exclusive: bool = Field(default=False, description="the minimum itself is not allowed")


class Poll(_Section):
    name: str
    min: float = Field(default=1, gt=0)
    max: float = Field(default=300, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Poll:
        if self.min > self.max:
            raise ValueError("min is above max")
        return self


class Probes(_Section):
    """What the smoke gate asks the running bot."""

    health: str = "/health"
    routes: list[str] = Field(default=[], description="GET routes that must answer 2xx")
    order: str | None = Field(default=None, description="POST route that must refuse orders")
    order_body: dict[str, object] = {}
    refused: list[int] = Field(
        default=[403, 409, 423, 503], description="answers that count as refusing the order"
    )
    status: str | None = Field(
        default=None, description="GET route whose JSON reports the kill switch (pause proves it)"
    )
    status_field: str = Field(
        default="trade_enabled", description="the boolean in the status or health JSON"
    )


class Profile(_Section):
    __test__: ClassVar[bool] = False

    exchange: str = Field(
        default="", description="the credential-scope check to run (binance, bybit, okx; '' none)"
    )
    credentials: list[str] = Field(default=[], description="exchange key, secret (, passphrase)")
    secrets: list[str] = Field(default=[], description="other secret variables the bot reads")
    kill_switch: KillSwitch | None = None
    exchange_url: ExchangeUrl | None = None
    toggles: list[str] = Field(default=[], description="switches the card warns about when on")
    mainnet_off: list[str] = Field(default=[], description="switches that must be off on mainnet")
    caps: dict[str, Cap] = {}
    cors: str | None = Field(default=None, description="the CORS origins variable")
    poll: Poll | None = None
    state_files: list[str] = Field(default=[], description="JSON files under STATE_DIR")
    settings: list[str] = Field(default=[], description="every variable the card shows")
    probes: Probes = Probes()
    decisions: list[str] = Field(
        default=[],
        description="choices still open (ci init writes them): the checklist fails until none",
    )

    @property
    def described(self) -> bool:
        """Whether anyone described the bot at all (an empty profile describes nothing)."""
        return self != Profile()

    @property
    def secret_names(self) -> list[str]:
        return list(dict.fromkeys([*self.credentials, *self.secrets]))

    def card_settings(self) -> list[str]:
        """The variables the card shows: the listed settings, then everything named above."""
        named = [
            *self.credentials,
            *self.secrets,
            *([self.exchange_url.name] if self.exchange_url else []),
            *([self.kill_switch.name] if self.kill_switch else []),
            *self.toggles,
            *self.mainnet_off,
            *self.caps,
            *([self.cors] if self.cors else []),
            *([self.poll.name] if self.poll else []),
        ]
        return list(dict.fromkeys([*self.settings, *named]))
