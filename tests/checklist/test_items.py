"""The configuration and gate items, and how attestations apply to them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ci.checklist import items
from ci.checklist.build import Attestation, attest, check_attestation
from ci.checklist.items import ItemContext
from ci.checklist.model import ItemKind, ItemStatus
from ci.core import settings
from ci.core.config import Config
from ci.core.errors import UsageError
from ci.core.result import GateResult, Status
from tests.checklist.conftest import TEST_SHA, make_config, passing_results
from tests.helpers import Repo


def context(
    vars_: dict[str, str] | None = None,
    *,
    env: str = "mainnet",
    results: dict[str, GateResult] | None = None,
    root: Path = Path(),
    config: Config | None = None,
) -> ItemContext:
    overrides: dict[str, Any] = {env: {"vars": vars_}} if vars_ is not None else {}
    cfg = config or make_config(**overrides)
    return ItemContext(
        root=root,
        config=cfg,
        settings=settings.resolve(cfg, env, {}),
        results=passing_results() if results is None else results,
        sha=TEST_SHA,
    )


class TestGates:
    def test_every_configured_gate_is_an_item(self) -> None:
        found = items.gate_items(context())
        assert [i.id for i in found] == [
            "gate-tests",
            "gate-smoke",
            "gate-secrets",
            "gate-lint",
            "gate-audit",
        ]
        assert all(i.status is ItemStatus.PASSED for i in found)

    @pytest.mark.parametrize("status", [Status.FAILED, Status.ERROR, Status.SKIPPED])
    def test_a_gate_not_passed_fails_its_item(self, status: Status) -> None:
        results = {
            **passing_results(),
            "tests": GateResult("tests", status, "3 failed", sha=TEST_SHA),
        }
        [tests] = [i for i in items.gate_items(context(results=results)) if i.id == "gate-tests"]
        assert tests.status is ItemStatus.FAILED
        assert tests.evidence == f"tests gate {status.value}: 3 failed"

    def test_a_result_of_another_commit_fails_its_item(self) -> None:
        results = {
            **passing_results(),
            "tests": GateResult("tests", Status.PASSED, "ok", sha="1" * 40),
        }
        [tests] = [i for i in items.gate_items(context(results=results)) if i.id == "gate-tests"]
        assert tests.status is ItemStatus.FAILED
        assert "ran on commit 111111111111" in tests.evidence

    def test_a_result_of_uncommitted_changes_fails_its_item(self) -> None:
        results = {**passing_results(), "lint": GateResult("lint", Status.PASSED, "ok", sha="")}
        [lint] = [i for i in items.gate_items(context(results=results)) if i.id == "gate-lint"]
        assert lint.status is ItemStatus.FAILED
        assert "ran on uncommitted changes" in lint.evidence

    def test_a_gate_without_a_saved_result_is_missing(self) -> None:
        results = passing_results()
        del results["smoke"]
        [smoke] = [i for i in items.gate_items(context(results=results)) if i.id == "gate-smoke"]
        assert smoke.status is ItemStatus.MISSING

    def test_env_files_come_from_the_env_gate(self) -> None:
        results = {
            **passing_results(),
            "env": GateResult("env", Status.FAILED, ".env tracked", sha=TEST_SHA),
        }
        item = items.env_files(context(results=results))
        assert (item.status, item.evidence) == (ItemStatus.FAILED, "env gate failed: .env tracked")


class TestSettings:
    @pytest.mark.parametrize("origins", ["*", "https://a.example, *", "https://*.example.com"])
    def test_wide_open_cors_fails(self, origins: str) -> None:
        item = items.cors(context({"CORS_ORIGINS": origins}))
        assert item.status is ItemStatus.FAILED

    def test_listed_origins_pass(self) -> None:
        item = items.cors(context({"CORS_ORIGINS": "https://a.example,https://b.example"}))
        assert item.status is ItemStatus.PASSED

    def test_unset_cors_fails(self) -> None:
        item = items.cors(context({}))
        assert item.evidence.startswith("CORS_ORIGINS is not set")

    @pytest.mark.parametrize(
        ("value", "evidence"),
        [
            ("0.5", "DASHBOARD_POLL_SECONDS 0.5 is outside 1..300 seconds"),
            ("301", "DASHBOARD_POLL_SECONDS 301 is outside 1..300 seconds"),
            ("fast", "DASHBOARD_POLL_SECONDS is not a number"),
            ("nan", "DASHBOARD_POLL_SECONDS is not a number"),
            (None, "DASHBOARD_POLL_SECONDS is not set"),
        ],
    )
    def test_poll_interval_out_of_bounds_fails(self, value: str | None, evidence: str) -> None:
        vars_ = {} if value is None else {"DASHBOARD_POLL_SECONDS": value}
        item = items.dashboard_poll(context(vars_))
        assert (item.status, item.evidence) == (ItemStatus.FAILED, evidence)

    @pytest.mark.parametrize("value", ["1", "5", "300"])
    def test_poll_interval_within_bounds_passes(self, value: str) -> None:
        item = items.dashboard_poll(context({"DASHBOARD_POLL_SECONDS": value}))
        assert item.status is ItemStatus.PASSED

    def test_poll_bounds_come_from_config(self) -> None:
        base = make_config()
        assert base.profile.poll is not None
        poll = base.profile.poll.model_copy(update={"min": 10})
        cfg = base.model_copy(update={"profile": base.profile.model_copy(update={"poll": poll})})
        item = items.dashboard_poll(context(config=cfg))
        assert item.evidence == "DASHBOARD_POLL_SECONDS 5 is outside 10..300 seconds"


class TestStateFiles:
    def with_files(self, files: list[str]) -> ItemContext:
        base = make_config()
        profile = base.profile.model_copy(update={"state_files": files})
        cfg = base.model_copy(update={"profile": profile})
        return context(config=cfg)

    def test_listed_json_files_pass(self) -> None:
        item = items.state_files(self.with_files(["positions.json", "orders.json"]))
        assert item.status is ItemStatus.PASSED
        assert "positions.json, orders.json" in item.evidence

    def test_no_state_files_must_be_attested_never_assumed(self) -> None:
        item = items.state_files(self.with_files([]))
        assert item.status is ItemStatus.MISSING
        assert item.evidence.endswith("attest none are kept")

    @pytest.mark.parametrize("name", ["/etc/positions.json", "../positions.json", "orders.txt"])
    def test_a_path_the_backup_would_not_cover_fails(self, name: str) -> None:
        item = items.state_files(self.with_files(["positions.json", name]))
        assert item.evidence == f"not a relative .json path under STATE_DIR: {name}"


class TestRollbackTarget:
    def test_no_deploy_tag_is_missing_and_may_be_attested_as_first_deploy(self, repo: Repo) -> None:
        repo.commit()
        item = items.rollback_target(context(root=repo.path))
        assert item.status is ItemStatus.MISSING
        assert "first deploy" in item.evidence

    def test_the_named_rollback_target_passes(self) -> None:
        ctx = replace(context(), previous_deploy="deploy/mainnet/20260101T000000Z-abcdef0 (abc)")
        item = items.rollback_target(ctx)
        assert item.status is ItemStatus.PASSED
        assert item.evidence == "deploy/mainnet/20260101T000000Z-abcdef0 (abc)"


class TestToggleCard:
    def test_needs_a_review_and_lists_the_warnings(self) -> None:
        vars_ = {"TRADE_ENABLED": "1", "QUANTUM_ENABLED": "true", "MAX_POSITION_USDT": "10"}
        item = items.toggle_card(context({**vars_, "TRADE_COOLDOWN_SECONDS": "60"}))
        assert item.status is ItemStatus.MISSING
        assert "2 warning(s): TRADE_ENABLED is on" in item.evidence


class TestAttestation:
    def test_only_attestable_items_may_be_attested(self) -> None:
        with pytest.raises(UsageError, match="item 'gate-tests' cannot be attested"):
            check_attestation(Attestation(frozenset({"gate-tests"}), "alice"), ["toggle-card"])

    def test_an_attestation_needs_an_actor(self) -> None:
        with pytest.raises(UsageError, match="needs the actor's name"):
            check_attestation(Attestation(frozenset({"toggle-card"}), None), ["toggle-card"])

    def test_a_passed_item_stays_automatic(self) -> None:
        item = items.cors(context({"CORS_ORIGINS": "https://a.example"}))
        attested = attest(item, Attestation(frozenset({"cors"}), "alice"))
        assert (attested.status, attested.kind) == (ItemStatus.PASSED, ItemKind.AUTOMATIC)


def test_the_checklist_and_the_bot_agree_on_every_testnet_host() -> None:
    # Before: the checklist accepted testnet.binancefuture.com as a testnet, the bot called it
    # "unknown", and the deploy's health check then failed. Both now read the profile.
    from bot import settings as bot_settings

    profile = make_config().profile
    assert profile.exchange_url is not None
    for host in profile.exchange_url.testnet_hosts:
        item = items.api_keys(context({"BINANCE_BASE_URL": f"https://{host}"}, env="testnet"))
        assert item.status is ItemStatus.PASSED, item.evidence
        url = f"https://{host}"
        assert bot_settings.Settings(binance_base_url=url).network == "testnet"
