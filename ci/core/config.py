"""The pipeline's configuration: `[tool.bottie]` in pyproject.toml, validated on load.

Each section is a frozen pydantic model with defaults, so a repository with no
table at all still gets a working pipeline (the "embedded defaults").
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ci.core.errors import ConfigError

PYPROJECT = "pyproject.toml"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LintConfig(Section):
    paths: list[str] = ["."]
    print_free: list[str] = Field(default=["bot"], description="paths where T20 (print) applies")


class TestsConfig(Section):
    __test__: ClassVar[bool] = False  # configuration, not a pytest test class

    paths: list[str] = ["tests"]
    exclude_markers: list[str] = ["network", "e2e"]
    coverage_source: list[str] = ["bot"]
    fail_under: float = Field(default=70, ge=0, le=100)
    timeout: float = Field(default=900, gt=0)
    workers: int | str | None = Field(
        default=None,
        description='pytest-xdist processes ("auto": one per core); unset: one process',
    )

    @field_validator("workers", mode="before")
    @classmethod
    def _count_or_auto(cls, value: object) -> object:
        if value is None or value == "auto" or (type(value) is int and value >= 0):
            return value
        raise ValueError('should be a number of processes or "auto"')


class AuditConfig(Section):
    requirements: list[str] = ["bot/requirements.txt"]
    osv_url: str | None = Field(default=None, description="OSV query URL (env BOTTIE_OSV_URL)")
    osv_db: str | None = Field(
        default=None,
        description="a directory of OSV records served on loopback instead (env BOTTIE_OSV_DB)",
    )
    timeout: float = Field(default=300, gt=0)


class WorkflowsConfig(Section):
    dir: str = ".github/workflows"


class EnvConfig(Section):
    example: str = ".env.example"
    sources: list[str] = ["bot"]


class SecretsConfig(Section):
    config: str = ".gitleaks.toml"
    base_ref: str | None = Field(default=None, description="scan only commits after this ref")


class AppConfig(Section):
    """How to start the bot and ask it whether it is healthy (smoke and deploy share this)."""

    command: list[str] = [
        "{python}",
        "-m",
        "uvicorn",
        "--factory",
        "bot.app:from_environment",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
    ]
    health_path: str = "/health"
    startup_timeout: float = Field(default=30, gt=0)
    state_files: list[str] = Field(
        default=["positions.json", "orders.json"],
        description="JSON state files under the bot's STATE_DIR, backed up before a deploy",
    )


class SmokeConfig(Section):
    env: dict[str, str] = Field(default={}, description="extra non-secret env for the smoke run")
    routes: list[str] = Field(default=["/status"], description="GET routes that must answer 2xx")
    order_path: str = Field(default="/orders", description="POST route that must refuse orders")
    order_body: dict[str, object] = {"symbol": "BTCUSDT", "side": "BUY", "quote_usdt": 1}
    secret_names: list[str] = Field(
        default=["BINANCE_API_KEY", "BINANCE_API_SECRET", "FINNHUB_API_KEY"],
        description="variables given canary values that must never show up",
    )


class EnvironmentConfig(Section):
    """One rung of the ladder (testnet, mainnet): its network and non-secret settings."""

    network: Literal["testnet", "mainnet"]
    vars: dict[str, str] = Field(default={}, description="non-secret settings for this env")
    required: list[str] = Field(default=[], description="variables that must come from secrets")


BOT_SETTINGS = [
    "BINANCE_API_KEY",
    "BINANCE_API_SECRET",
    "BINANCE_BASE_URL",
    "FINNHUB_API_KEY",
    "TRADE_ENABLED",
    "EXECUTION_RUNTIME_ENABLED",
    "TRADE_COOLDOWN_SECONDS",
    "MAX_POSITION_USDT",
    "SENTIMENT_ENABLED",
    "QUANTUM_ENABLED",
    "CORS_ORIGINS",
    "DASHBOARD_POLL_SECONDS",
    "STATE_DIR",
    "LOG_LEVEL",
]


class ChecklistConfig(Section):
    """What the deploy checklist and the toggle card check, and their bounds."""

    output: str = "checklist.json"
    gates: list[str] = Field(
        default=["tests", "smoke", "secrets", "lint", "audit"],
        description="gates that must have passed on this SHA, one item each",
    )
    env_gate: str = Field(default="env", description="the gate that checks .env/.env.example")
    attestable: list[str] = Field(
        default=["api-keys", "rollback-target", "toggle-card"],
        description="items a person may attest when no automatic check can pass them",
    )
    poll_min_seconds: float = Field(default=1, gt=0)
    poll_max_seconds: float = Field(default=300, gt=0)
    max_position_usdt: float = Field(default=100, ge=0, description="card warns above this")
    testnet_hosts: list[str] = ["testnet.binance.vision", "testnet.binancefuture.com"]
    binance_timeout: float = Field(default=10, gt=0)
    settings: list[str] = Field(
        default=BOT_SETTINGS, description="the bot's variables the toggle card shows"
    )

    @model_validator(mode="after")
    def _poll_bounds_ordered(self) -> ChecklistConfig:
        if self.poll_min_seconds > self.poll_max_seconds:
            raise ValueError("poll_min_seconds is above poll_max_seconds")
        return self


DEFAULT_ENVIRONMENTS = {
    "testnet": EnvironmentConfig(network="testnet"),
    "mainnet": EnvironmentConfig(network="mainnet"),
}


class DeployConfig(Section):
    """Where and how the embedded `local` target deploys (see ci/deploy/)."""

    target: Literal["local"] = "local"
    root: str = Field(default="~/.local/share/bottie", description="env BOTTIE_DEPLOY_ROOT wins")
    ports: dict[str, int] = {"testnet": 8701, "mainnet": 8702}
    keep_releases: int = Field(default=5, ge=2)
    health_timeout: float = Field(default=30, gt=0)
    pre_deploy: list[str] = Field(default=[], description="command run before the switch")
    post_deploy: list[str] = Field(default=[], description="command run after a healthy deploy")


class Config(Section):
    results_dir: str = ".ci-results"
    lint: LintConfig = LintConfig()
    tests: TestsConfig = TestsConfig()
    audit: AuditConfig = AuditConfig()
    workflows: WorkflowsConfig = WorkflowsConfig()
    env: EnvConfig = EnvConfig()
    secrets: SecretsConfig = SecretsConfig()
    app: AppConfig = AppConfig()
    smoke: SmokeConfig = SmokeConfig()
    environments: dict[str, EnvironmentConfig] = DEFAULT_ENVIRONMENTS
    deploy: DeployConfig = DeployConfig()
    checklist: ChecklistConfig = ChecklistConfig()


def load(root: Path) -> Config:
    """Read and validate `[tool.bottie]`; a missing file or table gives the defaults."""
    path = root / PYPROJECT
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{PYPROJECT}: not valid TOML: {exc}") from None
    table = data.get("tool", {}).get("bottie", {})
    return parse(table)


def parse(table: object) -> Config:
    try:
        return Config.model_validate(table)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(e) for e in exc.errors())) from None


def _describe(error: object) -> str:
    # Only the location and pydantic's message: never the input value, which could be a secret.
    assert isinstance(error, dict)
    where = ".".join(str(part) for part in ("tool", "bottie", *error["loc"]))
    return f"{PYPROJECT}: [{where}]: {error['msg']}"
