"""`python -m ci checklist build|verify` and `python -m ci card`: what they decide, in this
process (`invoke_ci`); as real processes (`run_ci`) where the entry point itself is the point:
a complete build, an error without a traceback, secrets never printed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ci.core.errors import ExitCode
from tests.checklist import fake_binance
from tests.checklist.conftest import PYPROJECT, passing_results, save_results
from tests.checklist.fake_binance import API_KEY, API_SECRET, FakeBinance
from tests.helpers import Repo, invoke_ci, run_ci

ATTEST = ("--attest", "rollback-target,toggle-card", "--actor", "alice")


@pytest.fixture
def bot(repo: Repo) -> Repo:
    """A bot repository whose gates all passed."""
    repo.write("pyproject.toml", PYPROJECT)
    sha = repo.commit("bot")
    save_results(repo.results, passing_results(sha))
    return repo


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def verify(repo: Repo, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = invoke_ci("checklist", "verify", *args, cwd=repo.path, env=env)
    assert "Traceback" not in result.stderr
    return result.code, result.stdout, result.stderr


class TestBuildThenVerify:
    def test_complete_checklist_verifies(self, bot: Repo) -> None:
        built = invoke_ci("checklist", "build", "--env", "testnet", *ATTEST, cwd=bot.path)
        assert built.code == ExitCode.OK, built.stderr
        assert "## Deploy checklist: testnet" in built.stdout
        assert built.stderr.strip().endswith("checklist.json: complete")
        code, out, _ = verify(bot, "checklist.json", "--sha", head(bot), "--env", "testnet")
        assert code == ExitCode.OK
        assert out.startswith(f"checklist.json: complete for testnet at {head(bot)} (unsigned")

    def test_an_earlier_deploy_tag_of_this_environment_is_the_rollback_target(
        self, bot: Repo
    ) -> None:
        sha = head(bot)
        bot.git("tag", f"deploy/mainnet/20260101T000000Z-{sha[:7]}", sha)
        built = invoke_ci("checklist", "build", "--env", "testnet", cwd=bot.path)
        assert "rollback-target" in built.stderr  # another environment's tag does not count
        bot.git("tag", "-a", "-m", "d", f"deploy/testnet/20260101T000000Z-{sha[:7]}", sha)
        built = invoke_ci("checklist", "build", "--env", "testnet", cwd=bot.path)
        assert "not passed: toggle-card" in built.stderr
        document = json.loads((bot.path / "checklist.json").read_text())
        [item] = [i for i in document["items"] if i["id"] == "rollback-target"]
        assert item["evidence"] == f"deploy/testnet/20260101T000000Z-{sha[:7]} ({sha[:12]})"

    def test_incomplete_checklist_is_refused_one_line_per_item(self, bot: Repo) -> None:
        built = invoke_ci("checklist", "build", "--env", "testnet", cwd=bot.path)
        assert built.code == ExitCode.OK  # building is not deciding; --strict or verify decide
        assert "not passed: rollback-target, toggle-card" in built.stderr
        code, _, err = verify(bot, "checklist.json", "--sha", head(bot), "--env", "testnet")
        assert code == ExitCode.FAILED
        lines = err.strip().splitlines()
        assert [line.split(": ")[2].split(" is ")[0] for line in lines] == [
            "item rollback-target",
            "item toggle-card",
        ]

    def test_strict_build_fails_when_incomplete(self, bot: Repo) -> None:
        built = invoke_ci("checklist", "build", "--env", "testnet", "--strict", cwd=bot.path)
        assert built.code == ExitCode.FAILED

    def test_a_failed_gate_is_named(self, bot: Repo) -> None:
        tests = bot.results / "tests.json"
        tests.write_text(tests.read_text().replace('"passed"', '"failed"'), encoding="utf-8")
        invoke_ci("checklist", "build", "--env", "testnet", *ATTEST, cwd=bot.path)
        code, _, err = verify(bot, "checklist.json", "--sha", head(bot), "--env", "testnet")
        assert code == ExitCode.FAILED
        assert (
            err.strip()
            == "error: checklist.json: item gate-tests is failed: tests gate failed: all good"
        )

    def test_other_sha_and_missing_file(self, bot: Repo) -> None:
        invoke_ci("checklist", "build", "--env", "testnet", *ATTEST, "-o", "out.json", cwd=bot.path)
        code, _, err = verify(bot, "out.json", "--sha", "f" * 40, "--env", "testnet")
        assert (code, err.strip()) == (
            ExitCode.FAILED,
            f"error: out.json: built for SHA {head(bot)}, not {'f' * 40}",
        )
        code, _, err = verify(bot, "gone.json", "--sha", head(bot), "--env", "testnet")
        assert (code, err.strip()) == (
            ExitCode.FAILED,
            "error: gone.json: missing: no checklist file",
        )

    def test_signed_with_the_key_from_the_environment(self, bot: Repo) -> None:
        key = {"CHECKLIST_HMAC_KEY": "a-long-signing-key-from-secrets"}
        invoke_ci("checklist", "build", "--env", "testnet", *ATTEST, cwd=bot.path, env=key)
        args = ("checklist.json", "--sha", head(bot), "--env", "testnet")
        code, out, _ = verify(bot, *args, env=key)
        assert code == ExitCode.OK
        assert "(signed, sha256:" in out
        code, _, err = verify(bot, *args, env={"CHECKLIST_HMAC_KEY": "another-key-entirely"})
        assert code == ExitCode.FAILED
        assert "signature mismatch" in err

    def test_unsigned_checklist_refused_when_a_key_is_configured(self, bot: Repo) -> None:
        invoke_ci("checklist", "build", "--env", "testnet", *ATTEST, cwd=bot.path)
        key = {"CHECKLIST_HMAC_KEY": "a-long-signing-key-from-secrets"}
        code, _, err = verify(
            bot, "checklist.json", "--sha", head(bot), "--env", "testnet", env=key
        )
        assert code == ExitCode.FAILED
        assert "unsigned: a signing key is configured" in err


class TestBuildInputs:
    def test_an_item_that_may_not_be_attested_is_a_usage_error(self, bot: Repo) -> None:
        built = invoke_ci(
            "checklist",
            "build",
            "--env",
            "testnet",
            "--attest",
            "gate-tests",
            "--actor",
            "x",
            cwd=bot.path,
        )
        assert built.code == ExitCode.USAGE
        assert "item 'gate-tests' cannot be attested" in built.stderr
        assert not (bot.path / "checklist.json").exists()

    def test_sha_option_is_resolved_to_the_full_commit(self, bot: Repo) -> None:
        first = head(bot)
        bot.commit("second")
        invoke_ci("checklist", "build", "--env", "testnet", "--sha", "HEAD~1", cwd=bot.path)
        document = json.loads((bot.path / "checklist.json").read_text())
        assert document["sha"] == first

    def test_unknown_sha_is_one_line(self, bot: Repo) -> None:
        built = invoke_ci("checklist", "build", "--env", "testnet", "--sha", "nope", cwd=bot.path)
        assert built.code == ExitCode.ERROR
        assert built.stderr.startswith(
            "error: git rev-parse --verify --end-of-options nope^{commit}"
        )
        assert "Traceback" not in built.stderr

    def test_unknown_environment(self, bot: Repo) -> None:
        built = invoke_ci("checklist", "build", "--env", "staging", cwd=bot.path)
        assert built.code == ExitCode.USAGE
        assert built.stderr.strip() == (
            "error: unknown environment 'staging'; configured environments: testnet, mainnet"
        )

    def test_github_run_is_recorded_and_the_summary_written(
        self, bot: Repo, tmp_path: Path
    ) -> None:
        summary = tmp_path / "summary.md"
        github = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": "octo/bottie",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_RUN_ID": "77",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_ACTOR": "carol",
        }
        built = invoke_ci(
            "checklist",
            "build",
            "--env",
            "testnet",
            "--attest",
            "toggle-card",
            cwd=bot.path,
            env=github,
        )
        assert built.code == ExitCode.OK, built.stderr
        document = json.loads((bot.path / "checklist.json").read_text())
        assert document["repository"] == "octo/bottie"
        assert document["ref"] == "refs/heads/main"
        assert document["run"] == {
            "id": "77",
            "url": "https://github.com/octo/bottie/actions/runs/77",
            "actor": "carol",
        }
        toggle = next(i for i in document["items"] if i["id"] == "toggle-card")
        assert toggle["evidence"].startswith("attested by carol")
        assert "## Deploy checklist: testnet" in summary.read_text()

    def test_origin_credentials_never_reach_the_checklist(self, bot: Repo) -> None:
        bot.git(
            "remote", "add", "origin", "https://x-access-token:ghs_tok3nVALUE@github.com/o/r.git"
        )
        invoke_ci("checklist", "build", "--env", "testnet", cwd=bot.path)
        document = json.loads((bot.path / "checklist.json").read_text())
        assert document["repository"] == "https://github.com/o/r.git"


@pytest.fixture
def binance() -> Iterator[FakeBinance]:
    with fake_binance.running() as server:
        yield server


def test_mainnet_key_is_checked_and_never_printed(bot: Repo, binance: FakeBinance) -> None:
    env = {
        "BINANCE_BASE_URL": binance.url,
        "BINANCE_API_KEY": API_KEY,
        "BINANCE_API_SECRET": API_SECRET,
    }
    built = run_ci("checklist", "build", "--env", "mainnet", *ATTEST, cwd=bot.path, env=env)
    assert built.code == ExitCode.OK, built.stderr
    written = (bot.path / "checklist.json").read_text()
    for text in (built.stdout, built.stderr, written):
        assert API_KEY not in text
        assert API_SECRET not in text
    api = next(i for i in json.loads(written)["items"] if i["id"] == "api-keys")
    assert (api["status"], api["kind"]) == ("passed", "automatic")
    assert len(binance.requests) == 1


SECRETS = {"BINANCE_API_KEY": API_KEY, "BINANCE_API_SECRET": API_SECRET}


class TestCard:
    @pytest.mark.parametrize("mode", [(), ("--markdown",), ("--json",)])
    def test_secret_values_never_appear(self, bot: Repo, mode: tuple[str, ...]) -> None:
        result = run_ci("card", "--env", "mainnet", *mode, cwd=bot.path, env=SECRETS)
        assert result.code == ExitCode.OK, result.stderr
        assert "BINANCE_API_KEY" in result.stdout
        for value in SECRETS.values():
            assert value not in result.stdout + result.stderr

    def test_json_lists_settings_and_warnings(self, bot: Repo) -> None:
        env = {**SECRETS, "QUANTUM_ENABLED": "1"}
        result = invoke_ci("card", "--env", "mainnet", "--json", cwd=bot.path, env=env)
        card = json.loads(result.stdout)
        shown = {s["name"]: s["value"] for s in card["settings"]}
        assert shown["BINANCE_API_KEY"] == "set"
        assert shown["QUANTUM_ENABLED"] == "1"
        assert card["warnings"] == [
            "QUANTUM_ENABLED is on in mainnet: it must be off where trades are real"
        ]

    def test_strict_fails_on_warnings(self, bot: Repo) -> None:
        env = {"CORS_ORIGINS": "*"}
        result = invoke_ci("card", "--env", "mainnet", "--strict", cwd=bot.path, env=env)
        assert result.code == ExitCode.FAILED
        assert "CORS_ORIGINS is wide open" in result.stdout

    def test_card_goes_to_the_job_summary(self, bot: Repo, tmp_path: Path) -> None:
        summary = tmp_path / "summary.md"
        env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
        invoke_ci("card", "--env", "testnet", cwd=bot.path, env=env)
        assert "## Toggle card: testnet (testnet)" in summary.read_text()

    def test_markdown_and_json_together_is_a_usage_error(self, bot: Repo) -> None:
        result = invoke_ci("card", "--env", "testnet", "--markdown", "--json", cwd=bot.path)
        assert result.code == ExitCode.USAGE
