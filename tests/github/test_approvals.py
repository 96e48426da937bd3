"""`python -m ci approval verify` against a loopback stand-in for api.github.com (GitHub
itself cannot be reached from the test machine): its decisions in this process, its failures
(a refused or unreachable API) as real processes that must not show the token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.github.fake_github import TOKEN, FakeGitHub, serving
from tests.helpers import CliResult, invoke_ci, run_ci

REPO = "acme/bot"
RUN = 4242
STARTED = "2026-11-26T10:00:00Z"
AFTER = "2026-11-26T10:05:00Z"
BEFORE = "2026-11-26T09:55:00Z"
RUNS = f"/repos/{REPO}/actions/workflows/approve.yml/runs"


def _approve_run(
    login: str | None,
    title: str = f"approve run {RUN}",
    conclusion: str = "success",
    *,
    branch: str = "main",
    created: str = AFTER,
    kind: str = "User",
    event: str = "workflow_dispatch",
) -> dict[str, Any]:
    user = None if login is None else {"login": login, "type": kind}
    return {
        "display_title": title,
        "event": event,
        "status": "completed",
        "conclusion": conclusion,
        "head_branch": branch,
        "created_at": created,
        "actor": user,
        "triggering_actor": user,
    }


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    fake.routes[f"/repos/{REPO}/actions/runs/{RUN}"] = {
        "actor": {"login": "alice"},
        "triggering_actor": {"login": "alice"},
        "run_attempt": 1,
        "run_started_at": STARTED,
    }
    with serving(fake) as running:
        yield running


def _decision(login: str, state: str = "approved", env: str = "mainnet") -> dict[str, Any]:
    return {"state": state, "user": {"login": login}, "environments": [{"name": env}]}


def _verify(github: FakeGitHub, tmp_path: Path, *extra: str) -> CliResult:
    env = {
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_OUTPUT": str(tmp_path / "output"),
    }
    return invoke_ci("approval", "verify", "--run-id", str(RUN), *extra, cwd=tmp_path, env=env)


def test_an_approval_by_another_person_passes_and_names_the_approver(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = [_decision("bob")]
    done = _verify(github, tmp_path)
    assert done.code == 0, done.stderr
    assert "approved for mainnet by bob (started by alice" in done.stdout
    assert (tmp_path / "output").read_text() == "approver=bob\n"
    assert github.requests[0][1]["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in done.stdout + done.stderr


def test_self_approval_is_refused(github: FakeGitHub, tmp_path: Path) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = [_decision("Alice")]
    done = _verify(github, tmp_path)
    assert done.code == 1
    assert "no approval for mainnet by someone other than alice" in done.stderr
    assert not (tmp_path / "output").exists()


def test_after_a_re_run_neither_starter_may_approve(github: FakeGitHub, tmp_path: Path) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}"]["triggering_actor"] = {"login": "bob"}
    approvals = f"/repos/{REPO}/actions/runs/{RUN}/approvals"
    github.routes[approvals] = [_decision("bob"), _decision("alice")]
    assert _verify(github, tmp_path).code == 1
    github.routes[approvals].append(_decision("carol"))
    done = _verify(github, tmp_path)
    assert done.code == 0 and "by carol (started by alice and bob" in done.stdout


def test_no_approval_at_all_is_refused(github: FakeGitHub, tmp_path: Path) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = []
    done = _verify(github, tmp_path)
    assert done.code == 1
    assert "refusing" in done.stderr


def test_an_approval_of_another_environment_does_not_count(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = [_decision("bob", env="testnet")]
    assert _verify(github, tmp_path).code == 1


def test_a_rejection_wins_over_an_approval(github: FakeGitHub, tmp_path: Path) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = [
        _decision("bob"),
        _decision("carol", state="rejected"),
    ]
    done = _verify(github, tmp_path)
    assert done.code == 1
    assert "mainnet rejected by carol" in done.stderr


def test_the_private_repository_fallback_is_verified_the_same_way(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = []
    runs = RUNS
    github.routes[runs] = {
        "workflow_runs": [
            _approve_run("alice"),  # self-approval: ignored
            _approve_run("mallory", "approve run 1"),  # another run
            _approve_run("carol", conclusion="failure"),
        ]
    }
    assert _verify(github, tmp_path, "--fallback-workflow", "approve.yml").code == 1
    github.routes[runs]["workflow_runs"].append(_approve_run("bob"))
    done = _verify(github, tmp_path, "--fallback-workflow", "approve.yml")
    assert done.code == 0, done.stderr
    assert "by bob" in done.stdout and "approve workflow approve.yml" in done.stdout


@pytest.mark.parametrize(
    ("older", "count"),
    [
        pytest.param(_approve_run("mallory", f"approve run {RUN}", event="push"), 120, id="push"),
        pytest.param(_approve_run("carol", f"approve run {RUN}", "failure"), 120, id="failed"),
        pytest.param(_approve_run("dave", "approve run 7"), 40, id="other-run"),
    ],
)
def test_the_fallback_finds_the_approval_behind_many_other_runs(
    github: FakeGitHub, tmp_path: Path, older: dict[str, Any], count: int
) -> None:
    """GitHub pages 30 runs by default: the check must ask for dispatched, successful runs,
    100 a page, to see an approval behind runs of another kind (newest first)."""
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = []
    runs = [older] * count + [_approve_run("bob", f"approve run {RUN}")]
    github.routes[f"/repos/{REPO}/actions/workflows/approve.yml/runs"] = {"workflow_runs": runs}
    done = _verify(github, tmp_path, "--fallback-workflow", "approve.yml")
    assert done.code == 0, done.stderr
    assert "by bob" in done.stdout


def test_a_token_github_refuses_is_one_line_without_the_token(
    github: FakeGitHub, tmp_path: Path
) -> None:
    token = "ghs_" + "W" * 36
    env = {"GITHUB_API_URL": github.url, "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": token}
    done = run_ci("approval", "verify", "--run-id", str(RUN), cwd=tmp_path, env=env)
    assert done.code == 3
    assert "Traceback" not in done.stderr and done.stderr.count("\n") <= 2
    assert "HTTP 401" in done.stderr
    assert token not in done.stderr


def test_an_unreachable_api_is_one_line_without_the_token(tmp_path: Path) -> None:
    env = {"GITHUB_API_URL": "http://127.0.0.1:9", "GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": TOKEN}
    done = run_ci("approval", "verify", "--run-id", "1", cwd=tmp_path, env=env)
    assert done.code == 3
    assert done.stderr.count("\n") <= 2 and "Traceback" not in done.stderr
    assert TOKEN not in done.stderr


def test_a_missing_token_is_named(tmp_path: Path) -> None:
    env = {"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "", "GH_TOKEN": ""}
    done = invoke_ci("approval", "verify", "--run-id", "1", cwd=tmp_path, env=env)
    assert done.code == 3
    assert "GITHUB_TOKEN" in done.stderr


@pytest.mark.parametrize(
    "run",
    [
        _approve_run("bob", branch="feature"),  # dispatched from a branch: its own workflow
        _approve_run("bob", created=BEFORE),  # before the promotion (or this attempt) started
        _approve_run(None),  # no user on record
        _approve_run("dependabot[bot]", kind="Bot"),  # not a person
    ],
    ids=["branch", "before-start", "null-user", "bot"],
)
def test_a_fallback_approval_that_does_not_qualify_is_refused(
    github: FakeGitHub, tmp_path: Path, run: dict[str, Any]
) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = []
    github.routes[RUNS] = {"workflow_runs": [run]}
    assert _verify(github, tmp_path, "--fallback-workflow", "approve.yml").code == 1


def test_the_fallback_reads_every_page_of_approve_runs(github: FakeGitHub, tmp_path: Path) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = []
    first = {"workflow_runs": [_approve_run("mallory", "approve run 1")] * 100}
    github.routes[RUNS] = {"workflow_runs": [*first["workflow_runs"], _approve_run("bob")]}
    done = _verify(github, tmp_path, "--fallback-workflow", "approve.yml")
    assert done.code == 0, done.stderr
    assert "by bob" in done.stdout


def test_an_environment_approval_by_no_user_or_a_bot_does_not_count(
    github: FakeGitHub, tmp_path: Path
) -> None:
    nobody = {"state": "approved", "user": None, "environments": [{"name": "mainnet"}]}
    bot = _decision("github-actions[bot]")
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = [nobody, bot]
    assert _verify(github, tmp_path).code == 1


def test_an_approval_of_an_earlier_attempt_is_refused_on_a_re_run(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}"]["run_attempt"] = 2
    github.routes[f"/repos/{REPO}/actions/runs/{RUN}/approvals"] = [_decision("bob")]
    done = _verify(github, tmp_path, "--run-attempt", "1")
    assert done.code == 1 and "not the run's current attempt" in done.stderr
    assert _verify(github, tmp_path, "--run-attempt", "2").code == 0
