"""ci.github.approvals in process against the loopback stand-in for api.github.com (GitHub
cannot be reached from the test machine): who may approve a mainnet deploy, and every way
the API's answer can make the check refuse. tests/github/test_approvals.py runs the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from ci.core.errors import CiError, RefusedError
from ci.github.approvals import DEFAULT_API, Api, Approval, GitHubApiError, run_actors, verify
from tests.github.fake_github import TOKEN, FakeGitHub, serving

REPO = "acme/bot"
RUN = 77
RUN_PATH = f"/repos/{REPO}/actions/runs/{RUN}"
FALLBACK = f"/repos/{REPO}/actions/workflows/approve.yml/runs"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    fake.routes[RUN_PATH] = {
        "actor": {"login": "alice"},
        "triggering_actor": {"login": "alice"},
        "run_attempt": 1,
        "run_started_at": "2026-11-26T10:00:00Z",
    }
    fake.routes[f"{RUN_PATH}/approvals"] = []
    with serving(fake) as running:
        yield running


@pytest.fixture
def api(github: FakeGitHub) -> Api:
    return Api(github.url, REPO, TOKEN)


def decision(login: str, state: str = "approved", *envs: str) -> dict[str, Any]:
    names = envs or ("mainnet",)
    return {"state": state, "user": {"login": login}, "environments": [{"name": n} for n in names]}


def dispatched(login: str, title: str = f"approve run {RUN}", **fields: Any) -> dict[str, Any]:
    run = {
        "display_title": title,
        "event": "workflow_dispatch",
        "status": "completed",
        "conclusion": "success",
        "head_branch": "main",
        "created_at": "2026-11-26T10:05:00Z",  # after the promotion run started (below)
        "actor": {"login": login, "type": "User"},
        "triggering_actor": {"login": login, "type": "User"},
    }
    return {**run, **fields}


class TestApiFromEnviron:
    def test_reads_the_repository_token_and_api_url(self) -> None:
        environ = {"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "t1", "GITHUB_API_URL": "http://x"}
        assert Api.from_environ(environ) == Api("http://x", REPO, "t1")

    def test_falls_back_to_gh_token_and_github_com(self) -> None:
        assert Api.from_environ({"GH_TOKEN": "t2"}, repo=REPO) == Api(DEFAULT_API, REPO, "t2")

    def test_no_repository_at_all_is_named(self) -> None:
        with pytest.raises(CiError, match=r"^no repository"):
            Api.from_environ({"GITHUB_TOKEN": "t"})

    def test_the_repo_argument_wins(self) -> None:
        environ = {"GITHUB_REPOSITORY": "other/repo", "GITHUB_TOKEN": "t"}
        assert Api.from_environ(environ, repo=REPO).repo == REPO

    @pytest.mark.parametrize("repository", ["", "no-slash"])
    def test_no_repository_is_named(self, repository: str) -> None:
        environ = {"GITHUB_REPOSITORY": repository, "GITHUB_TOKEN": "t"}
        with pytest.raises(CiError, match=r"^no repository: pass --repo OWNER/REPO or set"):
            Api.from_environ(environ)

    def test_no_token_is_named(self) -> None:
        with pytest.raises(CiError, match=r"^no token: set GITHUB_TOKEN \(the workflow"):
            Api.from_environ({"GITHUB_REPOSITORY": REPO, "GITHUB_TOKEN": "", "GH_TOKEN": ""})


class TestApiGet:
    def test_sends_the_documented_headers(self, api: Api, github: FakeGitHub) -> None:
        api.get(f"actions/runs/{RUN}")
        path, headers = github.requests[-1]
        assert path == RUN_PATH
        assert headers["Authorization"] == f"Bearer {TOKEN}"
        assert headers["Accept"] == "application/vnd.github+json"
        assert headers["X-GitHub-Api-Version"] == "2022-11-28"

    def test_a_trailing_slash_on_the_api_url_is_ignored(self, github: FakeGitHub) -> None:
        assert Api(github.url + "/", REPO, TOKEN).get(f"actions/runs/{RUN}")["actor"]

    def test_a_refused_token_is_an_error_without_the_token(self, github: FakeGitHub) -> None:
        with pytest.raises(GitHubApiError) as refused:
            Api(github.url, REPO, "wrong-token").get(f"actions/runs/{RUN}")
        assert str(refused.value) == f"GET {github.url}{RUN_PATH}: HTTP 401"

    def test_an_answer_that_is_not_json_is_an_error(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH] = b"<html>maintenance</html>"
        with pytest.raises(GitHubApiError, match=r"actions/runs/77: the answer is not JSON$"):
            api.get(f"actions/runs/{RUN}")

    def test_an_unreachable_api_names_the_failure(self) -> None:
        with pytest.raises(GitHubApiError, match=r"^GET http://127\.0\.0\.1:9/repos/.*: Connect"):
            Api("http://127.0.0.1:9", REPO, TOKEN).get("x")


class TestRunActors:
    def test_a_re_run_has_two_starters_listed_once_each(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH]["triggering_actor"] = {"login": "bob"}
        assert run_actors(api, RUN) == ["alice", "bob"]
        github.routes[RUN_PATH]["triggering_actor"] = {"login": "alice"}
        assert run_actors(api, RUN) == ["alice"]

    def test_a_run_that_is_not_an_object_is_an_error(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH] = ["not", "a", "run"]
        with pytest.raises(GitHubApiError, match=f"^run {RUN}: not a run$"):
            run_actors(api, RUN)


class TestVerify:
    def test_another_person_s_approval_passes(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [decision("alice"), decision("bob")]
        assert verify(api, RUN, "mainnet") == Approval("bob", "alice", "environment review")

    def test_the_first_other_approver_is_named(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [decision("carol"), decision("bob")]
        assert verify(api, RUN, "mainnet").approver == "carol"

    def test_after_a_re_run_both_starters_are_named(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH]["triggering_actor"] = {"login": "bob"}
        github.routes[f"{RUN_PATH}/approvals"] = [decision("bob")]
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet")
        assert "other than alice and bob (only by alice and bob, who" in str(refused.value)
        github.routes[f"{RUN_PATH}/approvals"].append(decision("carol"))
        assert verify(api, RUN, "mainnet") == Approval(
            "carol", "alice and bob", "environment review"
        )

    def test_a_run_without_an_actor_is_refused(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH] = {"actor": None, "triggering_actor": {"name": "no login"}}
        github.routes[f"{RUN_PATH}/approvals"] = [decision("bob")]
        with pytest.raises(RefusedError, match=f"^run {RUN}: no actor on record; refusing$"):
            verify(api, RUN, "mainnet")

    def test_self_approval_is_refused_whatever_the_case(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [decision("ALICE")]
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet")
        assert str(refused.value) == (
            f"run {RUN}: no approval for mainnet by someone other than alice "
            "(only by alice, who started it); refusing"
        )

    def test_no_approval_at_all_is_refused(self, api: Api) -> None:
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet")
        assert str(refused.value) == (
            f"run {RUN}: no approval for mainnet by someone other than alice; refusing"
        )

    @pytest.mark.parametrize(
        "decisions",
        [
            pytest.param([decision("bob", "approved", "testnet")], id="other-environment"),
            pytest.param([decision("bob", "pending")], id="not-approved"),
            pytest.param([{"state": "approved", "user": "bob", "environments": []}], id="no-env"),
            pytest.param([{"state": "approved", "user": {"login": "bob"}}], id="no-env-key"),
            pytest.param(
                [{"state": "approved", "user": {"login": "bob"}, "environments": ["mainnet"]}],
                id="malformed-environment",
            ),
        ],
    )
    def test_only_an_approval_of_this_environment_counts(
        self, api: Api, github: FakeGitHub, decisions: list[dict[str, Any]]
    ) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = decisions
        with pytest.raises(RefusedError, match="no approval for mainnet"):
            verify(api, RUN, "mainnet")

    def test_an_approval_of_several_environments_counts(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [decision("bob", "approved", "testnet", "mainnet")]
        assert verify(api, RUN, "mainnet").approver == "bob"

    def test_any_rejection_refuses_and_names_who(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [
            decision("bob"),
            decision("carol", "rejected"),
            decision("dave", "rejected"),
            decision("erin", "rejected", "testnet"),
        ]
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet")
        assert str(refused.value) == f"run {RUN}: mainnet rejected by carol, dave; refusing"

    def test_approvals_that_are_not_a_list_are_an_error(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = {"approvals": []}
        with pytest.raises(GitHubApiError, match=f"^run {RUN} approvals: not a list$"):
            verify(api, RUN, "mainnet")


class TestFallback:
    def test_an_approve_run_by_another_person_passes(self, api: Api, github: FakeGitHub) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}
        assert verify(api, RUN, "mainnet", "approve.yml") == Approval(
            "bob", "alice", "approve workflow approve.yml"
        )

    def test_the_person_who_dispatched_it_counts_not_the_first_actor(
        self, api: Api, github: FakeGitHub
    ) -> None:
        """A re-run's triggering actor is who approved; a run that names no triggering
        actor approves nothing (fail closed: nobody is on record)."""
        github.routes[FALLBACK] = {
            "workflow_runs": [dispatched("bob", triggering_actor={"login": "alice"})]
        }
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob", triggering_actor=None)]}
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")

    @pytest.mark.parametrize(
        "run",
        [
            pytest.param(dispatched("bob", title="approve run 7"), id="another-run"),
            pytest.param(dispatched("bob", title=f"approve run {RUN}0"), id="longer-id"),
            pytest.param(dispatched("bob", conclusion="failure"), id="failed"),
            pytest.param(dispatched("bob", event="push"), id="not-dispatched"),
            pytest.param(dispatched("alice"), id="self"),
        ],
    )
    def test_runs_that_do_not_approve_are_refused(
        self, api: Api, github: FakeGitHub, run: dict[str, Any]
    ) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [run]}
        with pytest.raises(RefusedError, match="no approval for mainnet by someone other"):
            verify(api, RUN, "mainnet", "approve.yml")

    def test_an_environment_review_comes_first(self, api: Api, github: FakeGitHub) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [decision("carol")]
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}
        assert verify(api, RUN, "mainnet", "approve.yml") == Approval(
            "carol", "alice", "environment review"
        )
        assert not any(path.startswith(FALLBACK) for path, _ in github.requests)

    def test_without_a_fallback_workflow_none_is_asked(self, api: Api, github: FakeGitHub) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet")
        assert not any(path.startswith(FALLBACK) for path, _ in github.requests)

    @pytest.mark.parametrize("answer", [["not", "an", "object"], {"total_count": 0}])
    def test_an_answer_without_runs_approves_nothing(
        self, api: Api, github: FakeGitHub, answer: object
    ) -> None:
        github.routes[FALLBACK] = answer
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")

    @pytest.mark.parametrize(
        ("older", "count"),
        [
            pytest.param(dispatched("carol", conclusion="failure"), 120, id="failed"),
            pytest.param(dispatched("mallory", event="push"), 120, id="pushed"),
            pytest.param(dispatched("dave", title="approve run 7"), 40, id="other-runs"),
        ],
    )
    def test_the_approval_is_found_behind_many_newer_runs(
        self, api: Api, github: FakeGitHub, older: dict[str, Any], count: int
    ) -> None:
        """GitHub pages 30 runs by default and filters only what it is asked to."""
        github.routes[FALLBACK] = {"workflow_runs": [older] * count + [dispatched("bob")]}
        assert verify(api, RUN, "mainnet", "approve.yml").approver == "bob"


def fallback_queries(github: FakeGitHub) -> list[dict[str, str]]:
    """The query of each request for the approve workflow's runs, in order."""
    return [
        dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
        for path, _ in github.requests
        if urlsplit(path).path == FALLBACK
    ]


class TestFallbackRules:
    """The fallback's newer rules in process (tests/github/test_approvals.py has the CLI)."""

    def test_the_query_asks_for_dispatched_successful_runs_on_main_100_a_page(
        self, api: Api, github: FakeGitHub
    ) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}
        verify(api, RUN, "mainnet", "approve.yml")
        assert fallback_queries(github) == [
            {
                "event": "workflow_dispatch",
                "status": "success",
                "branch": "main",
                "per_page": "100",
                "page": "1",
            }
        ]

    def test_a_full_page_asks_for_the_next_and_a_short_page_ends(
        self, api: Api, github: FakeGitHub
    ) -> None:
        other = dispatched("mallory", title="approve run 1")
        github.routes[FALLBACK] = {"workflow_runs": [other] * 200 + [dispatched("bob")]}
        assert verify(api, RUN, "mainnet", "approve.yml").approver == "bob"
        assert [q["page"] for q in fallback_queries(github)] == ["1", "2", "3"]

    def test_an_approval_on_the_first_page_counts_after_later_pages_are_read(
        self, api: Api, github: FakeGitHub
    ) -> None:
        other = dispatched("mallory", title="approve run 1")
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")] + [other] * 150}
        assert verify(api, RUN, "mainnet", "approve.yml").approver == "bob"
        assert [q["page"] for q in fallback_queries(github)] == ["1", "2"]

    def test_a_page_of_exactly_100_runs_is_followed_by_an_empty_one(
        self, api: Api, github: FakeGitHub
    ) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("alice")] * 100}
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")
        assert [q["page"] for q in fallback_queries(github)] == ["1", "2"]

    def test_a_short_first_page_is_the_only_one_asked(self, api: Api, github: FakeGitHub) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("alice")] * 99}
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")
        assert [q["page"] for q in fallback_queries(github)] == ["1"]

    def test_runs_that_are_not_objects_are_skipped(self, api: Api, github: FakeGitHub) -> None:
        """Served as is (the stand-in filters objects only): one page, three entries."""
        runs = ["run", None, dispatched("bob")]
        github.routes[FALLBACK] = json.dumps({"workflow_runs": runs}).encode()
        assert verify(api, RUN, "mainnet", "approve.yml").approver == "bob"

    def test_an_approve_run_from_another_branch_does_not_count(
        self, api: Api, github: FakeGitHub
    ) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob", head_branch="feature")]}
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet", "approve.yml")
        assert str(refused.value) == (
            f"run {RUN}: no approval for mainnet by someone other than alice; refusing"
        )

    @pytest.mark.parametrize(
        "created",
        [
            pytest.param("2026-11-26T09:55:00Z", id="before"),
            pytest.param("2026-11-26T10:00:00Z", id="same-second"),
            pytest.param(None, id="no-time"),
            pytest.param("", id="empty-time"),
        ],
    )
    def test_only_an_approve_run_created_after_the_start_counts(
        self, api: Api, github: FakeGitHub, created: str | None
    ) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob", created_at=created)]}
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet", "approve.yml")
        assert str(refused.value) == (
            f"run {RUN}: no approval for mainnet by someone other than alice; refusing"
        )
        github.routes[FALLBACK]["workflow_runs"].append(
            dispatched("carol", created_at="2026-11-26T10:00:01Z")
        )
        assert verify(api, RUN, "mainnet", "approve.yml").approver == "carol"

    def test_the_run_s_creation_is_the_start_when_it_has_no_start_time(
        self, api: Api, github: FakeGitHub
    ) -> None:
        del github.routes[RUN_PATH]["run_started_at"]
        github.routes[RUN_PATH]["created_at"] = "2026-11-26T10:10:00Z"
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}  # 10:05: before
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")
        github.routes[RUN_PATH]["run_started_at"] = None
        github.routes[FALLBACK]["workflow_runs"].append(
            dispatched("carol", created_at="2026-11-26T10:11:00Z")
        )
        assert verify(api, RUN, "mainnet", "approve.yml").approver == "carol"

    def test_the_start_time_wins_over_the_run_s_creation(
        self, api: Api, github: FakeGitHub
    ) -> None:
        """A re-run's attempt starts after the run was created: an approval between the
        two approved the earlier attempt and does not count."""
        github.routes[RUN_PATH]["created_at"] = "2026-11-26T09:00:00Z"
        github.routes[FALLBACK] = {
            "workflow_runs": [dispatched("bob", created_at="2026-11-26T09:30:00Z")]
        }
        with pytest.raises(RefusedError):
            verify(api, RUN, "mainnet", "approve.yml")

    @pytest.mark.parametrize("empty", [None, ""])
    def test_a_run_without_any_start_time_is_an_error(
        self, api: Api, github: FakeGitHub, empty: str | None
    ) -> None:
        github.routes[RUN_PATH]["run_started_at"] = empty
        github.routes[RUN_PATH]["created_at"] = empty
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}
        with pytest.raises(GitHubApiError) as failed:
            verify(api, RUN, "mainnet", "approve.yml")
        assert str(failed.value) == f"run {RUN}: no start time on record"

    @pytest.mark.parametrize(
        "user",
        [
            pytest.param(None, id="null"),
            pytest.param({"type": "User"}, id="no-login"),
            pytest.param({"login": "", "type": "User"}, id="empty-login"),
            pytest.param({"login": "renovate", "type": "Bot"}, id="bot-type"),
            pytest.param({"login": "github-actions[bot]", "type": "User"}, id="bot-name"),
            pytest.param({"login": "dependabot[bot]"}, id="bot-name-no-type"),
        ],
    )
    def test_an_approve_run_by_no_person_does_not_count(
        self, api: Api, github: FakeGitHub, user: object
    ) -> None:
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob", triggering_actor=user)]}
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet", "approve.yml")
        assert str(refused.value) == (
            f"run {RUN}: no approval for mainnet by someone other than alice; refusing"
        )
        github.routes[FALLBACK]["workflow_runs"].append(
            dispatched("carol", triggering_actor={"login": "carol"})
        )
        assert verify(api, RUN, "mainnet", "approve.yml") == Approval(
            "carol", "alice", "approve workflow approve.yml"
        )


class TestEnvironmentReviewers:
    @pytest.mark.parametrize(
        "user",
        [
            pytest.param(None, id="null"),
            pytest.param("bob", id="not-an-object"),
            pytest.param({"type": "User"}, id="no-login"),
            pytest.param({"login": "renovate", "type": "Bot"}, id="bot-type"),
            pytest.param({"login": "github-actions[bot]", "type": "User"}, id="bot-name"),
            pytest.param({"login": "dependabot[bot]"}, id="bot-name-no-type"),
        ],
    )
    def test_an_approval_by_no_person_does_not_count(
        self, api: Api, github: FakeGitHub, user: object
    ) -> None:
        github.routes[f"{RUN_PATH}/approvals"] = [
            {"state": "approved", "user": user, "environments": [{"name": "mainnet"}]}
        ]
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet")
        assert str(refused.value) == (
            f"run {RUN}: no approval for mainnet by someone other than alice; refusing"
        )

    def test_a_person_s_approval_counts_beside_a_bot_s(self, api: Api, github: FakeGitHub) -> None:
        bot = {"login": "renovate[bot]", "type": "Bot"}
        github.routes[f"{RUN_PATH}/approvals"] = [
            {"state": "approved", "user": bot, "environments": [{"name": "mainnet"}]},
            {
                "state": "approved",
                "user": {"login": "bob", "type": "User"},
                "environments": [{"name": "mainnet"}],
            },
        ]
        assert verify(api, RUN, "mainnet") == Approval("bob", "alice", "environment review")

    def test_a_bot_approval_falls_back_to_the_approve_workflow(
        self, api: Api, github: FakeGitHub
    ) -> None:
        bot = {"login": "renovate[bot]", "type": "Bot"}
        github.routes[f"{RUN_PATH}/approvals"] = [
            {"state": "approved", "user": bot, "environments": [{"name": "mainnet"}]}
        ]
        github.routes[FALLBACK] = {"workflow_runs": [dispatched("bob")]}
        assert verify(api, RUN, "mainnet", "approve.yml").source == "approve workflow approve.yml"


class TestAttempt:
    def test_an_earlier_attempt_is_refused(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH]["run_attempt"] = 2
        github.routes[f"{RUN_PATH}/approvals"] = [decision("bob")]
        with pytest.raises(RefusedError) as refused:
            verify(api, RUN, "mainnet", run_attempt=1)
        assert str(refused.value) == (
            f"run {RUN}: attempt 1 is not the run's current attempt; refusing"
        )
        assert verify(api, RUN, "mainnet", run_attempt=2).approver == "bob"

    def test_a_run_that_names_no_attempt_is_taken_as_the_one_asked(
        self, api: Api, github: FakeGitHub
    ) -> None:
        del github.routes[RUN_PATH]["run_attempt"]
        github.routes[f"{RUN_PATH}/approvals"] = [decision("bob")]
        assert verify(api, RUN, "mainnet", run_attempt=3).approver == "bob"

    def test_without_an_attempt_any_attempt_passes(self, api: Api, github: FakeGitHub) -> None:
        github.routes[RUN_PATH]["run_attempt"] = 5
        github.routes[f"{RUN_PATH}/approvals"] = [decision("bob")]
        assert verify(api, RUN, "mainnet").approver == "bob"


def test_run_actors_skips_a_missing_actor(api: Api, github: FakeGitHub) -> None:
    github.routes[RUN_PATH]["actor"] = None
    github.routes[RUN_PATH]["triggering_actor"] = {"login": "bob"}
    assert run_actors(api, RUN) == ["bob"]
