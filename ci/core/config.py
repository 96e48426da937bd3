"""The pipeline's configuration: `[tool.bottie]` in pyproject.toml, validated on load.

Each section is a frozen pydantic model with defaults, so a repository with no
table at all still gets a working pipeline (the "embedded defaults").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from ci.core.errors import ConfigError
from ci.core.profile import Profile
from ci.core.pyproject import PYPROJECT, bottie_table, read


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LintConfig(Section):
    paths: list[str] = ["."]
    print_free: list[str] = Field(default=[], description="paths where T20 (print) applies")


class TestsConfig(Section):
    __test__: ClassVar[bool] = False  # configuration, not a pytest test class

    paths: list[str] = ["tests"]
    exclude_markers: list[str] = ["network", "e2e"]
    coverage_source: list[str] = Field(default=[], description="packages to measure ([] all)")
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
    requirements: list[str] = ["requirements.txt"]
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
    sources: list[str] = Field(default=["."], description="files or folders the bot's code is in")


class SecretsConfig(Section):
    config: str = ".gitleaks.toml"
    base_ref: str | None = Field(default=None, description="scan only commits after this ref")
    exclude_refs: list[str] = Field(
        default=[],
        description="refs whose own commits the history scan skips (a branch name such as "
        "gh-pages matches the local branch, every remote's and a tag; refs/... as written)",
    )


class AppConfig(Section):
    """How to start the bot (smoke and deploy share this); what to ask it is in the profile."""

    command: list[str] = Field(
        default=[],
        description="argv; {python} and {port} are filled in (e.g. uvicorn --factory app:make)",
    )
    startup_timeout: float = Field(default=30, gt=0)

    @field_validator("command")
    @classmethod
    def _has_port(cls, command: list[str]) -> list[str]:
        if command and not any("{port}" in part for part in command):
            raise ValueError("the command must take the port as {port}")
        return command


class SmokeConfig(Section):
    env: dict[str, str] = Field(default={}, description="extra non-secret env for the smoke run")
    probe_timeout: float = Field(
        default=5, gt=0, description="seconds each probe waits for an answer before it fails"
    )


class EnvironmentConfig(Section):
    """One rung of the ladder (testnet, mainnet): its network and non-secret settings."""

    network: Literal["testnet", "mainnet"]
    vars: dict[str, str] = Field(default={}, description="non-secret settings for this env")
    required: list[str] = Field(default=[], description="variables that must come from secrets")
    signing: Literal["required", "optional"] | None = Field(
        default=None, description="checklist signature; unset: required on mainnet, else optional"
    )


class ChecklistConfig(Section):
    """What the deploy checklist and the toggle card check, and their bounds."""

    output: str = "checklist.json"
    gates: list[str] = Field(
        default=["tests", "smoke", "secrets", "lint", "audit"],
        description="gates that must have passed on this SHA, one item each",
    )
    env_gate: str = Field(default="env", description="the gate that checks .env/.env.example")
    attestable: list[str] = Field(
        default=["api-keys", "cors", "dashboard-poll", "rollback-target", "toggle-card"],
        description="items a person may attest when no automatic check can pass them",
    )
    exchange_timeout: float = Field(default=10, gt=0, description="credential-scope checks")


# An environment's name becomes a folder on the deploy target: plain names only.
_ENV_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

DEFAULT_ENVIRONMENTS = {
    "testnet": EnvironmentConfig(network="testnet"),
    "mainnet": EnvironmentConfig(network="mainnet"),
}


Port = Annotated[int, Field(ge=1, le=65535)]


class SshConfig(Section):
    """The `ssh` target's host; the environment (BOTTIE_SSH_HOST, BOTTIE_SSH_PORT,
    BOTTIE_SSH_USER, BOTTIE_SSH_KNOWN_HOSTS) wins. The key comes only from BOTTIE_SSH_KEY."""

    host: str = ""
    port: Port = 22
    user: str = ""
    known_hosts: str = Field(default="", description="known_hosts lines pinning the host key")
    python: str = Field(
        default="python3", description="the host's Python 3.11+: runs the agent and {python}"
    )
    connect_timeout: float = Field(default=10, gt=0)


class DeployConfig(Section):
    """Where and how the bot is deployed (see ci/deploy/): `local` on this machine, `ssh` on
    the bot's own host."""

    target: Literal["local", "ssh"] = "local"
    root: str = Field(
        default="~/.local/share/bottie",
        description="on the target's host (env BOTTIE_DEPLOY_ROOT wins)",
    )
    ssh: SshConfig = SshConfig()
    ports: dict[str, Port] = {"testnet": 8701, "mainnet": 8702}
    keep_releases: int = Field(default=5, ge=2)
    health_timeout: float = Field(default=30, gt=0)
    pre_deploy: list[str] = Field(
        default=[],
        description="command run before the switch, under the deploy lock: the `local` target's"
        " lock stays held until it ends, even if the deploy that started it is killed (and so"
        " does any process it leaves running in the background: the refusal names its pid)",
    )
    post_deploy: list[str] = Field(default=[], description="command run after a healthy deploy")


class Config(Section):
    results_dir: str = Field(
        default="",
        description="where gate results go; '' = outside the work tree, under the git dir",
    )
    python: str = Field(
        default="",
        description="the bot's interpreter, built from its own lock (env BOTTIE_BOT_PYTHON)",
    )
    lint: LintConfig = LintConfig()
    tests: TestsConfig = TestsConfig()
    audit: AuditConfig = AuditConfig()
    workflows: WorkflowsConfig = WorkflowsConfig()
    env: EnvConfig = EnvConfig()
    secrets: SecretsConfig = SecretsConfig()
    profile: Profile = Profile()
    app: AppConfig = AppConfig()
    smoke: SmokeConfig = SmokeConfig()
    environments: dict[str, EnvironmentConfig] = DEFAULT_ENVIRONMENTS
    deploy: DeployConfig = DeployConfig()
    checklist: ChecklistConfig = ChecklistConfig()

    @field_validator("environments")
    @classmethod
    def _plain_names(
        cls, environments: dict[str, EnvironmentConfig]
    ) -> dict[str, EnvironmentConfig]:
        for name in environments:
            if not _ENV_NAME.fullmatch(name):
                raise ValueError(
                    f"environment name {name!r} must be lower-case letters, digits, - or _"
                )
        return environments


def load(root: Path) -> Config:
    """Read and validate `[tool.bottie]`; a missing file or table gives the defaults."""
    return parse(bottie_table(read(root)))


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
