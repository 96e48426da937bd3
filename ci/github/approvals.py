"""Who approved a workflow run, and is that someone other than the person who started it.

GitHub records reviewers' decisions on a run's environments
(`GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals`). Where required reviewers
are not available (private repositories on Free/Pro/Team), the fallback is a run of the
approve workflow named `approve run <run_id>`, dispatched by the approver; it is checked
the same way: a success, by someone other than the run's actor, and also: run from main,
created after the current attempt of the run started (an approval of an earlier attempt,
or one made before the promotion, does not count), every page of runs read.
An approval by no user (`user: null`) or by a bot account never counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ci.core import tls
from ci.core.errors import CiError, RefusedError

DEFAULT_API = "https://api.github.com"


class GitHubApiError(CiError):
    """GitHub's API could not be asked (network, auth, unexpected answer)."""


@dataclass(frozen=True)
class Approval:
    approver: str
    actor: str
    source: str  # "environment review" or "approve workflow run <id>"


@dataclass(frozen=True)
class Api:
    base: str
    repo: str
    token: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], repo: str | None = None) -> Api:
        repository = repo or environ.get("GITHUB_REPOSITORY", "")
        if "/" not in repository:
            raise CiError("no repository: pass --repo OWNER/REPO or set GITHUB_REPOSITORY")
        token = environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or ""
        if not token:
            raise CiError("no token: set GITHUB_TOKEN (the workflow's github.token)")
        return cls(environ.get("GITHUB_API_URL") or DEFAULT_API, repository, token)

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        url = f"{self.base.rstrip('/')}/repos/{self.repo}/{path}"
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }
        try:
            response = httpx.get(
                url, headers=headers, params=params, timeout=20, verify=tls.context()
            )
        except httpx.HTTPError as exc:
            raise GitHubApiError(f"GET {url}: {type(exc).__name__}") from None
        if response.status_code != httpx.codes.OK:
            raise GitHubApiError(f"GET {url}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise GitHubApiError(f"GET {url}: the answer is not JSON") from None


APPROVE_BRANCH = "main"
_PER_PAGE = 100


def _run(api: Api, run_id: int) -> dict[str, Any]:
    run = api.get(f"actions/runs/{run_id}")
    if not isinstance(run, dict):
        raise GitHubApiError(f"run {run_id}: not a run")
    return run


def run_actors(api: Api, run_id: int) -> list[str]:
    """Who started the run: its actor and, for a re-run, the triggering actor."""
    return _actors(_run(api, run_id))


def _actors(run: dict[str, Any]) -> list[str]:
    logins = [_login(run.get("actor")), _login(run.get("triggering_actor"))]
    return list(dict.fromkeys(login for login in logins if login))


def verify(
    api: Api, run_id: int, env: str, fallback_workflow: str = "", run_attempt: int | None = None
) -> Approval:
    """The approval of `run_id` for `env` by someone other than its actor, or RefusedError."""
    run = _run(api, run_id)
    if run_attempt is not None and run.get("run_attempt", run_attempt) != run_attempt:
        raise RefusedError(
            f"run {run_id}: attempt {run_attempt} is not the run's current attempt; refusing"
        )
    actors = _actors(run)
    if not actors:
        raise RefusedError(f"run {run_id}: no actor on record; refusing")
    actor = " and ".join(actors)
    starters = {login.lower() for login in actors}
    approvers = _environment_approvers(api, run_id, env)
    source = "environment review"
    if not approvers and fallback_workflow:
        approvers = _fallback_approvers(api, run_id, fallback_workflow, run)
        source = f"approve workflow {fallback_workflow}"
    others = [login for login in approvers if login.lower() not in starters]
    if not others:
        who = f" (only by {actor}, who started it)" if approvers else ""
        raise RefusedError(
            f"run {run_id}: no approval for {env} by someone other than {actor}{who}; refusing"
        )
    return Approval(others[0], actor, source)


def _environment_approvers(api: Api, run_id: int, env: str) -> list[str]:
    decisions = api.get(f"actions/runs/{run_id}/approvals")
    if not isinstance(decisions, list):
        raise GitHubApiError(f"run {run_id} approvals: not a list")
    for_env = [d for d in decisions if env in _environment_names(d)]
    rejected = [_login(d.get("user")) for d in for_env if d.get("state") == "rejected"]
    if rejected:
        raise RefusedError(f"run {run_id}: {env} rejected by {', '.join(rejected)}; refusing")
    approved = [d.get("user") for d in for_env if d.get("state") == "approved"]
    return [_login(user) for user in approved if _person(user)]


def _fallback_approvers(api: Api, run_id: int, workflow: str, run: dict[str, Any]) -> list[str]:
    started = str(run.get("run_started_at") or run.get("created_at") or "")
    if not started:
        raise GitHubApiError(f"run {run_id}: no start time on record")
    title = f"approve run {run_id}"
    return [
        _login(r.get("triggering_actor"))
        for r in _all_runs(api, workflow)
        if r.get("display_title") == title
        and r.get("conclusion") == "success"
        and r.get("head_branch") == APPROVE_BRANCH
        # ISO 8601 UTC timestamps ("...Z") of one format order as text.
        and str(r.get("created_at") or "") > started
        and _person(r.get("triggering_actor"))
    ]


def _all_runs(api: Api, workflow: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = api.get(
            f"actions/workflows/{workflow}/runs",
            params={
                "event": "workflow_dispatch",
                "status": "success",
                "branch": APPROVE_BRANCH,
                "per_page": str(_PER_PAGE),
                "page": str(page),
            },
        )
        batch = answer.get("workflow_runs", []) if isinstance(answer, dict) else []
        runs += [r for r in batch if isinstance(r, dict)]
        if len(batch) < _PER_PAGE:
            return runs
        page += 1


def _person(user: object) -> bool:
    """A user account with a login: not null, not a bot."""
    if not isinstance(user, dict) or not _login(user):
        return False
    return user.get("type") != "Bot" and not _login(user).endswith("[bot]")


def _environment_names(decision: Mapping[str, Any]) -> set[str]:
    return {str(e.get("name")) for e in decision.get("environments", []) if isinstance(e, dict)}


def _login(user: object) -> str:
    return str(user.get("login") or "") if isinstance(user, dict) else ""
