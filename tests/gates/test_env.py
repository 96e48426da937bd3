"""The env gate on real temporary repositories."""

from __future__ import annotations

import pytest

from ci.core.result import GateResult, Status
from ci.gates.env import EnvGate
from tests import secret_samples as samples
from tests.helpers import Repo

CODE = """\
import os
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BOT_")
    api_key: str = ""
    poll_seconds: float = 5


TOKEN = os.environ["FEED_TOKEN"]
LEVEL = os.getenv("LOG_LEVEL", "INFO")
"""
EXAMPLE = "BOT_API_KEY=\nBOT_POLL_SECONDS=5\nFEED_TOKEN=changeme\nLOG_LEVEL=INFO\n"


@pytest.fixture
def bot(repo: Repo) -> Repo:
    repo.write(".gitignore", ".env\n")
    repo.write("bot/settings.py", CODE)
    repo.write(".env.example", EXAMPLE)
    return repo


def check(repo: Repo) -> GateResult:
    return EnvGate().run(repo.context())


def rules(result: GateResult) -> list[str | None]:
    return [f.rule for f in result.findings]


def test_current_example_passes(bot: Repo) -> None:
    result = check(bot)
    assert result.status is Status.PASSED, result.output


def test_tracked_env_fails(bot: Repo) -> None:
    bot.write(".env", "LOG_LEVEL=DEBUG\n")
    bot.git("add", "-f", ".env")
    result = check(bot)
    assert result.status is Status.FAILED
    assert rules(result) == ["tracked"]
    assert result.findings[0].file == ".env"


def test_env_not_in_gitignore_fails(bot: Repo) -> None:
    bot.write(".gitignore", "__pycache__/\n")
    result = check(bot)
    assert rules(result) == ["not-ignored"]


def test_variable_read_but_undocumented_fails_naming_it(bot: Repo) -> None:
    bot.write(".env.example", EXAMPLE.replace("FEED_TOKEN=changeme\n", ""))
    result = check(bot)
    assert result.status is Status.FAILED
    (finding,) = result.findings
    assert finding.message == "FEED_TOKEN is read here but missing from .env.example"
    assert (finding.file, finding.line) == ("bot/settings.py", 11)


def test_settings_field_with_prefix_is_required(bot: Repo) -> None:
    bot.write(".env.example", EXAMPLE.replace("BOT_POLL_SECONDS=5\n", ""))
    assert [f.message for f in check(bot).findings] == [
        "BOT_POLL_SECONDS is read here but missing from .env.example"
    ]


def test_stale_variable_fails(bot: Repo) -> None:
    bot.write(".env.example", EXAMPLE + "OLD_FLAG=0\n")
    result = check(bot)
    assert rules(result) == ["stale"]
    assert result.findings[0].line == 5


def test_real_looking_secret_value_fails_without_printing_it(bot: Repo) -> None:
    key = samples.binance_key(21)
    bot.write(".env.example", EXAMPLE.replace("BOT_API_KEY=", f"BOT_API_KEY={key}"))
    result = check(bot)
    assert rules(result) == ["value"]
    assert (
        result.findings[0].message
        == "BOT_API_KEY holds a value: leave secrets empty in .env.example"
    )
    assert key not in result.output + result.summary


def test_missing_example_fails(bot: Repo) -> None:
    (bot.path / ".env.example").unlink()
    result = check(bot)
    assert [f.message for f in result.findings] == [".env.example is missing"]


INHERITED = """\
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Exchange(Secrets):
    api_secret: str = ""
    base_url: str = Field(default="", alias="EXCHANGE_URL")


class Secrets(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="X_")
"""


def test_settings_subclass_inherits_prefix_and_alias_is_the_name(bot: Repo) -> None:
    bot.write("bot/exchange.py", INHERITED)
    assert [(f.message, f.line) for f in check(bot).findings] == [
        ("X_API_SECRET is read here but missing from .env.example", 6),
        ("EXCHANGE_URL is read here but missing from .env.example", 7),
    ]
    bot.write(".env.example", EXAMPLE + "X_API_SECRET=\nEXCHANGE_URL=https://example.com\n")
    assert check(bot).status is Status.PASSED


def test_secret_shaped_value_under_a_plain_name_fails(bot: Repo) -> None:
    token = samples.github_token(22)
    bot.write(".env.example", EXAMPLE.replace("LOG_LEVEL=INFO", f"LOG_LEVEL={token}"))
    result = check(bot)
    assert [f.message for f in result.findings] == [
        "LOG_LEVEL holds something shaped like a secret"
    ]
    assert token not in result.output
