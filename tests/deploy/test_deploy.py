"""Deploys on the embedded local target, for real: git archive, processes, HTTP, git tags."""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path

from ci.core.errors import ExitCode
from tests.deploy.conftest import SECRETS, BotRepo, health

BROKEN_APP = "raise SystemExit('this release cannot start')\n"


def log_outcomes(bot: BotRepo) -> list[str]:
    lines = (bot.base / "deploy-log.jsonl").read_text().splitlines()
    return [json.loads(line)["outcome"] for line in lines]


def test_deploy_tags_serves_and_keeps_secrets_out(bot: BotRepo) -> None:
    sha = bot.commit_green("first")
    result = bot.deploy()
    assert result.code == ExitCode.OK, result.stderr
    (tag,) = bot.tags()
    assert tag.startswith("deploy/testnet/") and tag.endswith(sha[:7])
    message = bot.repo.git("tag", "-l", "--format=%(contents)", tag)
    assert f"sha: {sha}" in message and "approver: alice" in message
    assert "checklist-digest: sha256:" in message
    assert health(bot) == {
        "status": "ok",
        "network": "testnet",
        "trade_enabled": True,
        "version": sha,
    }
    env_file = bot.base / "shared" / "env" / f"{bot.live()}.env"
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    release = bot.base / "releases" / bot.live()
    assert not list(release.rglob("*.env"))  # the environment never lands in a release
    for value in SECRETS.values():
        assert value not in result.stdout + result.stderr


def test_unhealthy_release_rolls_back_and_gets_no_tag(standin: BotRepo) -> None:
    standin.commit_green("good")
    assert standin.deploy().code == ExitCode.OK
    good = standin.live()
    standin.repo.write(standin.app_file, BROKEN_APP)
    standin.commit_green("broken")
    result = standin.deploy()
    assert result.code == ExitCode.FAILED
    assert "deploy failed: the bot exited" in result.stderr
    assert f"rolled back to {good}, which serves again" in result.stderr
    assert standin.live() == good
    assert health(standin)["status"] == "ok"
    assert len(standin.tags()) == 1
    assert log_outcomes(standin)[-2:] == ["failed", "switched-back"]


def test_wrong_network_fails_and_rolls_back(standin: BotRepo) -> None:
    standin.commit_green("good")
    assert standin.deploy().code == ExitCode.OK
    standin.commit_green("same code, mainnet endpoint")
    result = standin.deploy(env={"BINANCE_BASE_URL": "https://api.binance.com"})
    assert result.code == ExitCode.FAILED
    assert "the bot reports network 'mainnet', but testnet is testnet" in result.stderr
    assert health(standin)["network"] == "testnet"


def test_foreign_checklist_is_refused(standin: BotRepo) -> None:
    built_for = standin.commit_green("first")
    head = standin.repo.commit("a commit the checklist was not built for")
    result = standin.deploy()
    assert result.code == ExitCode.FAILED
    assert f"checklist.json: built for SHA {built_for}, not {head}" in result.stderr
    assert not (standin.base / "current").exists()
    assert log_outcomes(standin) == ["refused"]


def test_incomplete_checklist_is_refused(standin: BotRepo) -> None:
    standin.commit_green("first")
    (standin.repo.results / "smoke.json").unlink()
    standin.ci(
        "checklist",
        "build",
        "--env",
        "testnet",
        "--attest",
        "rollback-target,toggle-card",
        "--actor",
        "alice",
    )
    result = standin.deploy()
    assert result.code == ExitCode.FAILED
    assert "checklist.json: item gate-smoke is missing: no saved result of the smoke gate" in (
        result.stderr
    )
    assert not (standin.base / "current").exists()


def test_missing_required_variable_is_named_never_valued(standin: BotRepo) -> None:
    standin.commit_green("first")
    result = standin.deploy(env={"BINANCE_API_SECRET": ""})
    assert result.code == ExitCode.FAILED
    assert (
        result.stderr.strip() == "error: testnet: required variable BINANCE_API_SECRET is not set"
    )
    assert SECRETS["BINANCE_API_KEY"] not in result.stderr


def test_rollback_redeploys_the_previous_tag_and_marks_the_bad_one(standin: BotRepo) -> None:
    first, _ = standin.deployed("first", "second")
    result = standin.ci("rollback", "testnet")
    assert result.code == ExitCode.OK, result.stderr
    assert health(standin)["version"] == first
    newest = standin.tags()[-1]
    message = standin.repo.git("tag", "-l", "--format=%(contents)", newest)
    assert "rolled-back-from: deploy/testnet/" in message
    assert log_outcomes(standin)[-1] == "marked-bad"
    assert "python -m ci restore testnet --from " in result.stderr  # the state can follow


def test_rollback_refusals_are_clear(standin: BotRepo) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK
    (tag,) = standin.tags()
    nothing_earlier = standin.ci("rollback", "testnet")
    other_env = standin.ci("rollback", "testnet", "--to", tag.replace("testnet", "mainnet"))
    standin.repo.git("tag", "v1.0")
    not_deploy = standin.ci("rollback", "testnet", "--to", "v1.0")
    assert nothing_earlier.stderr.strip() == (
        "error: no earlier good deploy of testnet to roll back to"
    )
    assert other_env.stderr.strip().endswith("is a deploy tag of mainnet, not testnet")
    assert not_deploy.stderr.strip() == (
        "error: 'v1.0' is not a deploy tag (deploy/<env>/<time>-<sha>)"
    )
    assert {r.code for r in (nothing_earlier, other_env, not_deploy)} == {ExitCode.FAILED}


def test_pause_turns_trading_off_at_once_and_resume_needs_a_flag(bot: BotRepo) -> None:
    bot.deployed("first")
    assert health(bot)["trade_enabled"] is True
    assert bot.ci("pause", "testnet").code == ExitCode.OK
    assert health(bot)["trade_enabled"] is False
    refused = bot.ci_here("resume", "testnet")  # a usage error: no bot is touched
    assert refused.code == ExitCode.USAGE
    assert bot.ci("resume", "testnet", "--yes-trade").code == ExitCode.OK
    assert health(bot)["trade_enabled"] is True


def test_state_is_backed_up_before_the_switch_and_restorable(standin: BotRepo) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK
    state = standin.base / "shared" / "state" / "positions.json"
    state.write_text('{"BTCUSDT": 5}')
    standin.commit_green("second")
    assert standin.deploy().code == ExitCode.OK
    backups = sorted((standin.base / "shared" / "backups").iterdir())
    assert json.loads((backups[-1] / "positions.json").read_text()) == {"BTCUSDT": 5}
    state.write_text('{"BTCUSDT": 999}')
    restored = standin.ci("restore", "testnet")
    assert restored.code == ExitCode.OK, restored.stderr
    assert json.loads(state.read_text()) == {"BTCUSDT": 5}


def test_second_deploy_is_refused_while_one_runs_and_a_killed_deploy_changes_nothing(
    standin: BotRepo, tmp_path: Path
) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK
    old = standin.live()
    # The pre-deploy hook runs after the new release is prepared, before the switch.
    marker = tmp_path / "in-hook"  # the hook's pid
    hook = [
        "python3",
        "-c",
        f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    ]
    standin.repo.write("pyproject.toml", standin.pyproject(pre_deploy=hook))
    standin.commit_green("second")
    first = standin.deploy_in_background()
    try:
        standin.until(marker.exists, first, "the first deploy's pre-deploy hook")
        second = standin.deploy()
        assert second.code == ExitCode.FAILED
        assert "another deploy holds the lock: " in second.stderr
        assert f"(pid {first.pid})" in second.stderr
        os.killpg(first.pid, signal.SIGKILL)  # the deploy dies mid-way
        first.wait(timeout=10)
        # Its hook, in a session of its own, runs on and holds the lock it inherited.
        hook_pid = int(marker.read_text())
        os.kill(hook_pid, 0)
        beside = standin.deploy()
        assert beside.code == ExitCode.FAILED
        assert f"(pid {first.pid}) since " in beside.stderr
        assert beside.stderr.rstrip().endswith(f"its pre_deploy hook, say): pid {hook_pid}")
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError):  # the hook outlives the killed deploy
            os.kill(int(marker.read_text()), signal.SIGKILL)
    assert standin.live() == old
    assert health(standin)["status"] == "ok"  # the old release still serves
    standin.repo.write("pyproject.toml", standin.pyproject())
    standin.commit_green("third")
    recovered = standin.deploy()  # the dead deploy's hook is gone, and with it the lock
    assert recovered.code == ExitCode.OK, recovered.stderr


def test_under_github_actions_secret_values_are_masked(standin: BotRepo) -> None:
    standin.commit_green("first")
    result = standin.deploy("--no-push", env={"GITHUB_ACTIONS": "true"})
    assert result.code == ExitCode.OK, result.stderr
    masks = {line for line in result.stdout.splitlines() if line.startswith("::add-mask::")}
    assert masks == {f"::add-mask::{value}" for value in SECRETS.values()}


def test_rollback_redeploys_with_the_release_own_environment(standin: BotRepo) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK  # TRADE_ENABLED=1 from config
    standin.commit_green("second")
    assert standin.deploy(env={"TRADE_ENABLED": "0"}).code == ExitCode.OK
    assert health(standin)["trade_enabled"] is False
    result = standin.ci("rollback", "testnet")
    assert result.code == ExitCode.OK, result.stderr
    assert health(standin)["trade_enabled"] is True  # the first release's own setting


def test_rollback_refuses_when_secrets_rotated_unless_told(standin: BotRepo) -> None:
    standin.commit_green("first")
    assert standin.deploy().code == ExitCode.OK
    standin.commit_green("second")
    assert standin.deploy().code == ExitCode.OK
    rotated = {"BINANCE_API_SECRET": "ts-rotated-after-incident"}
    refused = standin.ci("rollback", "testnet", env=rotated)
    assert refused.code == ExitCode.FAILED
    assert "BINANCE_API_SECRET differ from the secrets available now" in refused.stderr
    assert "ts-rotated-after-incident" not in refused.stderr
    forced = standin.ci("rollback", "testnet", "--with-current-env", env=rotated)
    assert forced.code == ExitCode.OK, forced.stderr
    assert "variables that differ from deploy/testnet/" in forced.stderr
    assert "BINANCE_API_SECRET" in forced.stderr


def test_pruned_releases_take_their_env_files_with_them(standin: BotRepo) -> None:
    for n in range(5):  # keep_releases is 3 here
        standin.commit_green(f"release {n}")
        assert standin.deploy().code == ExitCode.OK
    releases = {p.name for p in (standin.base / "releases").iterdir() if not p.name.startswith(".")}
    env_files = {p.stem for p in (standin.base / "shared" / "env").iterdir()}
    assert len(releases) == 3
    assert env_files == releases  # no secrets left behind for releases that are gone
